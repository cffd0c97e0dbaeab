import assert from "node:assert/strict";
import type { Tool } from "../../../../src/mcp/types.ts";
import {
  renderToolDetail,
  renderToolGet,
  renderToolsCompact,
  renderToolsFull,
  renderToolsSummary,
} from "../../../../src/render/human/tools.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";

const plain = createTheme(false);

function tool(name: string, extra: Partial<Tool> = {}): Tool {
  return { name, inputSchema: { type: "object" }, ...extra };
}

const echo = tool("echo", {
  description: "Echoes the message back",
  inputSchema: {
    type: "object",
    properties: { message: { type: "string", description: "Text to echo" } },
    required: ["message"],
  },
  annotations: { readOnlyHint: true },
});

function summaryLine(t: Tool): string {
  return renderToolsSummary([t], plain).split("\n")[1];
}

Deno.test("renderToolsCompact() lists tools and points at the full views", () => {
  assert.equal(
    renderToolsCompact([echo, tool("noop")], "@s", plain),
    [
      "Tools (2):",
      "* `echo (message:str)` [read-only]",
      "* `noop ()`",
      "",
      "For full tool details and schema, run `mcpc @s tools-list --full` or `mcpc @s tools-get <name>`",
    ].join("\n"),
  );
});

Deno.test("renderToolsSummary() puts required params first and cuts after 3 with …", () => {
  const t = tool("many", {
    inputSchema: {
      type: "object",
      properties: {
        a: { type: "string" },
        b: { type: "number" },
        c: { type: "integer" },
        d: { type: "boolean" },
      },
      required: ["c", "d"],
    },
  });
  assert.equal(summaryLine(t), "* `many (c:int, d:bool, a?:str, …)`");
});

Deno.test("renderToolsSummary() does not add … for exactly 3 params", () => {
  const t = tool("three", {
    inputSchema: {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" }, c: { type: "string" } },
    },
  });
  assert.equal(summaryLine(t), "* `three (a?:str, b?:str, c?:str)`");
});

Deno.test("renderToolsSummary() uses short type names", () => {
  const t = tool("types", {
    inputSchema: {
      type: "object",
      properties: {
        o: { type: "object" },
        l: { type: "array", items: { type: "string" } },
        e: { type: "string", enum: ["a", "b"] },
      },
      required: ["o", "l", "e"],
    },
  });
  assert.equal(summaryLine(t), "* `types (o:obj, l:[str], e:enum)`");
  const more = tool("more", {
    inputSchema: {
      type: "object",
      properties: {
        u: { type: ["string", "null"] },
        m: { type: ["string", "number"] },
        x: {},
      },
      required: ["u", "m", "x"],
    },
  });
  assert.equal(summaryLine(more), "* `more (u:str, m:str | num, x:any)`");
  const variants = tool("variants", {
    inputSchema: {
      type: "object",
      properties: {
        v: { anyOf: [{ type: "integer" }, { type: "null" }] },
        a: { type: "array" },
      },
      required: ["v", "a"],
    },
  });
  assert.equal(summaryLine(variants), "* `variants (v:int, a:[any])`");
});

Deno.test("renderToolsSummary() shows hints, destructive only when not read-only", () => {
  const t = tool("danger", {
    annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: true },
    execution: { taskSupport: "optional" },
  });
  assert.equal(
    summaryLine(t),
    "* `danger ()` [destructive, idempotent, open-world, task:optional]",
  );
  const both = tool("both", {
    annotations: { readOnlyHint: true, destructiveHint: true },
    execution: { taskSupport: "forbidden" },
  });
  assert.equal(summaryLine(both), "* `both ()` [read-only]");
  const required = tool("req", { execution: { taskSupport: "required" } });
  assert.equal(summaryLine(required), "* `req ()` [task:required]");
});

