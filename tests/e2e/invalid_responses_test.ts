/**
 * A response in the wrong shape fails its request at once (issue 6 item 2):
 * against a server that answers `tools/call` with an error without message,
 * a string code, `error: null`, both result and error, a wrong or missing
 * id, or a string result, `tools-call` exits 3 with `Server sent an invalid
 * response to tools/call: <reason>` long before `--timeout`, and the bridge
 * still serves the next call. Over stdio, and over Streamable HTTP with JSON
 * bodies and with SSE streams.
 */

import assert from "node:assert/strict";
import {
  type AnswerMode,
  OK_TEXT,
  startInvalidResponseHttpServer,
  VARIANTS,
} from "../fixtures/invalid_response_server.ts";
import { denoEntry, Harness, writeConfig } from "./harness.ts";

const FIXTURE = new URL("../fixtures/invalid_response_server.ts", import.meta.url).pathname;

/** Far beyond what a failed call may take: the test fails if the call waits for it. */
const TIMEOUT_S = "60";
/** What a call that fails fast stays under (ms), with room for a slow machine. */
const FAST_MS = 10_000;

/** Runs `fn` with a session `@s` connected to the fixture over `transport`. */
async function withSession(
  transport: "stdio" | AnswerMode,
  fn: (harness: Harness) => Promise<void>,
): Promise<void> {
  const server = transport === "stdio"
    ? undefined
    : await startInvalidResponseHttpServer(transport);
  const harness = await Harness.create();
  try {
    let target = server?.url;
    if (!target) {
      target = `${harness.home}/mcp.json`;
      await writeConfig(target, { bad: denoEntry(FIXTURE) });
      target = `${target}:bad`;
    }
    const connect = await harness.run(["connect", target, "@s"]);
    assert.equal(connect.code, 0, connect.stderr);
    await fn(harness);
  } finally {
    await harness.cleanup();
    await server?.close();
  }
}

/** Runs `mcpc [--json] --timeout 60 @s tools-call <tool>` and measures how long it took. */
async function call(harness: Harness, tool: string, json = false) {
  const started = Date.now();
  const result = await harness.run([
    ...(json ? ["--json"] : []),
    "--timeout",
    TIMEOUT_S,
    "@s",
    "tools-call",
    tool,
  ]);
  return { ...result, elapsed: Date.now() - started };
}

async function assertOkStillWorks(harness: Harness, after: string): Promise<void> {
  const ok = await call(harness, "ok");
  assert.equal(ok.code, 0, `tools-call ok after ${after}: ${ok.stderr}`);
  assert.match(ok.stdout, new RegExp(OK_TEXT));
}

for (const transport of ["stdio", "json", "sse"] as const) {
  const over = transport === "stdio" ? "stdio" : `HTTP (${transport} answers)`;

  Deno.test(`tools-call fails fast with exit 3 on each invalid response over ${over}`, async (t) => {
    await withSession(transport, async (harness) => {
      for (const [tool, { reason }] of Object.entries(VARIANTS)) {
        await t.step(tool, async () => {
          const result = await call(harness, tool);
          assert.equal(result.code, 3, `${tool}: ${result.stderr}`);
          assert.ok(result.elapsed < FAST_MS, `${tool} took ${result.elapsed} ms`);
          assert.ok(
            result.stderr.includes(`Server sent an invalid response to tools/call: ${reason}`),
            `${tool}: ${result.stderr}`,
          );
          await assertOkStillWorks(harness, tool);
        });
      }
      const ping = await harness.run(["@s", "ping"]);
      assert.equal(ping.code, 0, ping.stderr);
    });
  });

  Deno.test(`tools-call --json keeps stdout clean on each invalid response over ${over}`, async (t) => {
    await withSession(transport, async (harness) => {
      for (const [tool, { reason }] of Object.entries(VARIANTS)) {
        await t.step(tool, async () => {
          const result = await call(harness, tool, true);
          assert.equal(result.code, 3, `${tool}: ${result.stderr}`);
          assert.ok(result.elapsed < FAST_MS, `${tool} took ${result.elapsed} ms`);
          // Clean: nothing, or one JSON error document.
          const error = JSON.parse(result.stdout === "" ? result.stderr : result.stdout);
          assert.deepEqual(error, {
            error: `Server sent an invalid response to tools/call: ${reason}`,
            code: 3,
          });
        });
      }
      await assertOkStillWorks(harness, "every variant");
    });
  });
}
