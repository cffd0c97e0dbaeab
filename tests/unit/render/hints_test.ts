import assert from "node:assert/strict";
import {
  appendLogHint,
  authRequiredMessage,
  expiredDetectedMessage,
  expiredMessage,
  logPathHint,
  sessionNotFoundMessage,
  toolNotFoundMessage,
} from "../../../src/render/hints.ts";

const LOG = "/home/u/.mcpc/logs/bridge-@s.log";

Deno.test("logPathHint() names the log file", () => {
  assert.equal(logPathHint(LOG), `For details, check logs at ${LOG}`);
});

Deno.test("appendLogHint() joins the hint with a single period", () => {
  assert.equal(
    appendLogHint("Failed to list tools: boom", LOG),
    `Failed to list tools: boom. For details, check logs at ${LOG}`,
  );
  assert.equal(
    appendLogHint("Tool not found: x.", LOG),
    `Tool not found: x. For details, check logs at ${LOG}`,
  );
});

Deno.test("authRequiredMessage() without a token asks to connect again with one", () => {
  const message = authRequiredMessage({
    session: { name: "@s", server: { url: "https://mcp.example.com/mcp" } },
    logPath: LOG,
  });
  assert.equal(
    message,
    [
      "Authentication required by server.",
      "",
      "The server requires credentials. Connect again with a token:",
      '  mcpc connect https://mcp.example.com/mcp @s -H "Authorization: Bearer <token>"',
      "or log in with OAuth and connect again:",
      "  mcpc login https://mcp.example.com/mcp && mcpc connect https://mcp.example.com/mcp @s",
      "",
      `For details, check logs at ${LOG}`,
    ].join("\n"),
  );
  assert.ok(!message.includes("restart"));
});

Deno.test("authRequiredMessage() for a static token does not offer a login", () => {
  const message = authRequiredMessage({
    session: { name: "@s", server: { url: "https://mcp.example.com/mcp" } },
    logPath: LOG,
    staticToken: true,
  });
  assert.match(message, /rejected the Authorization header/);
  assert.ok(!message.includes("mcpc login"));
});

Deno.test("authRequiredMessage() for an OAuth profile names the login that renews it", () => {
  const forProfile = (profileName: string) =>
    authRequiredMessage({
      session: { name: "@s", server: { url: "https://mcp.example.com/mcp" }, profileName },
      logPath: LOG,
    });
  assert.match(forProfile("default"), /\n {2}mcpc login https:\/\/mcp\.example\.com\/mcp\n/);
  assert.match(
    forProfile("work"),
    /\n {2}mcpc login https:\/\/mcp\.example\.com\/mcp --profile work\n/,
  );
  assert.ok(forProfile("work").includes(`check logs at ${LOG}`));
  assert.ok(!forProfile("work").includes("Bearer <token>"));
});

Deno.test("authRequiredMessage() names a config entry as the server to connect again", () => {
  const message = authRequiredMessage({
    session: { name: "@fs", configFile: "/p/mcp.json", configEntry: "fs", server: {} },
    logPath: LOG,
  });
  assert.match(
    message,
    /\n {2}mcpc connect \/p\/mcp\.json:fs @fs -H "Authorization: Bearer <token>"\n/,
  );
});

Deno.test("expiredMessage() tells how to restart or remove the session and names the log", () => {
  assert.equal(
    expiredMessage("@s", LOG),
    [
      "Session @s has expired. The MCP server indicated the session is no longer valid.",
      "To restart the session, run: mcpc @s restart",
      "To remove the expired session, run: mcpc @s close",
      "",
      `For details, check logs at ${LOG}`,
    ].join("\n"),
  );
});

Deno.test("expiredDetectedMessage() says the server rejected the session ID", () => {
  assert.equal(
    expiredDetectedMessage("@s", LOG),
    'Session @s expired (server rejected session ID). Use "mcpc @s restart" to start a new ' +
      `session. For details, check logs at ${LOG}`,
  );
});

Deno.test("sessionNotFoundMessage() starts with the exact not-found line", () => {
  const message = sessionNotFoundMessage("@x");
  assert.equal(message.split("\n")[0], "Session not found: @x");
  assert.equal(
    message,
    "Session not found: @x\n\nTo create the session, run:\n  mcpc connect <server> @x",
  );
});

Deno.test("authRequiredMessage() tells static-token sessions to connect again with a new token", () => {
  const message = authRequiredMessage({
    session: { name: "@ci", server: { url: "https://mcp.example.com/mcp" } },
    logPath: "/h/logs/bridge-@ci.log",
    staticToken: true,
  });
  assert.equal(
    message,
    [
      "Authentication required by server.",
      "",
      "The server rejected the Authorization header. Connect again with a valid token:",
      '  mcpc connect https://mcp.example.com/mcp @ci -H "Authorization: Bearer <token>"',
      "",
      "For details, check logs at /h/logs/bridge-@ci.log",
    ].join("\n"),
  );
  assert.ok(!message.includes("restart"));
});

Deno.test("toolNotFoundMessage() suggests the closest tool, else how to list them", () => {
  assert.equal(
    toolNotFoundMessage("@s", "ecoh", { known: ["echo", "add"], command: "tools-call" }),
    "Tool not found: ecoh\nDid you mean: mcpc @s tools-call echo",
  );
  assert.equal(
    toolNotFoundMessage("@s", "zzz", { known: ["echo", "add"], command: "tools-get" }),
    "Tool not found: zzz\nList the tools with: mcpc @s tools-list",
  );
});

Deno.test("reconnect hints name every header key, since a connect replaces them all", async () => {
  const { reconnectWithHeadersCommand, reconnectWithTokenCommand } = await import(
    "../../../src/render/hints.ts"
  );
  const record = {
    name: "@a",
    server: {
      url: "https://x.com/mcp",
      headers: { Authorization: "<redacted>", "X-Other": "<redacted>" },
    },
  };
  assert.equal(
    reconnectWithHeadersCommand(record),
    'mcpc connect https://x.com/mcp @a -H "Authorization: <value>" -H "X-Other: <value>"',
  );
  assert.equal(
    reconnectWithTokenCommand(record),
    'mcpc connect https://x.com/mcp @a -H "Authorization: Bearer <token>" -H "X-Other: <value>"',
  );
  const fromConfig = { ...record, configFile: "/m.json", configEntry: "e" };
  assert.equal(reconnectWithHeadersCommand(fromConfig), "mcpc connect /m.json:e @a");
  assert.equal(
    reconnectWithTokenCommand(fromConfig),
    'mcpc connect /m.json:e @a -H "Authorization: Bearer <token>"',
  );
});
