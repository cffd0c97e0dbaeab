/**
 * The rule the project started from: a session rejected with 401 whose only
 * credentials are a static bearer header stays `unauthorized` and is never
 * retried; a session with an OAuth profile is retried after the cooldown;
 * every auth error names the bridge log file.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { eraTest, Harness, waitFor } from "./harness.ts";

interface Listing {
  sessions: { name: string; status: string; lastConnectionAttemptAt?: string; pid?: number }[];
}

const YEAR_2000 = "2000-01-01T00:00:00.000Z";

async function ageSession(harness: Harness, name: string, extra: Record<string, unknown> = {}) {
  await harness.editSessions((file) => {
    const record = file.sessions[name];
    record.lastConnectionAttemptAt = YEAR_2000;
    record.lastSeenAt = YEAR_2000;
    delete record.pid;
    Object.assign(record, extra);
  });
}

async function statusOf(harness: Harness, name: string) {
  const listing = await harness.json<Listing>([]);
  return listing.sessions.find((session) => session.name === name)!;
}

eraTest(
  "bearer-only unauthorized session is never retried and auth errors name the log",
  async (era) => {
    const server = await startDemoHttpServer({ era, requireBearer: "good-token" });
    const harness = await Harness.create();
    const log = `${harness.home}/logs/bridge-@bearer.log`;
    try {
      const connect = await harness.run([
        "connect",
        server.url,
        "@bearer",
        "--header",
        "Authorization: Bearer bad-token",
      ]);
      assert.equal(connect.code, 4, connect.stderr);
      assert.match(connect.stderr, /Authentication required by server/);
      assert.ok(connect.stderr.includes(`check logs at ${log}`), connect.stderr);
      assert.equal(connect.stdout, "");

      assert.equal((await statusOf(harness, "@bearer")).status, "unauthorized");

      // Wait for the failed bridge to exit, then make every timestamp ancient.
      await harness.stopBridges();
      await ageSession(harness, "@bearer");
      for (let listing = 0; listing < 3; listing++) {
        const session = await statusOf(harness, "@bearer");
        assert.equal(session.status, "unauthorized");
        assert.equal(session.lastConnectionAttemptAt, YEAR_2000);
        assert.equal(session.pid, undefined);
      }
      assert.deepEqual(await harness.bridgePids(), [], "no bridge was started by the listings");

      const human = await harness.run([]);
      assert.match(human.stdout, /@bearer → .* ○ unauthorized/);

      const call = await harness.run(["@bearer", "tools-list"]);
      assert.equal(call.code, 4);
      assert.ok(call.stderr.includes(`check logs at ${log}`), call.stderr);
      const json = await harness.run(["--json", "@bearer", "tools-list"]);
      assert.equal(json.code, 4);
      assert.equal(json.stdout, "");
      const error = JSON.parse(json.stderr);
      assert.equal(error.code, 4);
      assert.ok(error.error.includes(log));
    } finally {
      await harness.cleanup();
      await server.close();
    }
  },
);

eraTest("unauthorized session with an OAuth profile is retried after the cooldown", async (era) => {
  const server = await startDemoHttpServer({ era, requireBearer: "good-token" });
  const harness = await Harness.create();
  try {
    const connect = await harness.run([
      "connect",
      server.url,
      "@oauth",
      "-H",
      "Authorization: Bearer bad-token",
    ]);
    assert.equal(connect.code, 4, connect.stderr);
    await harness.stopBridges();
    const host = new URL(server.url).host;
    await Deno.writeTextFile(
      `${harness.home}/profiles.json`,
      JSON.stringify({
        profiles: {
          [host]: {
            default: {
              name: "default",
              serverUrl: server.url,
              authType: "oauth",
              createdAt: new Date().toISOString(),
            },
          },
        },
      }),
    );
    await ageSession(harness, "@oauth", { profileName: "default" });

    const before = Date.now();
    const retried = await statusOf(harness, "@oauth");
    assert.equal(retried.status, "reconnecting");
    assert.ok(Date.parse(retried.lastConnectionAttemptAt!) >= before - 1000);

    // The retried bridge meets the same 401 and settles back on unauthorized.
    const settled = await waitFor(
      async () => {
        const record = (await harness.sessions()).sessions["@oauth"];
        return record.status === "unauthorized" ? record : undefined;
      },
      20_000,
      "retried bridge to report unauthorized",
    );
    assert.ok(Date.parse(settled.lastConnectionAttemptAt!) >= before - 1000);

    // Within the cooldown a second listing does not retry again.
    const attempt = settled.lastConnectionAttemptAt;
    const again = await statusOf(harness, "@oauth");
    assert.equal(again.status, "unauthorized");
    assert.equal(again.lastConnectionAttemptAt, attempt);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("listing returns promptly while a retried bridge is still connecting", async () => {
  const harness = await Harness.create();
  try {
    await Deno.mkdir(harness.home, { recursive: true });
    await Deno.writeTextFile(
      `${harness.home}/sessions.json`,
      JSON.stringify({
        sessions: {
          "@gone": {
            name: "@gone",
            server: { url: "http://127.0.0.1:9/mcp" },
            status: "crashed",
            createdAt: YEAR_2000,
            lastConnectionAttemptAt: YEAR_2000,
          },
        },
      }),
    );
    const human = await harness.run([]);
    assert.match(human.stdout, /@gone → http:\/\/127\.0\.0\.1:9\/mcp ○ crashed, retrying now/);
    const listing = await statusOf(harness, "@gone");
    assert.equal(listing.status, "crashed", "a retry does not flip the status to connecting");
    const crashed = await waitFor(
      async () => {
        const record = (await harness.sessions()).sessions["@gone"];
        return record.consecutiveFailures === 1 && record.pid === undefined ? record : undefined;
      },
      20_000,
      "unreachable retry to end as a counted failure",
    );
    assert.equal(crashed.status, "crashed");
  } finally {
    await harness.cleanup();
  }
});
