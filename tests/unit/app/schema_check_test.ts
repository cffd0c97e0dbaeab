import assert from "node:assert/strict";
import {
  checkPrompt,
  checkTool,
  parsePromptSchemaFile,
  parseSchemaMode,
  parseToolSchemaFile,
  type Prompt,
  type SchemaCheck,
  schemaFailure,
  schemaFileNotFound,
  schemaFileUnreadable,
  schemaWarningLines,
} from "../../../src/app/schema_check.ts";
import { McpcError } from "../../../src/errors.ts";
import type { Tool } from "../../../src/mcp/types.ts";

const CLEAN: SchemaCheck = { errors: [], warnings: [] };

function searchTool(): Tool {
  return {
    name: "search",
    description: "Search the index",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: "What to look for" },
        limit: { type: "integer", minimum: 1 },
        sort: { type: "string", enum: ["asc", "desc"] },
      },
      required: ["query"],
    },
    outputSchema: {
      type: "object",
      properties: {
        hits: { type: "array", items: { type: "string" } },
        total: { type: "integer" },
      },
      required: ["hits"],
    },
  };
}

/** `searchTool()` with `change` applied to a deep copy. */
function changed(change: (tool: Tool & Record<string, unknown>) => void): Tool {
  const tool = structuredClone(searchTool()) as Tool & Record<string, unknown>;
  change(tool);
  return tool;
}

function props(schema: unknown): Record<string, Record<string, unknown>> {
  return (schema as { properties: Record<string, Record<string, unknown>> }).properties;
}

function greetingPrompt(): Prompt {
  return {
    name: "greeting",
    description: "Greets someone",
    arguments: [
      { name: "name", description: "Who to greet", required: true },
      { name: "style", description: "How to greet" },
    ],
  };
}

function assertUsageError(work: () => unknown, message: string): McpcError {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof McpcError, `expected an McpcError, got ${caught}`);
  assert.equal(caught.kind, "usage");
  assert.equal(caught.exitCode, 1);
  assert.equal(caught.message, message);
  return caught;
}

// --- parseSchemaMode -------------------------------------------------------

Deno.test("parseSchemaMode() accepts strict, compatible and ignore", () => {
  assert.equal(parseSchemaMode("strict"), "strict");
  assert.equal(parseSchemaMode("compatible"), "compatible");
  assert.equal(parseSchemaMode("ignore"), "ignore");
});

Deno.test("parseSchemaMode() rejects any other value with a usage error", () => {
  for (const text of ["loose", "Strict", ""]) {
    const error = assertUsageError(
      () => parseSchemaMode(text),
      `Invalid --schema-mode value: "${text}". Valid modes are: strict, compatible, ignore`,
    );
    assert.equal(error.userInput, true);
  }
});

// --- schema file errors ----------------------------------------------------

Deno.test("schemaFileNotFound() and schemaFileUnreadable() word the file errors", () => {
  const missing = schemaFileNotFound("/tmp/x.json");
  assert.equal(missing.kind, "usage");
  assert.equal(missing.message, "Schema file not found: /tmp/x.json");
  const cause = new Error("Permission denied (os error 13)");
  const unreadable = schemaFileUnreadable("/tmp/x.json", cause);
  assert.equal(unreadable.kind, "usage");
  assert.equal(unreadable.message, "Failed to read schema file: Permission denied (os error 13)");
  assert.equal(unreadable.cause, cause);
  assert.equal(
    schemaFileUnreadable("/tmp/x.json", "odd").message,
    "Failed to read schema file: odd",
  );
});

Deno.test("parseToolSchemaFile() returns the tool saved by tools-get --json", () => {
  const tool = searchTool();
  assert.deepEqual(parseToolSchemaFile(JSON.stringify(tool, null, 2), "t.json"), tool);
});

Deno.test("parseToolSchemaFile() accepts a schema that declares draft-07", () => {
  const text = JSON.stringify({
    name: "t",
    inputSchema: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { a: { type: "string" } },
    },
  });
  assert.equal(parseToolSchemaFile(text, "t.json").name, "t");
});

