/**
 * `mcpc connect <file>`: every entry of a config file connected in parallel
 * under its entry's name, against real servers (the demo server in both
 * eras, a stdio demo server, an endpoint that never answers, an unreachable
 * one): stdio entries only with `--stdio`, duplicates skipped, live sessions
 * reused, and the command back before a slow server has answered.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import type { BulkJsonEntry as JsonEntry } from "../../src/app/connect_config.ts";
import { DEMO_SERVER, denoEntry, Harness, waitFor, writeConfig } from "./harness.ts";

/** An HTTP endpoint that takes requests and never answers them (until closed). */
function silentServer(): { url: string; close: () => Promise<void> } {
  const stop = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new Promise<Response>((resolve) => {
        const end = () => resolve(new Response(null, { status: 503 }));
        stop.signal.addEventListener("abort", end, { once: true });
        request.signal.addEventListener("abort", end, { once: true });
      }),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/mcp`,
    close: async () => {
      stop.abort();
      await server.shutdown();
    },
  };
}

Deno.test("connect <file> connects every entry in parallel and returns before slow servers answer", async () => {
  const modern = await startDemoHttpServer({ era: "modern" });
  const legacy = await startDemoHttpServer({ era: "legacy" });
  const silent = silentServer();
  const h = await Harness.create();
  try {
    const file = `${h.home}/mcp.json`;
    await writeConfig(file, {
      "new.one": { url: modern.url },
      old: { url: legacy.url },
      slow: { url: silent.url },
      "new-one": { url: legacy.url },
      local: denoEntry(DEMO_SERVER, ["--stdio"]),
    });
    const started = Date.now();
    const run = await h.run(["connect", file]);
    const took = Date.now() - started;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(took < 20_000, `returned after ${took} ms, not after the silent server's timeout`);
    assert.match(run.stdout, /^Connecting 3 server\(s\) from .*mcp\.json\.\.\.$/m);
    assert.match(run.stdout, /skipping 1 stdio server\(s\) \(local\), pass --stdio to include/);
    for (const name of ["@new-one", "@old", "@slow"]) {
      assert.match(run.stdout, new RegExp(`● ${name} connecting`));
    }
    assert.match(run.stdout, /○ @new-one skipped \(duplicate\): new-one/);
    assert.match(run.stdout, /✓ 3 connecting/);
    const sessions = (await h.sessions()).sessions;
    assert.deepEqual(Object.keys(sessions).sort(), ["@new-one", "@old", "@slow"]);
    assert.equal(sessions["@new-one"].configEntry, "new.one");

    // The bridges connect on their own: the two demo servers get live sessions of their era.
    await waitFor(
      async () => {
        const listed = await h.json<{ sessions: { name: string; status: string }[] }>(["--json"]);
        return ["@new-one", "@old"].every((name) =>
          listed.sessions.find((session) => session.name === name)?.status === "live"
        );
      },
      20_000,
      "the demo sessions to be live",
    );
    const details = await h.json<{ protocolVersion: string }>(["@old"]);
    assert.equal(details.protocolVersion, "2025-11-25");

    // Again, with --stdio: the live ones are reused, the stdio entry joins.
    // --json reads each started bridge's details, as a single connect prints them.
    const again = await h.json<JsonEntry[]>(["connect", file, "--stdio"]);
    const byEntry = Object.fromEntries(again.map((entry) => [entry._mcpc.entry, entry]));
    assert.equal(byEntry["new.one"]._mcpc.status, "active");
    assert.equal(byEntry["new.one"].protocolVersion, "2026-07-28");
    assert.equal(byEntry.old._mcpc.status, "active");
    assert.equal(byEntry.old.protocolVersion, "2025-11-25");
    assert.equal(byEntry.old.serverInfo?.name, "mcpc-demo-server");
    assert.equal(byEntry.local._mcpc.status, "created");
    assert.equal(byEntry.local.protocolVersion !== undefined, true, "the stdio server answered");
    assert.deepEqual(byEntry["new-one"], {
      _mcpc: {
        sessionName: "@new-one",
        configFile: await Deno.realPath(file),
        entry: "new-one",
        status: "skipped",
        skipReason: "duplicate",
      },
    });
    assert.equal(byEntry.slow._mcpc.status, "active", "its bridge runs, still connecting");
    await waitFor(
      async () => (await h.run(["@local", "tools-call", "echo", "message:=hi"])).code === 0,
      20_000,
      "the stdio entry to answer",
    );
  } finally {
    await h.cleanup();
    await Promise.all([modern.close(), legacy.close(), silent.close()]);
  }
});

