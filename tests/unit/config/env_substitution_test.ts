import assert from "node:assert/strict";
import {
  MAX_SUBSTITUTED_BYTES,
  substituteEnv,
  SubstitutionTooLargeError,
} from "../../../src/config/env_substitution.ts";

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

Deno.test("substituteEnv() refuses a variable value over the limit, naming the variable", () => {
  const lookup = envOf({ BIG: "x".repeat(11), OK: "y".repeat(10) });
  assert.equal(substituteEnv("${OK}", lookup, { maxBytes: 10 }), "y".repeat(10));
  assert.throws(
    () => substituteEnv("a${BIG}", lookup, { maxBytes: 10 }),
    (error: unknown) => {
      assert.ok(error instanceof SubstitutionTooLargeError);
      assert.ok(error instanceof RangeError);
      assert.equal(error.variable, "BIG");
      assert.equal(error.bound, "value");
      assert.equal(error.message, "The value of ${BIG} is over the 10 bytes limit");
      return true;
    },
  );
});

Deno.test("substituteEnv() refuses a result over the limit, naming the variable that crossed it", () => {
  const lookup = envOf({ A: "aaaa", B: "bbbb" });
  assert.equal(substituteEnv("${A}-${B}", lookup, { maxBytes: 9 }), "aaaa-bbbb");
  assert.throws(
    () => substituteEnv("${A}--${B}", lookup, { maxBytes: 9 }),
    (error: unknown) => {
      assert.ok(error instanceof SubstitutionTooLargeError);
      assert.equal(error.variable, "B");
      assert.equal(error.bound, "result");
      return true;
    },
  );
});

Deno.test("substituteEnv() counts UTF-8 bytes, not characters", () => {
  // "é" is 2 bytes, "€" 3, "😀" 4.
  const lookup = envOf({ E: "é€😀" });
  assert.equal(substituteEnv("${E}", lookup, { maxBytes: 9 }), "é€😀");
  assert.throws(() => substituteEnv("${E}", lookup, { maxBytes: 8 }), SubstitutionTooLargeError);
});

Deno.test("substituteEnv() stops a value repeated many times at 1 MiB by default", () => {
  const chunk = "z".repeat(64 * 1024);
  const lookup = envOf({ CHUNK: chunk });
  assert.equal(MAX_SUBSTITUTED_BYTES, 1024 * 1024);
  assert.equal(substituteEnv("${CHUNK}".repeat(16), lookup).length, 1024 * 1024);
  assert.throws(
    () => substituteEnv("${CHUNK}".repeat(100_000), lookup),
    (error: unknown) => error instanceof SubstitutionTooLargeError && error.bound === "result",
  );
  assert.throws(
    () => substituteEnv("${HUGE}", envOf({ HUGE: "h".repeat(MAX_SUBSTITUTED_BYTES + 1) })),
    /The value of \$\{HUGE\} is over the 1 MiB limit/,
  );
});
