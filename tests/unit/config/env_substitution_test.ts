import assert from "node:assert/strict";
import { substituteEnv } from "../../../src/config/env_substitution.ts";

function envOf(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => Object.hasOwn(values, name) ? values[name] : undefined;
}

Deno.test("substituteEnv() replaces a variable with its value", () => {
  assert.equal(substituteEnv("Bearer ${TOKEN}", envOf({ TOKEN: "abc" })), "Bearer abc");
  assert.equal(substituteEnv("${_under_1}", envOf({ _under_1: "u" })), "u");
});

Deno.test("substituteEnv() replaces several variables in one value", () => {
  const lookup = envOf({ HOST: "example.com", PORT: "8080" });
  assert.equal(
    substituteEnv("https://${HOST}:${PORT}/${HOST}", lookup),
    "https://example.com:8080/example.com",
  );
});

Deno.test("substituteEnv() leaves text that is not a ${NAME} reference unchanged", () => {
  assert.equal(
    substituteEnv(
      "$HOME, ${ and {X}, ${1X}, ${A-B}",
      envOf({ HOME: "/h", X: "x", "1X": "1", "A-B": "ab" }),
    ),
    "$HOME, ${ and {X}, ${1X}, ${A-B}",
  );
});

Deno.test("substituteEnv() uses an empty value when the variable is set to empty", () => {
  const missing: string[] = [];
  const result = substituteEnv("a${EMPTY}b", envOf({ EMPTY: "" }), {
    onMissing: (name) => missing.push(name),
  });
  assert.equal(result, "ab");
  assert.deepEqual(missing, []);
});

Deno.test("substituteEnv() replaces an unknown variable with an empty string", () => {
  assert.equal(substituteEnv("x=${NOPE};", envOf({})), "x=;");
});

Deno.test("substituteEnv() reports each unknown variable once per call", () => {
  const missing: string[] = [];
  const result = substituteEnv("${A}-${B}-${A}-${C}", envOf({ C: "c" }), {
    onMissing: (name) => missing.push(name),
  });
  assert.equal(result, "---c");
  assert.deepEqual(missing, ["A", "B"]);
});

Deno.test("substituteEnv() does not expand variables inside substituted values", () => {
  const lookup = envOf({ OUTER: "${INNER}", INNER: "secret" });
  assert.equal(substituteEnv("${OUTER}", lookup), "${INNER}");
});