Deno.test("connect <file>: only stdio, empty, a session name or --stdio alone are clear errors", async () => {
  const h = await Harness.create();
  try {
    const onlyStdio = `${h.home}/stdio.json`;
    await writeConfig(onlyStdio, {
      a: denoEntry(DEMO_SERVER, ["--stdio"]),
      b: denoEntry(DEMO_SERVER, ["--stdio"]),
    });
    const refused = await h.run(["connect", onlyStdio]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /All 2 server\(s\) in .*stdio\.json use stdio transport\./);
    assert.match(
      refused.stderr,
      /Pass --stdio to include them: mcpc connect .*stdio\.json --stdio/,
    );
    const listed = await h.json<JsonEntry[]>(["connect", onlyStdio]);
    assert.deepEqual(
      listed.map(({ _mcpc }) => [_mcpc.sessionName, _mcpc.status, _mcpc.skipReason]),
      [
        ["@a", "skipped", "stdio"],
        ["@b", "skipped", "stdio"],
      ],
    );

    const empty = `${h.home}/empty.json`;
    await writeConfig(empty, {});
    const none = await h.run(["connect", empty]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No servers found in config file: .*empty\.json/);

    const named = await h.run(["connect", onlyStdio, "@x"]);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /connects each entry under its own name: drop @x/);
    const stdioFlag = await h.run(["connect", "mcp.example.com", "--stdio"]);
    assert.equal(stdioFlag.code, 1);
    assert.match(stdioFlag.stderr, /--stdio applies to a whole config file/);
    assert.deepEqual((await h.sessions().catch(() => ({ sessions: {} }))).sessions, {});
  } finally {
    await h.cleanup();
  }
});

Deno.test("connect <file> whose every entry fails says so, naming each", async () => {
  const h = await Harness.create();
  try {
    const file = `${h.home}/bad.json`;
    await writeConfig(file, { nope: { url: "ftp://example.invalid/mcp" } });
    const run = await h.run(["connect", file]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Failed to connect any servers from .*bad\.json/);
    assert.match(run.stderr, /@nope: /);
  } finally {
    await h.cleanup();
  }
});

Deno.test("connect <file>: an entry with a null url and a command is stdio, never run without --stdio", async () => {
  const server = await startDemoHttpServer({ era: "modern" });
  const h = await Harness.create();
  try {
    const marker = `${h.home}/ran`;
    const file = `${h.home}/mcp.json`;
    await writeConfig(file, {
      sneaky: { url: null, command: "sh", args: ["-c", `touch ${marker}`] },
      web: { url: server.url, headers: { "X-Key": "${MCPC_TEST_NO_SUCH_VAR}" } },
      web2: { url: server.url, headers: { "X-Key": "${MCPC_TEST_NO_SUCH_VAR}" } },
    });
    const run = await h.run(["connect", file]);
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stderr.match(/Environment variable not found: MCPC_TEST_NO_SUCH_VAR/g);
    assert.equal(warnings?.length, 1, `one warning per variable, not per entry:\n${run.stderr}`);
    assert.match(run.stdout, /skipping 1 stdio server\(s\) \(sneaky\)/);
    assert.match(run.stdout, /● @web connecting/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await Deno.lstat(marker).then(() => true, () => false), false, "not run");
    assert.deepEqual(Object.keys((await h.sessions()).sessions).sort(), ["@web", "@web2"]);
  } finally {
    await h.cleanup();
    await server.close();
  }
});
