/**
 * `mcpc clean` against real bridges, records, secrets, logs and sockets in a
 * temporary home: the safe cleanup (dead bridges marked crashed and not
 * restarted, expired and unauthorized sessions deleted with their secrets,
 * old orphaned logs and sockets removed, young ones kept), then `logs`,
 * `profiles`, `sessions` and `all`.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import type { CleanCounts as CleanJson } from "../../src/app/clean.ts";
import { Harness, isAlive, waitFor } from "./harness.ts";

const DAY_MS = 24 * 3600_000;

/** Writes `path` (mode 0600) and dates it `ageMs` back. */
async function oldFile(path: string, ageMs: number): Promise<void> {
  await Deno.writeTextFile(path, "x\n", { mode: 0o600 });
  const when = new Date(Date.now() - ageMs);
  await Deno.utime(path, when, when);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("clean without a target removes only what is stale and restarts nothing", async () => {
  const server = await startDemoHttpServer({ era: "legacy" });
  const h = await Harness.create();
  try {
    for (const name of ["@live", "@dead", "@old", "@locked"]) {
      const connect = await h.run(["connect", server.url, name, "-H", "X-Test: secret-value"]);
      assert.equal(connect.code, 0, connect.stderr);
    }
    const before = (await h.sessions()).sessions;
    const deadPid = before["@dead"].pid!;
    Deno.kill(deadPid, "SIGKILL");
    await waitFor(() => !isAlive(deadPid), 10_000, "the bridge of @dead to die");
    // Two sessions the server gave up on (their bridges gone): expired, and refused (401).
    for (const name of ["@old", "@locked"]) {
      const pid = before[name].pid!;
      Deno.kill(pid, "SIGKILL");
      await waitFor(() => !isAlive(pid), 10_000, `the bridge of ${name} to die`);
    }
    await h.editSessions((file) => {
      // Last tried and seen a minute ago: past the cooldown, so a listing would restart it now.
      const minuteAgo = new Date(Date.now() - 60_000).toISOString();
      file.sessions["@dead"].lastConnectionAttemptAt = minuteAgo;
      file.sessions["@dead"].lastSeenAt = minuteAgo;
      file.sessions["@old"] = { ...before["@old"], status: "expired" };
      file.sessions["@locked"] = { ...before["@locked"], status: "unauthorized" };
      delete file.sessions["@old"].pid;
      delete file.sessions["@locked"].pid;
    });
    const kept = await Deno.readTextFile(`${h.home}/credentials.json`);
    assert.match(kept, /session:@old:/, "the header is kept as a secret until the cleanup");
    await Deno.mkdir(`${h.home}/logs`, { recursive: true });
    await Deno.mkdir(`${h.home}/bridges`, { recursive: true });
    await oldFile(`${h.home}/logs/bridge-@gone.log`, 8 * DAY_MS);
    await oldFile(`${h.home}/logs/bridge-@gone.log.2`, 8 * DAY_MS);
    await oldFile(`${h.home}/logs/bridge-@recent.log`, 1 * DAY_MS);
    await oldFile(`${h.home}/bridges/@gone.4242.sock`, 10 * 60_000);
    await oldFile(`${h.home}/bridges/@young.4343.sock`, 10_000);
    const socketOfDead = `${h.home}/bridges/@dead.${deadPid}.sock`;
    // A live bridge's socket is never an orphan, however old.
    const socketOfLive = `${h.home}/bridges/@live.${before["@live"].pid}.sock`;
    const longAgo = new Date(Date.now() - DAY_MS);
    await Deno.utime(socketOfLive, longAgo, longAgo);

    const result = await h.json<CleanJson>(["clean"]);
    assert.deepEqual(result, {
      crashedBridges: 1,
      expiredSessions: 2,
      orphanedBridgeLogs: 2,
      orphanedSockets: 1,
      sessions: 0,
      profiles: 0,
      logs: 0,
    });
    const after = (await h.sessions()).sessions;
    assert.deepEqual(Object.keys(after).sort(), ["@dead", "@live"]);
    assert.equal(after["@dead"].status, "crashed");
    assert.equal(after["@dead"].pid, undefined, "clean restarts nothing");
    assert.ok(isAlive(after["@live"].pid!), "a live session is left alone");
    assert.ok(!await exists(socketOfDead), "the dead bridge's socket is gone");
    assert.ok(await exists(socketOfLive), "a live bridge's old socket stays");
    assert.equal((await h.run(["@live", "ping"])).code, 0, "and the live session answers");
    assert.ok(!await exists(`${h.home}/logs/bridge-@gone.log`));
    assert.ok(!await exists(`${h.home}/logs/bridge-@gone.log.2`));
    assert.ok(await exists(`${h.home}/logs/bridge-@recent.log`), "a recent orphan log stays");
    assert.ok(!await exists(`${h.home}/bridges/@gone.4242.sock`));
    assert.ok(await exists(`${h.home}/bridges/@young.4343.sock`), "a young socket stays");
    const secrets = await Deno.readTextFile(`${h.home}/credentials.json`).catch(() => "");
    assert.doesNotMatch(secrets, /session:@old:|session:@locked:/, "their secrets are deleted");
    assert.match(secrets, /session:@live:/, "a kept session keeps its secrets");

    const again = await h.run(["clean"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), "✓ No stale resources found");
    assert.equal((await h.sessions()).sessions["@dead"].pid, undefined, "still not restarted");
    // A listing, unlike clean, restarts it: the setup was one that restarts.
    assert.equal((await h.run(["--json"])).code, 0);
    assert.ok((await h.sessions()).sessions["@dead"].pid, "the listing restarted @dead");
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("clean logs, profiles, sessions and all remove what they name", async () => {
  const server = await startDemoHttpServer({ era: "modern" });
  const h = await Harness.create();
  try {
    for (const name of ["@a", "@b"]) {
      assert.equal((await h.run(["connect", server.url, name])).code, 0);
    }
    const pids = Object.values((await h.sessions()).sessions).map((record) => record.pid!);
    // A profile on record, used by @a (the OAuth tests make real ones; clean needs only these).
    await Deno.writeTextFile(
      `${h.home}/profiles.json`,
      JSON.stringify({
        profiles: {
          [server.url]: {
            default: {
              name: "default",
              serverUrl: server.url,
              authType: "oauth",
              createdAt: new Date().toISOString(),
            },
          },
        },
      }),
      { mode: 0o600 },
    );
    await h.editSessions((file) => {
      file.sessions["@a"].profileName = "default";
    });

    const logs = await h.run(["clean", "logs"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^✓ Removed [1-9]\d* log file\(s\)$/m);
    assert.deepEqual(
      [...Deno.readDirSync(`${h.home}/logs`)].filter((entry) => entry.name.startsWith("bridge-")),
      [],
    );

    const profiles = await h.run(["clean", "profiles"]);
    assert.equal(profiles.code, 0, profiles.stderr);
    assert.match(profiles.stdout, /✓ Removed 1 authentication profile\(s\)/);
    assert.match(profiles.stdout, /1 session\(s\) used the removed profiles: @a/);
    const none = await h.json<CleanJson>(["clean", "profiles"]);
    assert.equal(none.profiles, 0);
    assert.equal((await h.run(["clean", "profiles"])).stdout.trim(), "✓ No profiles to remove");

    const sessions = await h.json<CleanJson>(["clean", "sessions"]);
    assert.equal(sessions.sessions, 2);
    assert.deepEqual((await h.sessions()).sessions, {});
    for (const pid of pids) {
      await waitFor(() => !isAlive(pid), 10_000, `bridge ${pid} to stop`);
    }

    assert.equal((await h.run(["connect", server.url, "@c"])).code, 0);
    const all = await h.run(["clean", "all"]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^✓ Cleaned 1 session\(s\), 0 profile\(s\), [1-9]\d* log file\(s\)$/m);
    assert.ok(!await exists(`${h.home}/bridges`), "the emptied folders are removed");
    assert.ok(!await exists(`${h.home}/logs`));
    assert.equal((await h.run(["clean", "all"])).stdout.trim(), "✓ Nothing to clean");

    const bad = await h.run(["clean", "everything"]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /Unknown clean target: "everything"\. Give sessions, profiles, logs or all/,
    );
  } finally {
    await h.cleanup();
    await server.close();
  }
});
