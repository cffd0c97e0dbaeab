import assert from "node:assert/strict";
import type { Tool } from "../../../../src/mcp/types.ts";
import {
  protocolLine,
  renderServerDetails,
  type ServerDetails,
} from "../../../../src/render/human/server_details.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";
import { advertisedCommands } from "../../../../src/cli/command_table.ts";

const plain = createTheme(false);
const LOG = "/home/u/.mcpc/logs/bridge-@s.log";

const echo: Tool = {
  name: "echo",
  inputSchema: {
    type: "object",
    properties: { message: { type: "string" } },
    required: ["message"],
  },
};

/** Details offering the commands the command table has for the capabilities given. */
function details(extra: Partial<ServerDetails> = {}): ServerDetails {
  const initialize = extra.initialize ?? {
    protocolVersion: "2025-11-25",
    capabilities: {},
    serverInfo: { name: "e2e-test-server", version: "1.0.0" },
  };
  return {
    sessionName: "@s",
    initialize,
    logPath: LOG,
    commands: advertisedCommands(initialize.capabilities ?? {}),
    ...extra,
  };
}

const TOOL_COMMANDS = [
  "* `mcpc @s tools-list [--full]`",
  "* `mcpc @s tools-get <name>`",
  "* `mcpc @s tools-call <name> [arg1:=val1 ... | <args-json> | <stdin]`",
];

Deno.test("renderServerDetails() shows a server with every capability", () => {
  const text = renderServerDetails(
    details({
      initialize: {
        protocolVersion: "2025-11-25",
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          prompts: { listChanged: true },
          logging: {},
          completions: {},
          tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
        },
        serverInfo: { name: "e2e-test-server", version: "1.0.0" },
        instructions: "\n  Use the echo tool.\n",
      },
      tools: [echo],
      mcpSessionId: "1a2b3c4d5e6f7a8b",
    }),
    plain,
  );
  assert.equal(
    text,
    [
      "Server: e2e-test-server (version: 1.0.0)",
      "Protocol: 2025-11-25 (MCP session 1a2b3c4d…)",
      "",
      "Capabilities:",
      "* tools (dynamic)",
      "* resources (supports subscribe, dynamic list)",
      "* prompts (dynamic list)",
      "* logging",
      "* completions",
      "* tasks (tools)",
      "",
      "Instructions:",
      "````",
      "Use the echo tool.",
      "````",
      "",
      "Tools (1):",
      "* `echo (message:str)`",
      "",
      "Available commands:",
      // Only commands mcpc has: tasks commands come later.
      ...TOOL_COMMANDS,
      "* `mcpc @s tasks-list`",
      "* `mcpc @s tasks-get <taskId>`",
      "* `mcpc @s tasks-result <taskId>`",
      "* `mcpc @s tasks-cancel <taskId>`",
      "* `mcpc @s resources-list`",
      "* `mcpc @s resources-templates-list`",
      "* `mcpc @s resources-read <uri> [-o]`",
      "* `mcpc @s resources-subscribe <uri>`",
      "* `mcpc @s resources-unsubscribe <uri>`",
      "* `mcpc @s prompts-list`",
      "* `mcpc @s prompts-get <name> [arg1:=val1 ... | <args-json> | <stdin]`",
      "* `mcpc @s logging-set-level <level>`",
      "* `mcpc @s notifications [--follow]`",
      "* `mcpc @s grep <pattern>`",
      "* `mcpc @s ping`",
      "",
      `Session log for debugging: ${LOG}`,
    ].join("\n"),
  );
});

Deno.test("renderServerDetails() shows (none), N/A and no tool commands for a server without tools", () => {
  const text = renderServerDetails(
    details({
      initialize: { capabilities: {}, serverInfo: { name: "bare" }, instructions: "  " },
    }),
    plain,
  );
  assert.equal(
    text,
    [
      "Server: bare (version: N/A)",
      "",
      "Capabilities:",
      "* (none)",
      "",
      "Available commands:",
      "* `mcpc @s notifications [--follow]`",
      "* `mcpc @s grep <pattern>`",
      "* `mcpc @s ping`",
      "",
      `Session log for debugging: ${LOG}`,
    ].join("\n"),
  );
});

Deno.test("renderServerDetails() words static tools and plain resources and prompts", () => {
  const text = renderServerDetails(
    details({
      initialize: {
        capabilities: { tools: {}, resources: {}, prompts: {}, tasks: {} },
        serverInfo: { name: "x", version: "2" },
      },
    }),
    plain,
  );
  assert.ok(
    text.includes("Capabilities:\n* tools (static)\n* resources\n* prompts\n* tasks\n\n"),
  );
});

Deno.test("renderServerDetails() shows an empty tool list when the cache is empty", () => {
  const text = renderServerDetails(details({ tools: [] }), plain);
  assert.ok(text.includes("\n\nTools (0):\n\nAvailable commands:\n"));
});

Deno.test("renderServerDetails() makes titles bold when colours are on", () => {
  const theme = createTheme(true);
  const text = renderServerDetails(details({ tools: [echo] }), theme);
  assert.ok(text.startsWith("\u001b[1mServer:\u001b[22m e2e-test-server"));
  assert.ok(text.includes("\u001b[1mAvailable commands:\u001b[22m"));
  assert.equal(stripAnsi(text), renderServerDetails(details({ tools: [echo] }), plain));
});

Deno.test("protocolLine() shows a 2026-07-28 session without a session id", () => {
  assert.equal(protocolLine("2026-07-28"), "2026-07-28");
  assert.equal(protocolLine("2025-11-25", "short"), "2025-11-25 (MCP session short)");
});

Deno.test("renderServerDetails() names the extensions and offers the task commands of the 2026 one", () => {
  const text = renderServerDetails(
    details({
      initialize: {
        protocolVersion: "2026-07-28",
        capabilities: {
          tools: {},
          extensions: {
            "io.modelcontextprotocol/skills": {},
            "io.modelcontextprotocol/tasks": {},
            "evil/\u001b[31mred": {},
          },
        },
        serverInfo: { name: "modern", version: "2.0.0" },
      },
    }),
    plain,
  );
  assert.match(
    text,
    /^\* extensions \(io\.modelcontextprotocol\/skills, io\.modelcontextprotocol\/tasks, evil\/\S*red\)$/m,
  );
  assert.ok(!text.includes("\u001b"), "a server's names cannot paint the terminal");
  for (
    const command of [
      "tasks-list",
      "tasks-get <taskId>",
      "tasks-result <taskId>",
      "tasks-cancel <taskId>",
    ]
  ) {
    assert.ok(text.includes(`* \`mcpc @s ${command}\``), command);
  }
});
