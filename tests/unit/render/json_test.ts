import assert from "node:assert/strict";
import { errorJson, serverDetailsJson, toJson } from "../../../src/render/json.ts";

Deno.test("toJson() pretty-prints with two spaces", () => {
  assert.equal(toJson({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
});

Deno.test("errorJson() builds the {error, code} document", () => {
  assert.equal(
    toJson(errorJson("Session not found: @x", 1)),
    '{\n  "error": "Session not found: @x",\n  "code": 1\n}',
  );
});

const initialize = {
  instructions: "Be nice",
  serverInfo: { name: "e2e-test-server", version: "1.0.0" },
  capabilities: { tools: { listChanged: true } },
  protocolVersion: "2025-11-25",
};

Deno.test("serverDetailsJson() puts _mcpc first, then the InitializeResult keys, then toolNames", () => {
  const document = serverDetailsJson({
    sessionName: "@s",
    profileName: "default",
    server: { url: "https://mcp.example.com", headers: { "X-Key": "<redacted>" } },
    status: "live",
    initialize,
    toolNames: ["echo", "add"],
  });
  assert.deepEqual(Object.keys(document), [
    "_mcpc",
    "protocolVersion",
    "capabilities",
    "serverInfo",
    "instructions",
    "toolNames",
  ]);
  assert.deepEqual(Object.keys(document._mcpc), [
    "sessionName",
    "profileName",
    "server",
    "status",
    "protocolVersion",
  ]);
  assert.equal(document._mcpc.status, "live");
  assert.equal(document._mcpc.protocolVersion, document.protocolVersion);
  assert.deepEqual(document._mcpc.server, {
    url: "https://mcp.example.com",
    headers: { "X-Key": "<redacted>" },
  });
  assert.deepEqual(document.toolNames, ["echo", "add"]);
  assert.equal(document.instructions, "Be nice");
});

Deno.test("serverDetailsJson() omits the profile, instructions and toolNames when absent", () => {
  const document = serverDetailsJson({
    sessionName: "@s",
    server: { command: "node", args: ["server.js"] },
    status: "created",
    initialize: { ...initialize, instructions: undefined },
  });
  assert.deepEqual(Object.keys(document), [
    "_mcpc",
    "protocolVersion",
    "capabilities",
    "serverInfo",
  ]);
  assert.deepEqual(Object.keys(document._mcpc), [
    "sessionName",
    "server",
    "status",
    "protocolVersion",
  ]);
});
