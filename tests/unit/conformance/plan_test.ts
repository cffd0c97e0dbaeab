import assert from "node:assert/strict";
import { planCalls, planSkillPulls, sampleArguments } from "../../conformance/plan.ts";

Deno.test("sampleArguments() fills required properties by type and leaves optional ones out", () => {
  assert.deepEqual(
    sampleArguments({
      type: "object",
      properties: {
        a: { type: "number" },
        b: { type: "integer" },
        s: { type: "string" },
        flag: { type: "boolean" },
        list: { type: "array" },
        nested: { type: "object", properties: { x: { type: "string" } }, required: ["x"] },
        choice: { enum: ["red", "blue"] },
        optional: { type: "string" },
      },
      required: ["a", "b", "s", "flag", "list", "nested", "choice"],
    }),
    { a: 1, b: 1, s: "sample", flag: true, list: [], nested: { x: "sample" }, choice: "red" },
  );
  assert.deepEqual(sampleArguments(undefined), {});
  assert.deepEqual(sampleArguments({ type: "object", properties: {} }), {});
});

Deno.test("planCalls() calls every listed tool once by default", () => {
  const tools = [
    {
      name: "add_numbers",
      inputSchema: { type: "object", properties: { a: { type: "number" } }, required: ["a"] },
    },
    { name: "ping" },
  ];
  assert.deepEqual(planCalls("tools_call", tools), [
    { name: "add_numbers", arguments: { a: 1 } },
    { name: "ping", arguments: {} },
  ]);
});

Deno.test("planCalls() makes the calls the scenario context names", () => {
  const context = {
    name: "http-custom-headers",
    toolCalls: [{ name: "t", arguments: { region: " padded " } }, { name: "u" }, { bad: 1 }],
  };
  assert.deepEqual(planCalls("http-custom-headers", [{ name: "other" }], { context }), [
    { name: "t", arguments: { region: " padded " } },
    { name: "u", arguments: {} },
  ]);
});

Deno.test("planCalls() echoes the focal schema for json-schema-2020-12-preservation", () => {
  const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", $defs: {} };
  assert.deepEqual(
    planCalls("json-schema-2020-12-preservation", [
      { name: "json_schema_2020_12_tool", inputSchema: schema },
      { name: "json_schema_echo", inputSchema: { type: "object" } },
    ]),
    [{ name: "json_schema_echo", arguments: { schema } }],
  );
});

Deno.test("planCalls() only lists for json-schema-ref-no-deref", () => {
  assert.deepEqual(planCalls("json-schema-ref-no-deref", [{ name: "lookup_user" }]), []);
});

Deno.test("planSkillPulls() pulls each listed skill, by URI where names collide", () => {
  const skill = (uri: string, name: string) => ({ uri, frontmatter: { name } });
  assert.deepEqual(
    planSkillPulls("sep-2640-client-verify-digest", [
      skill("skill://pdf-processing/SKILL.md", "pdf-processing"),
      skill("skill://a/refunds/SKILL.md", "refunds"),
      skill("skill://b/refunds/SKILL.md", "refunds"),
    ]),
    ["pdf-processing", "skill://a/refunds/SKILL.md", "skill://b/refunds/SKILL.md"],
  );
});

Deno.test("planSkillPulls() only lists for sep-2640-client-no-prefetch", () => {
  const listed = [{
    uri: "skill://pdf-processing/SKILL.md",
    frontmatter: { name: "pdf-processing" },
  }];
  assert.deepEqual(planSkillPulls("sep-2640-client-no-prefetch", listed), []);
});
