import assert from "node:assert/strict";
import { followsTaskSupport, runsToolTasks } from "../../../src/app/task_commands.ts";
import type { SessionRecord } from "../../../src/session/session.ts";

function record(
  protocolVersion: string,
  capabilities: Record<string, unknown>,
): SessionRecord {
  return {
    name: "@s",
    server: { url: "http://127.0.0.1:1/mcp" },
    protocolVersion,
    initializeResult: { protocolVersion, capabilities, serverInfo: { name: "s", version: "1" } },
  } as unknown as SessionRecord;
}

Deno.test("runsToolTasks() reads the 2025 capability or the 2026 extension, each in its era", () => {
  const legacyTasks = { tasks: { requests: { tools: { call: {} } } } };
  const extension = { extensions: { "io.modelcontextprotocol/tasks": {} } };
  assert.equal(runsToolTasks(record("2025-11-25", legacyTasks)), true);
  assert.equal(runsToolTasks(record("2025-11-25", extension)), false);
  assert.equal(runsToolTasks(record("2026-07-28", extension)), true);
  assert.equal(runsToolTasks(record("2026-07-28", legacyTasks)), false);
  // A tool's taskSupport decides only on 2025-era servers: a 2026 server decides itself.
  assert.equal(followsTaskSupport(record("2025-11-25", legacyTasks)), true);
  assert.equal(followsTaskSupport(record("2026-07-28", extension)), false);
});