Deno.test("parseToolSchemaFile() rejects text that is not JSON", () => {
  assertUsageError(
    () => parseToolSchemaFile("not valid json", "/tmp/t.json"),
    "Invalid JSON in schema file: /tmp/t.json",
  );
});

Deno.test("parseToolSchemaFile() rejects JSON that is not a tool", () => {
  for (
    const value of [
      [searchTool()],
      "search",
      null,
      { name: "search" },
      { inputSchema: { type: "object" } },
      { name: 3, inputSchema: { type: "object" } },
      { name: "search", inputSchema: "object" },
    ]
  ) {
    assertUsageError(
      () => parseToolSchemaFile(JSON.stringify(value), "t.json"),
      'Schema file t.json is not a tool definition (expected an object with "name" and "inputSchema")',
    );
  }
});

Deno.test("parseToolSchemaFile() rejects an inputSchema ajv cannot compile", () => {
  const text = JSON.stringify({ name: "t", inputSchema: { type: "object", properties: 3 } });
  assertUsageError(
    () => parseToolSchemaFile(text, "t.json"),
    "Schema file t.json: inputSchema is not a valid JSON Schema: schema is invalid: data/properties must be object",
  );
});

Deno.test("parseToolSchemaFile() rejects an outputSchema ajv cannot compile", () => {
  const text = JSON.stringify({
    name: "t",
    inputSchema: { type: "object" },
    outputSchema: { type: "object", $ref: "#/$defs/missing" },
  });
  assert.throws(
    () => parseToolSchemaFile(text, "t.json"),
    (error: unknown) =>
      error instanceof McpcError && error.kind === "usage" &&
      error.message.startsWith(
        "Schema file t.json: outputSchema is not a valid JSON Schema: can't resolve reference",
      ),
  );
  const typo = JSON.stringify({
    name: "t",
    inputSchema: { type: "object" },
    outputSchema: { type: "objekt" },
  });
  assert.throws(
    () => parseToolSchemaFile(typo, "t.json"),
    /^McpcError: Schema file t\.json: outputSchema is not a valid JSON Schema: schema is invalid/,
  );
});

Deno.test("parsePromptSchemaFile() returns the prompt saved from prompts-list --json", () => {
  const prompt = greetingPrompt();
  assert.deepEqual(parsePromptSchemaFile(JSON.stringify(prompt), "p.json"), prompt);
  assert.deepEqual(parsePromptSchemaFile('{"name":"bare"}', "p.json"), { name: "bare" });
});

Deno.test("parsePromptSchemaFile() rejects invalid JSON, non-prompts and bad arguments", () => {
  assertUsageError(
    () => parsePromptSchemaFile("{", "p.json"),
    "Invalid JSON in schema file: p.json",
  );
  for (const value of [[greetingPrompt()], { description: "x" }, { name: 1 }]) {
    assertUsageError(
      () => parsePromptSchemaFile(JSON.stringify(value), "p.json"),
      'Schema file p.json is not a prompt definition (expected an object with "name")',
    );
  }
  for (const args of [{}, ["name"], [{ description: "no name" }]]) {
    assertUsageError(
      () => parsePromptSchemaFile(JSON.stringify({ name: "g", arguments: args }), "p.json"),
      'Schema file p.json: "arguments" must be an array of objects with a "name"',
    );
  }
});

// --- checkTool: ignore -----------------------------------------------------

Deno.test("checkTool() in ignore mode reports nothing, whatever changed", () => {
  const other: Tool = { name: "other", inputSchema: { type: "object", required: ["x"] } };
  assert.deepEqual(checkTool(searchTool(), other, { mode: "ignore" }), CLEAN);
  assert.deepEqual(
    checkTool(searchTool(), other, { mode: "ignore", args: { limit: "x" } }),
    CLEAN,
  );
});

// --- checkTool: strict -----------------------------------------------------

