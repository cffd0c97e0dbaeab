/**
 * `deno check` must see the MCP SDK's real types through `src/mcp/sdk.ts`
 * and `src/mcp/types.ts`. If the typings fell back to `any`, the
 * `@ts-expect-error` lines below would be unused and type-checking this file
 * (which `deno test` does) would fail.
 */

import assert from "node:assert/strict";
import { Client } from "../../../src/mcp/sdk.ts";
import type { CallToolResult, Tool } from "../../../src/mcp/types.ts";

Deno.test("the SDK facade exposes real types, not any", () => {
  const client = new Client({ name: "t", version: "1" });
  // @ts-expect-error: Client has no such method.
  const missing = () => client.noSuchMethod();
  // @ts-expect-error: a Tool needs an inputSchema.
  const tool: Tool = { name: "x" };
  // @ts-expect-error: content must be an array.
  const result: CallToolResult = { content: "text" };
  assert.equal(typeof missing, "function");
  assert.equal(tool.name, "x");
  assert.equal(result.content, "text");
});

Deno.test("mcpc's list of revisions is the SDK's: 2026-07-28 and its initialize-era list", async () => {
  const { SUPPORTED_PROTOCOL_VERSIONS } = await import("@modelcontextprotocol/client");
  const { isModernRevision, PROTOCOL_VERSIONS } = await import("../../../src/session/session.ts");
  assert.deepEqual(PROTOCOL_VERSIONS.filter((version) => isModernRevision(version)), [
    "2026-07-28",
  ]);
  assert.deepEqual(
    PROTOCOL_VERSIONS.filter((version) => !isModernRevision(version)),
    [...SUPPORTED_PROTOCOL_VERSIONS],
  );
});
