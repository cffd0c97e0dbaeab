import assert from "node:assert/strict";
import { McpcError } from "../../../src/errors.ts";
import {
  parseStdinArgs,
  parseToolArgs,
  requireToolName,
  typedTextOf,
} from "../../../src/cli/tool_args.ts";

function assertUsageError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof McpcError);
    assert.equal(error.kind, "usage");
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

Deno.test("parseToolArgs() returns an empty object for no arguments", () => {
  assert.deepEqual(parseToolArgs([]), {});
});

Deno.test("parseToolArgs() decodes values that parse as JSON", () => {
  assert.deepEqual(
    parseToolArgs([
      "count:=10",
      "enabled:=true",
      "nothing:=null",
      'obj:={"a":1}',
      "list:=[1,2]",
      'quoted:="123"',
      "ratio:=1.5",
    ]),
    {
      count: 10,
      enabled: true,
      nothing: null,
      obj: { a: 1 },
      list: [1, 2],
      quoted: "123",
      ratio: 1.5,
    },
  );
});

Deno.test("parseToolArgs() keeps values that are not JSON as strings", () => {
  assert.deepEqual(parseToolArgs(["name:=hello", "empty:=", "partial:={oops"]), {
    name: "hello",
    empty: "",
    partial: "{oops",
  });
});

Deno.test("parseToolArgs() splits at the first :=", () => {
  assert.deepEqual(parseToolArgs(["expr:=a:=b"]), { expr: "a:=b" });
});

Deno.test("parseToolArgs() lets a later duplicate key overwrite an earlier one", () => {
  assert.deepEqual(parseToolArgs(["a:=1", "a:=2"]), { a: 2 });
});

Deno.test("parseToolArgs() keeps a __proto__ key as plain data", () => {
  const result = parseToolArgs(["__proto__:=1"]);
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.deepEqual(Object.keys(result), ["__proto__"]);
});

Deno.test("parseToolArgs() passes values that look like options through", () => {
  assert.deepEqual(parseToolArgs(["flag:=-v"]), { flag: "-v" });
});

Deno.test("parseToolArgs() rejects an argument without :=", () => {
  const hint = "Use key:=value pairs or inline JSON.\n" +
    `Examples: name:=hello count:=10 enabled:=true '{"key":"value"}'`;
  assertUsageError(
    () => parseToolArgs(["key=value"]),
    `Invalid argument format: "key=value". ${hint}`,
  );
  assertUsageError(
    () => parseToolArgs(["a:=1", "bare"]),
    `Invalid argument format: "bare". ${hint}`,
  );
});

Deno.test("parseToolArgs() rejects an empty key", () => {
  assertUsageError(() => parseToolArgs([":=5"]), 'Invalid argument: ":=5" - missing key before :=');
});

Deno.test("parseToolArgs() returns an inline JSON object", () => {
  assert.deepEqual(parseToolArgs(['{"key":"value","n":2}']), { key: "value", n: 2 });
});

Deno.test("parseToolArgs() passes an inline JSON array through", () => {
  assert.deepEqual(parseToolArgs(['[1,"two"]']), [1, "two"]);
});

Deno.test("parseToolArgs() allows only one argument with inline JSON", () => {
  assertUsageError(
    () => parseToolArgs(['{"a":1}', "b:=2"]),
    "When using inline JSON, only one argument is allowed",
  );
});

Deno.test("parseToolArgs() rejects inline JSON that does not parse", () => {
  assertUsageError(() => parseToolArgs(["{a"]), /^Invalid JSON: \S/);
  assertUsageError(() => parseToolArgs(["[1,"]), /^Invalid JSON: \S/);
});

Deno.test("parseStdinArgs() returns an empty object for blank input", () => {
  assert.deepEqual(parseStdinArgs(""), {});
  assert.deepEqual(parseStdinArgs("  \n\t"), {});
});

Deno.test("parseStdinArgs() returns the JSON object", () => {
  assert.deepEqual(parseStdinArgs('{"a": 1, "b": [true]}\n'), { a: 1, b: [true] });
});

Deno.test("parseStdinArgs() rejects text that is not JSON", () => {
  assertUsageError(() => parseStdinArgs("hello"), /^Invalid JSON from stdin: \S/);
});

Deno.test("parseStdinArgs() rejects JSON that is not an object", () => {
  for (const text of ["[1]", "5", "null", '"text"', "true"]) {
    assertUsageError(() => parseStdinArgs(text), "Stdin must contain a JSON object");
  }
});

Deno.test("typedTextOf() keeps the typed text of values read as numbers, booleans or null", () => {
  assert.deepEqual(
    typedTextOf(["message:=42", "flag:=true", "none:=null", "text:=hi", "list:=[1]", "n:=1e3"]),
    { message: "42", flag: "true", none: "null", n: "1e3" },
  );
  assert.deepEqual(typedTextOf(["a:=1", "a:=x"]), {}, "a later value wins");
  assert.deepEqual(typedTextOf(['{"a":1}']), {}, "inline JSON is taken as written");
  assert.deepEqual(typedTextOf([]), {});
});

Deno.test("requireToolName() refuses empty and whitespace-only names as usage errors", () => {
  for (const name of ["", " ", "\t\n"]) {
    assert.throws(
      () => requireToolName(name, { command: "tools-call", session: "@s" }),
      (error: unknown) => {
        assert.ok(error instanceof McpcError);
        assert.equal(error.kind, "usage");
        assert.equal(error.exitCode, 1);
        assert.equal(
          error.message,
          `Invalid tool name for tools-call: ${JSON.stringify(name)} is empty or only whitespace`,
        );
        assert.equal(
          error.hint,
          "List the tools with: mcpc @s tools-list\nExample: mcpc @s tools-call <name>",
        );
        return true;
      },
    );
  }
});

Deno.test("requireToolName() accepts any name with a visible character", () => {
  for (const name of ["echo", " echo ", "a b", "-"]) {
    requireToolName(name, { command: "tools-get" });
  }
});