Deno.test("checkTool() in strict mode passes an equal tool regardless of key order", () => {
  const reordered: Tool = {
    outputSchema: {
      required: ["hits"],
      properties: {
        total: { type: "integer" },
        hits: { items: { type: "string" }, type: "array" },
      },
      type: "object",
    },
    inputSchema: {
      required: ["query"],
      properties: {
        sort: { enum: ["asc", "desc"], type: "string" },
        limit: { minimum: 1, type: "integer" },
        query: { description: "What to look for", type: "string" },
      },
      type: "object",
    },
    description: "Search the index",
    name: "search",
  };
  assert.deepEqual(checkTool(searchTool(), reordered, { mode: "strict" }), CLEAN);
});

Deno.test("checkTool() in strict mode reports a name mismatch", () => {
  const actual = changed((tool) => tool.name = "find");
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "strict" }).errors, [
    'Tool name mismatch: expected "search", got "find"',
  ]);
});

Deno.test("checkTool() in strict mode reports a description mismatch as an error", () => {
  const actual = changed((tool) => tool.description = "Search\nit");
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "strict" }), {
    errors: ['Description mismatch: expected "Search the index", got "Search\\nit"'],
    warnings: [],
  });
  const none = changed((tool) => delete tool.description);
  assert.deepEqual(checkTool(searchTool(), none, { mode: "strict" }).errors, [
    'Description mismatch: expected "Search the index", got no description',
  ]);
});

Deno.test("checkTool() in strict mode reports any input schema difference", () => {
  const actual = changed((tool) => props(tool.inputSchema).limit.minimum = 0);
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "strict" }).errors, [
    'Input schema does not match exactly (first difference at "properties.limit.minimum")',
  ]);
  const reorderedEnum = changed((tool) => props(tool.inputSchema).sort.enum = ["desc", "asc"]);
  assert.deepEqual(checkTool(searchTool(), reorderedEnum, { mode: "strict" }).errors, [
    'Input schema does not match exactly (first difference at "properties.sort.enum[0]")',
  ]);
});

Deno.test("checkTool() in strict mode reports any output schema difference", () => {
  const removed = changed((tool) => delete tool.outputSchema);
  assert.deepEqual(checkTool(searchTool(), removed, { mode: "strict" }).errors, [
    "Output schema does not match exactly",
  ]);
  const retyped = changed((tool) => props(tool.outputSchema).total.type = "number");
  assert.deepEqual(checkTool(searchTool(), retyped, { mode: "strict" }).errors, [
    'Output schema does not match exactly (first difference at "properties.total.type")',
  ]);
});

Deno.test("checkTool() in strict mode validates args against the current schema", () => {
  assert.deepEqual(
    checkTool(searchTool(), searchTool(), { mode: "strict", args: { limit: 2 } }).errors,
    ['Argument "query" is required by the current schema'],
  );
});

// --- checkTool: compatible, input ------------------------------------------

Deno.test("checkTool() in compatible mode passes an unchanged tool", () => {
  assert.deepEqual(checkTool(searchTool(), searchTool(), { mode: "compatible" }), CLEAN);
  assert.deepEqual(
    checkTool(searchTool(), searchTool(), { mode: "compatible", args: { query: "q" } }),
    CLEAN,
  );
});

Deno.test("checkTool() in compatible mode reports a name mismatch", () => {
  const actual = changed((tool) => tool.name = "find");
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    'Tool name mismatch: expected "search", got "find"',
  ]);
});

Deno.test("checkTool() in compatible mode warns about a description change", () => {
  const actual = changed((tool) => tool.description = "Find things");
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }), {
    errors: [],
    warnings: ['Description changed: expected "Search the index", got "Find things"'],
  });
});

Deno.test("checkTool() in compatible mode ignores differences strict mode reports", () => {
  const actual = changed((tool) => {
    props(tool.inputSchema).limit.minimum = 0;
    props(tool.inputSchema).query.description = "Query text";
  });
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }), CLEAN);
});

Deno.test("checkTool() in compatible mode fails on a new required field not passed", () => {
  const actual = changed((tool) => {
    props(tool.inputSchema).index = { type: "string" };
    tool.inputSchema.required = ["query", "index"];
  });
  const expected = 'New required field "index" added (breaking change)';
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [expected]);
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q" } }).errors,
    [expected],
  );
});

