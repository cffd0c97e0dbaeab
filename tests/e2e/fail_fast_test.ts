/**
 * A connect that cannot heal by waiting fails at once (decisions.md §3.15):
 * exit 1, one clear line, no session record, no bridge left. Transient
 * failures keep the session (exit 3); a banner line before valid messages is
 * tolerated.
 */

import assert from "node:assert/strict";
import { type FixtureMode, startFixtureHttpServer } from "../fixtures/http_server.ts";
import {
  denoEntry,
  freePort,
  Harness,
  type RunResult,
  startEverythingHttp,
  STDIO_FIXTURE,
  waitFor,
  writeConfig,
} from "./harness.ts";

/** Asserts the connect failed for good: exit 1, the message, nothing left behind. */
async function assertNothingLeft(harness: Harness, result: RunResult, message: RegExp) {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.equal(result.stdout, "");
  assert.doesNotMatch(result.stderr, /<html|<!doctype|<body/i, "HTML is summarised, never dumped");
  const sessions = await harness.sessions().catch(() => ({ sessions: {} }));
  assert.deepEqual(sessions.sessions, {}, "no session record");
  await waitFor(async () => (await harness.bridgePids()).length === 0, 10_000, "no bridge left");
}

const HTTP_CASES: [FixtureMode, RegExp][] = [
  ["html", /answered with an HTML page \("Welcome to nginx!"\).*not an MCP response/],
  ["html-404", /HTTP 404 .*: an HTML page \("404 Not Found"\)\. Check the endpoint URL/],
  ["text", /"hello from a plain web server".*content type text\/plain.*not an MCP response/],
  ["405", /HTTP 405 at .*Check the endpoint URL/],
  ["legacy-sse", /is a legacy HTTP\+SSE endpoint, which mcpc does not support/],
  ["json-not-rpc", /answered with "\{\\"hello\\":\\"world\\"\}" .*which is not an MCP response/],
  ["empty-json", /sent an answer that is not valid JSON/],
  ["wrong-id", /answered with a message that is not a response to server\/discover/],
  ["accepted", /accepted the initialize request \(HTTP 202\) without answering it/],
  [
    "empty-array",
    /answered with "\[\]" \(content type application\/json\), which is not an MCP response/,
  ],
  ["sse-garbage", /not valid JSON/],
  ["no-server-info", /not a valid MCP message \(serverInfo: /],
];

for (const [mode, message] of HTTP_CASES) {
  Deno.test(`connect to an HTTP endpoint that answers ${mode} fails fast and leaves nothing`, async () => {
    const server = await startFixtureHttpServer(mode);
    const harness = await Harness.create();
    try {
      const result = await harness.run(["connect", server.url, "@bad"]);
      await assertNothingLeft(harness, result, message);
      assert.equal(result.stderr.trim().split("\n").length, 1, "one line");
    } finally {
      await harness.cleanup();
      await server.close();
    }
  });
}

Deno.test("connect to server-everything's legacy SSE endpoint says it is legacy HTTP+SSE", async () => {
  const server = await startEverythingHttp("sse", freePort());
  const harness = await Harness.create();
  try {
    const result = await harness.run(["connect", server.url, "@sse"]);
    await assertNothingLeft(harness, result, /legacy HTTP\+SSE endpoint/);
  } finally {
    await harness.cleanup();
    await server.stop();
  }
});

Deno.test("connect to a host name that does not exist fails fast and leaves nothing", async () => {
  const harness = await Harness.create();
  try {
    // `.invalid` never resolves (RFC 2606).
    const result = await harness.run(["connect", "http://no-such-host.invalid/mcp", "@nx"]);
    await assertNothingLeft(harness, result, /Cannot resolve hostname .*: no such host/);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("connect with a malformed URL fails before anything starts", async () => {
  const harness = await Harness.create();
  try {
    for (const target of ["http://exa mple.com/mcp", "https://host:badport/mcp", "ftp://x.com"]) {
      const result = await harness.run(["connect", target, "@m"]);
      assert.equal(result.code, 1, `${target}: ${result.stderr}`);
      assert.match(result.stderr, /Invalid (server|MCP server URL)/);
    }
    assert.deepEqual(await harness.bridgePids(), []);
  } finally {
    await harness.cleanup();
  }
});

const STDIO_CASES: [string, Record<string, unknown>, RegExp][] = [
  ["a missing command", { command: "/nonexistent/mcp-server" }, /command not found/],
  [
    "a command that exits before answering",
    { command: "false" },
    /exited with code 1 before answering initialize/,
  ],
  [
    "cat echoing the request back",
    { command: "cat" },
    /sent the initialize request back instead of answering it/,
  ],
  [
    "a JSON-RPC error to initialize",
    denoEntry(STDIO_FIXTURE, ["rpc-error"]),
    /This server refuses every client/,
  ],
  [
    "an answer for another request id",
    denoEntry(STDIO_FIXTURE, ["wrong-id"]),
    /not a response to initialize/,
  ],
  [
    "nothing but non JSON-RPC lines",
    denoEntry(STDIO_FIXTURE, ["garbage"]),
    /wrote output that is not JSON-RPC .*"tick: this is not JSON-RPC"/,
  ],
];

for (const [label, entry, message] of STDIO_CASES) {
  Deno.test(`connect to a stdio server with ${label} fails fast and leaves nothing`, async () => {
    const harness = await Harness.create();
    try {
      const config = `${harness.home}/mcp.json`;
      await writeConfig(config, { bad: entry });
      const result = await harness.run(["connect", `${config}:bad`, "@bad"]);
      await assertNothingLeft(harness, result, message);
    } finally {
      await harness.cleanup();
    }
  });
}

Deno.test("connect to a stdio command that is not executable fails fast and leaves nothing", async () => {
  const harness = await Harness.create();
  try {
    const script = `${harness.home}/server.sh`;
    await Deno.writeTextFile(script, "#!/bin/sh\necho never\n", { mode: 0o644 });
    await Deno.chmod(script, 0o644);
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { bad: { command: script } });
    const result = await harness.run(["connect", `${config}:bad`, "@bad"]);
    await assertNothingLeft(harness, result, /permission denied \(is it executable\?\)/);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("a banner line before valid messages is tolerated", async () => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { banner: denoEntry(STDIO_FIXTURE, ["banner"]) });
    const result = await harness.run(["connect", `${config}:banner`, "@banner"]);
    assert.equal(result.code, 0, result.stderr);
    const call = await harness.run(["@banner", "tools-call", "echo", "message:=hi"]);
    assert.equal(call.code, 0, call.stderr);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("a transient failure (HTTP 500, refused) keeps the session and exits 3", async () => {
  const server = await startFixtureHttpServer("500");
  const harness = await Harness.create();
  try {
    const failing = await harness.run(["connect", server.url, "@five"]);
    assert.equal(failing.code, 3, failing.stderr);
    assert.match(failing.stderr, /HTTP 500/);
    assert.match(failing.stderr, /Session @five was kept/);
    const refused = await harness.run(["connect", `http://127.0.0.1:${freePort()}/mcp`, "@gone"]);
    assert.equal(refused.code, 3, refused.stderr);
    const sessions = (await harness.sessions()).sessions;
    assert.deepEqual(Object.keys(sessions).sort(), ["@five", "@gone"]);
    assert.equal(sessions["@five"].status, "crashed");
  } finally {
    await harness.cleanup();
    await server.close();
  }
});
