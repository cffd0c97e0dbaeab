/**
 * A server that never answers the handshake: the connect gives up at the
 * connect timeout (30 s by default, `--timeout` wins) with a message saying
 * the server did not answer, and a person at a terminal is told after 3 s
 * what mcpc is waiting for.
 */

import assert from "node:assert/strict";
import { freePort, Harness, runOnTerminal, writeConfig } from "./harness.ts";

/** A stdio "server" that reads its stdin and never writes a byte. */
function silentEntry(): Record<string, unknown> {
  return { command: "sleep", args: ["120"] };
}

/** Runs `body` in a fresh home whose `mcp.json` has the entry `silent`. */
async function withSilentHome(body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await Harness.create();
  try {
    await writeConfig(`${h.home}/mcp.json`, { silent: silentEntry() });
    await body(h);
  } finally {
    await h.cleanup();
  }
}

/** An HTTP endpoint that accepts every request and never answers it. */
function startSilentHttp(): { url: string; close: () => Promise<void> } {
  const closing = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: freePort(), onListen: () => {} },
    (request) => {
      // Answers only once the client gave up or the server shuts down.
      const signal = AbortSignal.any([request.signal, closing.signal]);
      return new Promise<Response>((resolve) =>
        signal.addEventListener("abort", () => resolve(new Response(null)), { once: true })
      );
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/mcp`,
    close: async () => {
      closing.abort();
      await server.shutdown();
    },
  };
}

Deno.test("a stdio server that never answers: --timeout bounds the connect, the message says why", async () => {
  await withSilentHome(async (h) => {
    const started = Date.now();
    const result = await h.run(["connect", "mcp.json:silent", "@silent", "--timeout", "2"]);
    const elapsed = Date.now() - started;
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /The server command "sleep" did not answer initialize within 2 s/);
    assert.match(result.stderr, /--timeout/);
    assert.ok(elapsed < 10_000, `gave up after ${elapsed} ms`);
    // Not on a terminal: no progress note.
    assert.doesNotMatch(result.stderr, /Waiting for/);
  });
});

Deno.test("an HTTP server that never answers: the connect says it did not answer", async () => {
  const server = startSilentHttp();
  const h = await Harness.create();
  try {
    const result = await h.run(["connect", server.url, "@silent", "--timeout", "2"]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`The server at ${server.url} did not answer server/discover within 2 s`),
    );
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("on a terminal, a slow handshake shows one 'Waiting for' note after 3 s", async () => {
  await withSilentHome(async (h) => {
    const result = await runOnTerminal(h, [
      "connect",
      "mcp.json:silent",
      "@silent",
      "--timeout",
      "5",
    ]);
    assert.equal(result.code, 3, result.text);
    const notes = result.text.match(/Waiting for the server command "sleep" to answer/g) ?? [];
    assert.equal(notes.length, 1, result.text);
    assert.match(result.text, /gives up after 5 s/);
    assert.match(result.text, /did not answer initialize within 5 s/);
  });
});

Deno.test("on a terminal, a handshake answered at once shows no note", async () => {
  const h = await Harness.create();
  try {
    const result = await runOnTerminal(h, ["--help"]);
    assert.equal(result.code, 0, result.text);
    assert.doesNotMatch(result.text, /Waiting for/);
  } finally {
    await h.cleanup();
  }
});

Deno.test("without --timeout, the connect gives up after 30 s (not the 300 s request timeout)", async () => {
  await withSilentHome(async (h) => {
    const started = Date.now();
    const result = await h.run(["connect", "mcp.json:silent", "@silent"]);
    const elapsed = Date.now() - started;
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /did not answer initialize within 30 s/);
    assert.ok(elapsed >= 29_000 && elapsed < 45_000, `gave up after ${elapsed} ms`);
  });
});

Deno.test("on a terminal, a restart whose server is silent shows the note too", async () => {
  await withSilentHome(async (h) => {
    const connect = await h.run(["connect", "mcp.json:silent", "@silent", "--timeout", "1"]);
    assert.equal(connect.code, 3, connect.stderr);
    const result = await runOnTerminal(h, ["@silent", "restart", "--timeout", "5"]);
    assert.notEqual(result.code, 0, result.text);
    const notes = result.text.match(/Waiting for the server command "sleep" to answer/g) ?? [];
    assert.equal(notes.length, 1, result.text);
    // This command's --timeout wins over the one recorded at connect.
    assert.match(result.text, /gives up after 5 s/);
    assert.match(result.text, /did not answer initialize within 5 s/);
  });
});