Deno.test("checkTool() in compatible mode accepts a new required field that is passed", () => {
  const actual = changed((tool) => {
    props(tool.inputSchema).index = { type: "string" };
    tool.inputSchema.required = ["query", "index"];
  });
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q", index: "i" } }),
    CLEAN,
  );
});

Deno.test("checkTool() in compatible mode fails on an optional field becoming required", () => {
  const actual = changed((tool) => tool.inputSchema.required = ["query", "limit"]);
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    'New required field "limit" added (breaking change)',
  ]);
});

Deno.test("checkTool() in compatible mode fails when a passed argument was removed", () => {
  const actual = changed((tool) => delete props(tool.inputSchema).limit);
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q", limit: 3 } }),
    { errors: ['Argument "limit" no longer exists in schema'], warnings: [] },
  );
});

Deno.test("checkTool() in compatible mode with args ignores removed arguments not passed", () => {
  const actual = changed((tool) => delete props(tool.inputSchema).limit);
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q" } }),
    CLEAN,
  );
});

Deno.test("checkTool() in compatible mode fails when a passed argument changed type", () => {
  const actual = changed((tool) => props(tool.inputSchema).limit.type = "string");
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q", limit: "3" } })
      .errors,
    ['Argument "limit" type changed: expected "integer", got "string"'],
  );
});

Deno.test("checkTool() in compatible mode treats type lists as sets", () => {
  const before = changed((tool) => props(tool.inputSchema).limit.type = ["integer", "null"]);
  const after = changed((tool) => props(tool.inputSchema).limit.type = ["null", "integer"]);
  assert.deepEqual(checkTool(before, after, { mode: "compatible" }), CLEAN);
  const widened = changed((tool) => props(tool.inputSchema).limit.type = ["integer", "string"]);
  assert.deepEqual(checkTool(searchTool(), widened, { mode: "compatible" }).errors, [
    'Property "limit" type changed: expected "integer", got ["integer","string"]',
  ]);
  const untyped = changed((tool) => delete props(tool.inputSchema).limit.type);
  assert.deepEqual(checkTool(searchTool(), untyped, { mode: "compatible" }).errors, [
    'Property "limit" type changed: expected "integer", got none',
  ]);
});

Deno.test("checkTool() in compatible mode without args fails on a missing property", () => {
  const actual = changed((tool) => delete props(tool.inputSchema).sort);
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }), {
    errors: ['Property "sort" is missing from input schema'],
    warnings: [],
  });
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: {} }).errors,
    [
      'Property "sort" is missing from input schema',
      'Argument "query" is required by the current schema',
    ],
  );
});

Deno.test("checkTool() in compatible mode without args fails on a changed property type", () => {
  const actual = changed((tool) => props(tool.inputSchema).query.type = "array");
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    'Property "query" type changed: expected "string", got "array"',
  ]);
});

Deno.test("checkTool() in compatible mode without args fails on required becoming optional", () => {
  const actual = changed((tool) => tool.inputSchema.required = []);
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    'Required field "query" is no longer required',
  ]);
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q" } }),
    CLEAN,
  );
});

Deno.test("checkTool() reports a removed required property once", () => {
  const actual = changed((tool) => {
    delete props(tool.inputSchema).query;
    tool.inputSchema.required = [];
  });
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    'Property "query" is missing from input schema',
  ]);
});

Deno.test("checkTool() in compatible mode warns about a new optional field", () => {
  const actual = changed((tool) => props(tool.inputSchema).offset = { type: "integer" });
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }), {
    errors: [],
    warnings: ['New optional field "offset" added'],
  });
});

Deno.test("checkTool() in compatible mode fails when the input schema was removed", () => {
  const actual = changed((tool) => delete (tool as Record<string, unknown>).inputSchema);
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    "Input schema was removed",
  ]);
});

// --- checkTool: compatible, output -----------------------------------------

Deno.test("checkTool() in compatible mode fails when an output field was removed", () => {
  const actual = changed((tool) => delete props(tool.outputSchema).total);
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    'Output field "total" was removed (caller expects this field)',
  ]);
});

