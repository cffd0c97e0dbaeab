import assert from "node:assert/strict";
import { allowedTypes, applyStringSchema } from "../../../src/mcp/argument_coercion.ts";

const SCHEMA = {
  type: "object",
  properties: {
    message: { type: "string" },
    count: { type: "number" },
    whole: { type: "integer" },
    flag: { type: "boolean" },
    maybe: { type: ["string", "null"] },
    either: { anyOf: [{ type: "string" }, { type: "number" }] },
    color: { enum: ["red", "42"] },
    options: {
      type: "object",
      properties: { label: { type: "string" }, depth: { type: "integer" } },
    },
    anything: {},
    ref: { $ref: "#/definitions/x" },
  },
};

Deno.test("applyStringSchema() sends a number, boolean or null as typed where the schema wants a string", () => {
  assert.deepEqual(
    applyStringSchema(
      { message: 42, color: 42, either: true },
      { message: "42", color: "42", either: "true" },
      SCHEMA,
    ),
    { message: "42", color: "42", either: "true" },
  );
  assert.deepEqual(applyStringSchema({ message: null }, { message: "null" }, SCHEMA), {
    message: "null",
  });
  assert.deepEqual(applyStringSchema({ message: false }, { message: "false" }, SCHEMA), {
    message: "false",
  });
  assert.deepEqual(applyStringSchema({ message: 1e3 }, { message: "1e3" }, SCHEMA), {
    message: "1e3",
  }, "the exact text, not the number re-printed");
});

Deno.test("applyStringSchema() keeps numbers, booleans and null where the schema allows them", () => {
  const args = { count: 2.5, whole: 3, flag: true, maybe: null, either: 7 };
  const typed = { count: "2.5", whole: "3", flag: "true", maybe: "null", either: "7" };
  assert.deepEqual(applyStringSchema(args, typed, SCHEMA), args);
  assert.deepEqual(applyStringSchema({ count: 3 }, { count: "3" }, SCHEMA), { count: 3 });
});

Deno.test("applyStringSchema() keeps the original behaviour where the schema does not type a property", () => {
  const args = { anything: 5, ref: true, unknown: 9 };
  assert.deepEqual(
    applyStringSchema(args, { anything: "5", ref: "true", unknown: "9" }, SCHEMA),
    args,
  );
  assert.deepEqual(applyStringSchema({ message: 1 }, { message: "1" }, undefined), { message: 1 });
  assert.deepEqual(applyStringSchema({ message: 1 }, undefined, SCHEMA), { message: 1 });
});

Deno.test("applyStringSchema() leaves nested values as the user wrote them", () => {
  const args = { options: { label: 42, depth: 1 } };
  // Only key:=value text is listed in typedText; an object value never is.
  assert.deepEqual(applyStringSchema(args, {}, SCHEMA), args);
  assert.deepEqual(
    applyStringSchema(args, { options: '{"label":42,"depth":1}' }, SCHEMA),
    args,
    "an object where an object is wanted stays",
  );
});

Deno.test("applyStringSchema() does not change its input", () => {
  const args = { message: 42 };
  applyStringSchema(args, { message: "42" }, SCHEMA);
  assert.deepEqual(args, { message: 42 });
});

Deno.test("allowedTypes() reads type, type arrays, enum, const and anyOf/oneOf", () => {
  assert.deepEqual(allowedTypes({ type: "string" }), new Set(["string"]));
  assert.deepEqual(allowedTypes({ type: ["string", "null"] }), new Set(["string", "null"]));
  assert.deepEqual(allowedTypes({ enum: ["a", 1, null] }), new Set(["string", "integer", "null"]));
  assert.deepEqual(allowedTypes({ const: true }), new Set(["boolean"]));
  assert.deepEqual(
    allowedTypes({ oneOf: [{ type: "string" }, { enum: [1.5] }] }),
    new Set(["string", "number"]),
  );
  assert.equal(allowedTypes({ anyOf: [{ type: "string" }, {}] }), undefined);
  assert.equal(allowedTypes({}), undefined);
  assert.equal(allowedTypes("nope"), undefined);
});