Deno.test("renderToolDetail() shows title, hints, inputs, output and description", () => {
  const t = tool("search", {
    description: "Searches things\nacross lines",
    annotations: { title: "Search things", readOnlyHint: true },
    inputSchema: {
      type: "object",
      properties: {
        limit: { type: "integer", default: 10, description: "Max results" },
        query: { type: "string", description: "What to find" },
        tags: { type: "array", items: { type: "string" } },
        filter: { type: "object", properties: { x: { type: "string" } } },
        mode: { enum: ["fast", "slow"] },
        level: { type: "string", enum: ["a", "b", "c", "d", "e", "f"] },
        nullable: { type: ["string", "null"] },
        choice: { oneOf: [{ type: "string" }, { type: "number" }] },
        blob: {},
      },
      required: ["query"],
    },
    outputSchema: {
      type: "object",
      properties: { count: { type: "number" } },
      required: ["count"],
    },
  });
  assert.equal(
    renderToolDetail(t, plain),
    [
      "# Search things",
      "Tool: `search` [read-only]",
      "",
      "Input:",
      "* `query`: string [required] - What to find",
      "* `limit`: integer (default: 10) - Max results",
      "* `tags`: array<string>",
      "* `filter`: object",
      "  * `x`: string",
      '* `mode`: "fast" | "slow"',
      "* `level`: enum(6 values)",
      "* `nullable`: string | null",
      "* `choice`: string | number",
      "* `blob`: any",
      "",
      "Output:",
      "* `count`: number [required]",
      "",
      "Description:",
      "````",
      "Searches things\nacross lines",
      "````",
    ].join("\n"),
  );
});

Deno.test("renderToolDetail() shows (none) for no inputs and skips absent sections", () => {
  assert.equal(renderToolDetail(tool("noop"), plain), "Tool: `noop`\n\nInput:\n* (none)");
});

Deno.test("renderToolsFull() follows the summary with --- and each detail view", () => {
  assert.equal(
    renderToolsFull([echo, tool("noop")], "@s", plain),
    [
      "Tools (2):",
      "* `echo (message:str)` [read-only]",
      "* `noop ()`",
      "",
      "---",
      "Tool: `echo` [read-only]",
      "",
      "Input:",
      "* `message`: string [required] - Text to echo",
      "",
      "Description:",
      "````",
      "Echoes the message back",
      "````",
      "",
      "---",
      "Tool: `noop`",
      "",
      "Input:",
      "* (none)",
    ].join("\n"),
  );
});

Deno.test("renderToolGet() appends a call example", () => {
  assert.equal(
    renderToolGet(echo, "@s", plain),
    renderToolDetail(echo, plain) +
      "\n\nCall example:\n* `mcpc @s tools-call echo message:=hello`",
  );
});

function example(t: Tool): string {
  return renderToolGet(t, "@s", plain).split("\n").at(-1) ?? "";
}

Deno.test("renderToolGet() example takes all required params, then optional up to 3", () => {
  const t = tool("calc", {
    inputSchema: {
      type: "object",
      properties: {
        o1: { type: "boolean" },
        r1: { type: "number" },
        o2: { type: "string" },
        r2: { type: "integer", minimum: 5 },
      },
      required: ["r1", "r2"],
    },
  });
  assert.equal(example(t), "* `mcpc @s tools-call calc r1:=1 r2:=5 o1:=true`");
  const allRequired = tool("four", {
    inputSchema: {
      type: "object",
      properties: {
        a: { type: "integer" },
        b: { type: "integer" },
        c: { type: "integer" },
        d: { type: "integer" },
        e: { type: "integer" },
      },
      required: ["a", "b", "c", "d"],
    },
  });
  assert.equal(example(allRequired), "* `mcpc @s tools-call four a:=1 b:=1 c:=1 d:=1`");
});