Deno.test("checkTool() in compatible mode fails when an output field changed type", () => {
  const actual = changed((tool) => props(tool.outputSchema).total.type = "string");
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }).errors, [
    'Output field "total" type changed: expected "integer", got "string"',
  ]);
});

Deno.test("checkTool() in compatible mode fails when the output schema was removed", () => {
  const actual = changed((tool) => delete tool.outputSchema);
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }), {
    errors: ["Output schema was removed"],
    warnings: [],
  });
});

Deno.test("checkTool() in compatible mode warns when an output schema was added", () => {
  const expected = changed((tool) => delete tool.outputSchema);
  assert.deepEqual(checkTool(expected, searchTool(), { mode: "compatible" }), {
    errors: [],
    warnings: ["Output schema was added"],
  });
});

Deno.test("checkTool() in compatible mode warns about new and re-required output fields", () => {
  const actual = changed((tool) => {
    props(tool.outputSchema).took = { type: "number" };
    tool.outputSchema!.required = ["total"];
  });
  assert.deepEqual(checkTool(searchTool(), actual, { mode: "compatible" }), {
    errors: [],
    warnings: [
      'Output field "hits" is no longer required',
      'Output field "total" is now required',
      'New output field "took" added',
    ],
  });
});

// --- checkTool: argument validation with ajv -------------------------------

Deno.test("checkTool() validates passed args against the current input schema", () => {
  const check = checkTool(searchTool(), searchTool(), {
    mode: "compatible",
    args: { query: 3, limit: 2.5, sort: "up" },
  });
  assert.deepEqual(check.errors, [
    'Argument "query" must be string',
    'Argument "limit" must be integer',
    'Argument "sort" must be equal to one of the allowed values: "asc", "desc"',
  ]);
});

Deno.test("checkTool() validates args against the current schema, not the saved one", () => {
  const actual = changed((tool) => props(tool.inputSchema).limit.maximum = 10);
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q", limit: 50 } })
      .errors,
    ['Argument "limit" must be <= 10'],
  );
  assert.deepEqual(
    checkTool(actual, searchTool(), { mode: "compatible", args: { query: "q", limit: 50 } }),
    CLEAN,
  );
});

Deno.test("checkTool() reports a missing required argument", () => {
  assert.deepEqual(
    checkTool(searchTool(), searchTool(), { mode: "compatible", args: { limit: 1 } }).errors,
    ['Argument "query" is required by the current schema'],
  );
});

Deno.test("checkTool() names nested argument paths", () => {
  const tool: Tool = {
    name: "t",
    inputSchema: {
      type: "object",
      properties: {
        filter: {
          type: "object",
          properties: { tags: { type: "array", items: { type: "string" } } },
          required: ["field"],
        },
      },
    },
  };
  assert.deepEqual(
    checkTool(tool, tool, { mode: "compatible", args: { filter: { tags: ["a", 2] } } }).errors,
    [
      'Argument "filter.field" is required by the current schema',
      'Argument "filter.tags[1]" must be string',
    ],
  );
});

Deno.test("checkTool() reports an argument the current schema does not allow", () => {
  const closed = changed((tool) => tool.inputSchema.additionalProperties = false);
  assert.deepEqual(
    checkTool(closed, closed, { mode: "compatible", args: { query: "q", extra: 1 } }).errors,
    ['Argument "extra" is not allowed by the current schema'],
  );
  const closedWithoutLimit = changed((tool) => {
    tool.inputSchema.additionalProperties = false;
    delete props(tool.inputSchema).limit;
  });
  assert.deepEqual(
    checkTool(searchTool(), closedWithoutLimit, {
      mode: "compatible",
      args: { query: "q", limit: 1 },
    }).errors,
    ['Argument "limit" no longer exists in schema'],
  );
});

Deno.test("checkTool() does not report a new required field twice", () => {
  const actual = changed((tool) => tool.inputSchema.required = ["query", "limit"]);
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q" } }).errors,
    ['New required field "limit" added (breaking change)'],
  );
});

