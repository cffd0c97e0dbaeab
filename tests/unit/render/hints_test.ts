import assert from "node:assert/strict";
import {
  appendLogHint,
  authRequiredMessage,
  expiredDetectedMessage,
  expiredMessage,
  logPathHint,
  sessionNotFoundMessage,
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

Deno.test("authRequiredMessage() with a session suggests restart, then login and restart", () => {
  assert.equal(
    authRequiredMessage({ sessionName: "@s", target: "mcp.example.com", logPath: LOG }),
    [
      "Authentication required by server.",
      "",
      "Try restarting the session first (refreshes the token):",
      "  mcpc @s restart",
      "",
      "If the error persists, re-authenticate:",
      "  mcpc login mcp.example.com",
      "  mcpc @s restart",
      "",
      `For details, check logs at ${LOG}`,
    ].join("\n"),
  );
});

Deno.test("authRequiredMessage() without a session suggests login and running again", () => {
  assert.equal(
    authRequiredMessage({ target: "https://mcp.example.com/mcp", logPath: LOG }),
    [
      "Authentication required by server.",
      "",
      "To authenticate, run:",
      "  mcpc login https://mcp.example.com/mcp",
      "",
      "Then run your command again.",
      "",
      `For details, check logs at ${LOG}`,
    ].join("\n"),
  );
});

Deno.test("authRequiredMessage() uses a placeholder when the target is unknown", () => {
  assert.match(authRequiredMessage({ logPath: LOG }), /\n {2}mcpc login <server>\n/);
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
    sessionName: "@ci",
    target: "https://mcp.example.com/mcp",
    logPath: "/h/logs/bridge-@ci.log",
    staticToken: true,
  });
  assert.equal(
    message,
    [
      "Authentication required by server.",
      "",
      "The server rejected the Authorization header. Connect again with a valid token:",
      '  mcpc connect https://mcp.example.com/mcp @ci --header "Authorization: Bearer <token>"',
      "",
      "For details, check logs at /h/logs/bridge-@ci.log",
    ].join("\n"),
  );
  assert.ok(!message.includes("restart"));
});