Deno.test("renderToolGet() example prefers the default, then the first enum value", () => {
  const t = tool("pick", {
    inputSchema: {
      type: "object",
      properties: {
        size: { type: "number", default: 2.5 },
        mode: { type: "string", enum: ["fast", "slow"] },
        label: { type: "string", default: "it's here" },
      },
      required: ["size", "mode", "label"],
    },
  });
  assert.equal(
    example(t),
    "* `mcpc @s tools-call pick size:=2.5 mode:=fast label:='it'\\''s here'`",
  );
});

Deno.test("renderToolGet() example quotes arrays and objects and adds the task flag", () => {
  const t = tool("batch", {
    inputSchema: {
      type: "object",
      properties: { items: { type: "array" }, opts: { type: "object" } },
      required: ["items", "opts"],
    },
    execution: { taskSupport: "required" },
  });
  assert.equal(example(t), "* `mcpc @s tools-call batch items:='[]' opts:='{}' --task`");
  const optional = tool("maybe", { execution: { taskSupport: "optional" } });
  assert.equal(example(optional), "* `mcpc @s tools-call maybe [--task]`");
});

Deno.test("renderToolsCompact() colours names grey and destructive red when colours are on", () => {
  const theme = createTheme(true);
  const t = tool("rm", { annotations: { destructiveHint: true } });
  const text = renderToolsCompact([t], "@s", theme);
  assert.ok(text.includes("\u001b[90m`rm ()`\u001b[39m"));
  assert.ok(text.includes("[\u001b[31mdestructive\u001b[39m]"));
  assert.ok(text.startsWith("\u001b[1mTools (1):\u001b[22m"));
  assert.equal(stripAnsi(text), renderToolsCompact([t], "@s", plain));
});

Deno.test("renderToolDetail() shows nested objects and arrays of objects with their required marks", () => {
  const t = tool("deploy", {
    inputSchema: {
      type: "object",
      properties: {
        target: {
          type: "object",
          description: "Where to deploy",
          properties: {
            region: { type: "string", description: "Cloud region" },
            replicas: { type: "integer", default: 1 },
            limits: {
              type: "object",
              properties: { cpu: { type: "number" } },
              required: ["cpu"],
            },
          },
          required: ["region"],
        },
        files: {
          type: "array",
          items: {
            type: "object",
            properties: { path: { type: "string" }, mode: { type: "string" } },
            required: ["path"],
          },
        },
      },
      required: ["target"],
    },
  });
  const input = renderToolDetail(t, plain).split("Input:\n")[1].split("\n\n")[0];
  assert.equal(
    input,
    [
      "* `target`: object [required] - Where to deploy",
      "  * `region`: string [required] - Cloud region",
      "  * `replicas`: integer (default: 1)",
      "  * `limits`: object",
      "    * `cpu`: number [required]",
      "* `files`: array<object>",
      "  * `path`: string [required]",
      "  * `mode`: string",
    ].join("\n"),
  );
});

Deno.test("renderToolGet() examples are what a person would type", () => {
  const t = tool("files", {
    inputSchema: {
      type: "object",
      properties: {
        path: { type: "string" },
        url: { type: "string", format: "uri" },
        email: { type: "string" },
      },
      required: ["path", "url", "email"],
    },
  });
  assert.equal(
    example(t),
    "* `mcpc @s tools-call files path:=notes.txt url:=https://example.com email:=user@example.com`",
  );
  const nested = tool("n", {
    inputSchema: {
      type: "object",
      properties: {
        opts: {
          type: "object",
          properties: { name: { type: "string" }, n: { type: "integer" } },
          required: ["name"],
        },
      },
      required: ["opts"],
    },
  });
  assert.equal(example(nested), `* \`mcpc @s tools-call n opts:='{"name":"hello"}'\``);
});

Deno.test("renderToolGet() quotes a key the shell would split together with its value", () => {
  const t = tool("odd", {
    inputSchema: {
      type: "object",
      properties: { "my key": { type: "string" }, "it's": { type: "integer" } },
      required: ["my key", "it's"],
    },
  });
  assert.equal(example(t), "* `mcpc @s tools-call odd 'my key:=hello' 'it'\\''s:=1'`");
});