Deno.test("checkTool() reports a root-level rule of the current schema", () => {
  const actual = changed((tool) => tool.inputSchema.minProperties = 2);
  assert.deepEqual(
    checkTool(searchTool(), actual, { mode: "compatible", args: { query: "q" } }).errors,
    ["Arguments must NOT have fewer than 2 properties"],
  );
});

Deno.test("checkTool() validates against a current schema that declares draft-07", () => {
  const actual = changed((tool) =>
    tool.inputSchema.$schema = "http://json-schema.org/draft-07/schema#"
  );
  assert.deepEqual(
    checkTool(actual, actual, { mode: "compatible", args: { query: 1 } }).errors,
    ['Argument "query" must be string'],
  );
});

Deno.test("checkTool() reports a current input schema ajv cannot compile", () => {
  const broken = changed((tool) => props(tool.inputSchema).limit.type = "int");
  assert.deepEqual(
    checkTool(broken, broken, { mode: "compatible", args: { query: "q" } }).errors.map((error) =>
      error.split(":")[0]
    ),
    ['Current inputSchema of tool "search" cannot be compiled'],
  );
  assert.deepEqual(checkTool(broken, broken, { mode: "compatible" }), CLEAN);
});

Deno.test("checkTool() does not validate args in ignore mode or without args", () => {
  assert.deepEqual(
    checkTool(searchTool(), searchTool(), { mode: "ignore", args: { query: 3 } }),
    CLEAN,
  );
  assert.deepEqual(checkTool(searchTool(), searchTool(), { mode: "strict" }), CLEAN);
});

// --- checkPrompt -----------------------------------------------------------

function changedPrompt(change: (prompt: Prompt) => void): Prompt {
  const prompt = structuredClone(greetingPrompt());
  change(prompt);
  return prompt;
}

Deno.test("checkPrompt() in ignore mode reports nothing", () => {
  assert.deepEqual(
    checkPrompt(greetingPrompt(), { name: "other", arguments: [{ name: "x", required: true }] }, {
      mode: "ignore",
      args: { y: "1" },
    }),
    CLEAN,
  );
});

Deno.test("checkPrompt() in strict mode passes equal prompts in any argument order", () => {
  const actual = changedPrompt((prompt) => prompt.arguments!.reverse());
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "strict" }), CLEAN);
  const explicit = changedPrompt((prompt) => prompt.arguments![1].required = false);
  assert.deepEqual(checkPrompt(greetingPrompt(), explicit, { mode: "strict" }), CLEAN);
  assert.deepEqual(
    checkPrompt({ name: "p" }, { name: "p", arguments: [] }, { mode: "strict" }),
    CLEAN,
  );
});

Deno.test("checkPrompt() in strict mode reports name, description and argument changes", () => {
  const actual = changedPrompt((prompt) => {
    prompt.name = "hello";
    prompt.description = "Says hello";
    prompt.arguments![1].description = "Tone";
  });
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "strict" }), {
    errors: [
      'Prompt name mismatch: expected "greeting", got "hello"',
      'Description mismatch: expected "Greets someone", got "Says hello"',
      "Arguments do not match exactly",
    ],
    warnings: [],
  });
});

Deno.test("checkPrompt() in strict mode checks passed args against the current prompt", () => {
  assert.deepEqual(
    checkPrompt(greetingPrompt(), greetingPrompt(), { mode: "strict", args: { mood: "x" } })
      .errors,
    [
      'Argument "mood" does not exist in prompt',
      'Argument "name" is required by the current prompt',
    ],
  );
});

Deno.test("checkPrompt() in compatible mode passes an unchanged prompt", () => {
  assert.deepEqual(checkPrompt(greetingPrompt(), greetingPrompt(), { mode: "compatible" }), CLEAN);
  assert.deepEqual(
    checkPrompt(greetingPrompt(), greetingPrompt(), { mode: "compatible", args: { name: "A" } }),
    CLEAN,
  );
});

Deno.test("checkPrompt() in compatible mode reports a name mismatch", () => {
  const actual = changedPrompt((prompt) => prompt.name = "hello");
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "compatible" }).errors, [
    'Prompt name mismatch: expected "greeting", got "hello"',
  ]);
});

Deno.test("checkPrompt() in compatible mode warns about a description change", () => {
  const actual = changedPrompt((prompt) => delete prompt.description);
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "compatible" }), {
    errors: [],
    warnings: ['Description changed: expected "Greets someone", got no description'],
  });
});

Deno.test("checkPrompt() in compatible mode fails on a new required argument not passed", () => {
  const actual = changedPrompt((prompt) =>
    prompt.arguments!.push({ name: "lang", required: true })
  );
  const error = 'New required argument "lang" added (breaking change)';
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "compatible" }).errors, [error]);
  assert.deepEqual(
    checkPrompt(greetingPrompt(), actual, { mode: "compatible", args: { name: "A" } }).errors,
    [error],
  );
  assert.deepEqual(
    checkPrompt(greetingPrompt(), actual, {
      mode: "compatible",
      args: { name: "A", lang: "en" },
    }),
    CLEAN,
  );
});

Deno.test("checkPrompt() in compatible mode fails when a passed argument was removed", () => {
  const actual = changedPrompt((prompt) => prompt.arguments!.pop());
  assert.deepEqual(
    checkPrompt(greetingPrompt(), actual, {
      mode: "compatible",
      args: { name: "A", style: "warm" },
    }).errors,
    ['Argument "style" no longer exists in prompt'],
  );
  assert.deepEqual(
    checkPrompt(greetingPrompt(), actual, { mode: "compatible", args: { name: "A" } }),
    CLEAN,
  );
});

Deno.test("checkPrompt() in compatible mode fails when a required argument is not passed", () => {
  assert.deepEqual(
    checkPrompt(greetingPrompt(), greetingPrompt(), { mode: "compatible", args: { style: "x" } })
      .errors,
    ['Argument "name" is required by the current prompt'],
  );
});

Deno.test("checkPrompt() in compatible mode without args fails on a missing argument", () => {
  const actual = changedPrompt((prompt) => prompt.arguments!.pop());
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "compatible" }), {
    errors: ['Argument "style" is missing from prompt'],
    warnings: [],
  });
});

Deno.test("checkPrompt() in compatible mode warns when a required argument became optional", () => {
  const actual = changedPrompt((prompt) => prompt.arguments![0].required = false);
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "compatible" }), {
    errors: [],
    warnings: ['Required argument "name" is no longer required'],
  });
});

Deno.test("checkPrompt() in compatible mode warns about a new optional argument", () => {
  const actual = changedPrompt((prompt) => prompt.arguments!.push({ name: "emoji" }));
  assert.deepEqual(checkPrompt(greetingPrompt(), actual, { mode: "compatible" }), {
    errors: [],
    warnings: ['New optional argument "emoji" added'],
  });
});

// --- schemaFailure and schemaWarningLines ----------------------------------

Deno.test("schemaFailure() lists the errors under a headline", () => {
  const check = { errors: ["First problem", "Second problem"], warnings: [] };
  const error = schemaFailure("tool", "search", check);
  assert.ok(error instanceof McpcError);
  assert.equal(error.kind, "usage");
  assert.equal(error.exitCode, 1);
  assert.equal(error.userInput, true);
  assert.equal(
    error.message,
    'Schema validation failed for tool "search":\n  - First problem\n  - Second problem',
  );
});

Deno.test("schemaFailure() appends the warnings after the errors", () => {
  const error = schemaFailure("prompt", "greeting", {
    errors: ["Broken"],
    warnings: ["Changed", "Added"],
  });
  assert.equal(
    error.message,
    'Schema validation failed for prompt "greeting":\n  - Broken\nWarnings:\n  - Changed\n  - Added',
  );
});

Deno.test("schemaWarningLines() prefixes each warning", () => {
  assert.deepEqual(
    schemaWarningLines({ errors: [], warnings: ['New optional field "x" added', "Other"] }),
    ['⚠ Schema warning: New optional field "x" added', "⚠ Schema warning: Other"],
  );
  assert.deepEqual(schemaWarningLines(CLEAN), []);
});
