import assert from "node:assert/strict";
import { ago, NOW, sessionRecord, Y2000 } from "../../fakes/session_records.ts";
import type { SessionRecord } from "../../../src/session/session.ts";
import { type ConsolidateOptions, consolidateSessions } from "../../../src/session/consolidate.ts";
import { DEFAULT_RESTART_POLICY } from "../../../src/session/restart_policy.ts";
const NOW_ISO = new Date(NOW).toISOString();
function session(fields: Partial<SessionRecord> = {}): SessionRecord {
  return sessionRecord({ status: "active", ...fields });
}

function one(record: SessionRecord, alive?: boolean, options: ConsolidateOptions = {}) {
  const liveness: Record<string, boolean> = alive === undefined ? {} : { "@s": alive };
  return consolidateSessions({ "@s": record }, liveness, NOW, options);
}

Deno.test("consolidateSessions() leaves a session with a live bridge unchanged", () => {
  const record = session({ pid: 42, lastSeenAt: ago(1_000) });
  const result = one(record, true);
  assert.deepEqual(result, { sessions: { "@s": record }, changed: false, effects: [] });
});

Deno.test("consolidateSessions() marks an active session with a dead bridge crashed and removes its socket", () => {
  const result = one(session({ pid: 42, lastSeenAt: ago(3_000) }), false);
  assert.deepEqual(result.sessions["@s"], session({ status: "crashed", lastSeenAt: ago(3_000) }));
  assert.ok(!("pid" in result.sessions["@s"]));
  assert.equal(result.changed, true);
  assert.deepEqual(result.effects, [{ type: "removeSocket", sessionName: "@s", pid: 42 }]);
});

Deno.test("consolidateSessions() treats a session missing from liveness as having a dead bridge", () => {
  const result = one(session({ pid: 42, lastSeenAt: ago(3_000) }));
  assert.equal(result.sessions["@s"].status, "crashed");
  assert.deepEqual(result.effects, [{ type: "removeSocket", sessionName: "@s", pid: 42 }]);
});

for (
  const [status, fields] of [
    ["unauthorized", {}],
    ["expired", {}],
    ["crashed", { lastConnectionAttemptAt: ago(2_000) }],
    ["connecting", { lastConnectionAttemptAt: ago(2_000) }],
    ["reconnecting", { lastConnectionAttemptAt: ago(2_000) }],
  ] as const
) {
  Deno.test(`consolidateSessions() keeps status ${status} when its bridge died, dropping the pid`, () => {
    const result = one(session({ status, pid: 42, ...fields }), false);
    assert.deepEqual(result.sessions["@s"], session({ status, ...fields }));
    assert.equal(result.changed, true);
    assert.deepEqual(result.effects, [{ type: "removeSocket", sessionName: "@s", pid: 42 }]);
  });
}

Deno.test("consolidateSessions() marks an active session without a pid crashed", () => {
  const result = one(session({ lastSeenAt: ago(3_000) }), true);
  assert.equal(result.sessions["@s"].status, "crashed");
  assert.equal(result.changed, true);
  assert.deepEqual(result.effects, []);
});

Deno.test("consolidateSessions() restarts a dead active session in the same pass", () => {
  const result = one(session({ pid: 42, lastSeenAt: ago(120_000) }), false);
  assert.deepEqual(
    result.sessions["@s"],
    session({ status: "crashed", lastSeenAt: ago(120_000), lastConnectionAttemptAt: NOW_ISO }),
  );
  assert.deepEqual(result.effects, [
    { type: "removeSocket", sessionName: "@s", pid: 42 },
    { type: "launchBridge", sessionName: "@s" },
  ]);
});

Deno.test("consolidateSessions() retries a stale connecting session, shown as crashed", () => {
  const result = one(session({ status: "connecting", lastConnectionAttemptAt: ago(11_000) }));
  assert.deepEqual(
    result.sessions["@s"],
    session({ status: "crashed", lastConnectionAttemptAt: NOW_ISO }),
  );
  assert.equal(result.changed, true);
  assert.deepEqual(result.effects, [{ type: "launchBridge", sessionName: "@s" }]);
});

Deno.test("consolidateSessions() retries a stale reconnecting session, shown as crashed", () => {
  const fields = { status: "reconnecting" as const, lastSeenAt: ago(300_000) };
  const result = one(session({ ...fields, lastConnectionAttemptAt: ago(11_000) }));
  assert.deepEqual(
    result.sessions["@s"],
    session({ ...fields, status: "crashed", lastConnectionAttemptAt: NOW_ISO }),
  );
  assert.deepEqual(result.effects, [{ type: "launchBridge", sessionName: "@s" }]);
});

Deno.test("consolidateSessions() marks a stale transient session crashed when auto-restart is off", () => {
  const result = one(
    session({ status: "reconnecting", lastConnectionAttemptAt: ago(11_000) }),
    undefined,
    { autoRestart: false },
  );
  assert.equal(result.sessions["@s"].status, "crashed");
  assert.equal(result.sessions["@s"].lastConnectionAttemptAt, ago(11_000));
  assert.equal(result.changed, true);
  assert.deepEqual(result.effects, []);
});

for (
  const [condition, attempt] of [
    ["without an attempt time", undefined],
    ["attempted exactly 10 s ago", ago(10_000)],
    ["attempted 5 s ago", ago(5_000)],
  ] as const
) {
  Deno.test(`consolidateSessions() leaves a connecting session ${condition} unchanged`, () => {
    const record = session({ status: "connecting", lastConnectionAttemptAt: attempt });
    const result = one(record);
    assert.deepEqual(result, { sessions: { "@s": record }, changed: false, effects: [] });
  });
}

Deno.test("consolidateSessions() never retries a bearer-only unauthorized session", () => {
  const record = session({
    status: "unauthorized",
    lastConnectionAttemptAt: Y2000,
    lastSeenAt: Y2000,
  });
  const result = one(record, false);
  assert.deepEqual(result, { sessions: { "@s": record }, changed: false, effects: [] });
});

Deno.test("consolidateSessions() retries an unauthorized session with a profile after the cooldown", () => {
  const result = one(
    session({
      status: "unauthorized",
      profileName: "default",
      lastConnectionAttemptAt: ago(11_000),
      lastSeenAt: Y2000,
    }),
  );
  assert.equal(result.sessions["@s"].status, "reconnecting");
  assert.equal(result.sessions["@s"].lastConnectionAttemptAt, NOW_ISO);
  assert.deepEqual(result.effects, [{ type: "launchBridge", sessionName: "@s" }]);
});

Deno.test("consolidateSessions() leaves a crashed session in its cooldown unchanged", () => {
  const record = session({ status: "crashed", lastConnectionAttemptAt: ago(5_000) });
  const result = one(record);
  assert.deepEqual(result, { sessions: { "@s": record }, changed: false, effects: [] });
});

Deno.test("consolidateSessions() does not restart anything when auto-restart is off", () => {
  const record = session({ status: "crashed", lastConnectionAttemptAt: ago(60_000) });
  const result = one(record, undefined, { autoRestart: false });
  assert.deepEqual(result, { sessions: { "@s": record }, changed: false, effects: [] });
});

Deno.test("consolidateSessions() uses the cooldown from the policy", () => {
  const stale = session({ status: "connecting", lastConnectionAttemptAt: ago(11_000) });
  const result = one(stale, undefined, {
    policy: { ...DEFAULT_RESTART_POLICY, cooldownMs: 30_000 },
  });
  assert.deepEqual(result, { sessions: { "@s": stale }, changed: false, effects: [] });
});

Deno.test("consolidateSessions() drops null and non-object records", () => {
  const kept = session({ pid: 42 });
  const sessions = { "@a": null, "@b": "junk", "@s": kept } as unknown as Record<
    string,
    SessionRecord
  >;
  const result = consolidateSessions(sessions, { "@s": true }, NOW);
  assert.deepEqual(result, { sessions: { "@s": kept }, changed: true, effects: [] });
});

Deno.test("consolidateSessions() handles several sessions at once", () => {
  const sessions: Record<string, SessionRecord> = {
    "@live": session({ name: "@live", pid: 1, lastSeenAt: ago(1_000) }),
    "@dead": session({ name: "@dead", pid: 2, lastSeenAt: ago(2_000) }),
    "@bearer": session({ name: "@bearer", status: "unauthorized", lastSeenAt: Y2000 }),
    "@oauth": session({
      name: "@oauth",
      status: "unauthorized",
      profileName: "work",
      lastConnectionAttemptAt: ago(60_000),
    }),
    "@crashed": session({ name: "@crashed", status: "crashed", pid: 5, lastSeenAt: Y2000 }),
    "@expired": session({ name: "@expired", status: "expired" }),
  };
  const result = consolidateSessions(sessions, { "@live": true, "@dead": false }, NOW);
  assert.deepEqual(result.sessions, {
    "@live": sessions["@live"],
    "@dead": session({ name: "@dead", status: "crashed", lastSeenAt: ago(2_000) }),
    "@bearer": sessions["@bearer"],
    "@oauth": { ...sessions["@oauth"], status: "connecting", lastConnectionAttemptAt: NOW_ISO },
    "@crashed": session({
      name: "@crashed",
      status: "crashed",
      lastSeenAt: Y2000,
      lastConnectionAttemptAt: NOW_ISO,
    }),
    "@expired": sessions["@expired"],
  });
  assert.equal(result.changed, true);
  assert.deepEqual(result.effects, [
    { type: "removeSocket", sessionName: "@dead", pid: 2 },
    { type: "removeSocket", sessionName: "@crashed", pid: 5 },
    // Longest waiting first: @crashed has no attempt recorded, @oauth tried a minute ago.
    { type: "launchBridge", sessionName: "@crashed" },
    { type: "launchBridge", sessionName: "@oauth" },
  ]);
});

Deno.test("consolidateSessions() starts at most 4 bridges, the longest-waiting sessions first", () => {
  const sessions: Record<string, SessionRecord> = {};
  for (let index = 1; index <= 6; index++) {
    sessions[`@c${index}`] = session({
      name: `@c${index}`,
      status: "crashed",
      lastConnectionAttemptAt: ago(60_000 + index * 1_000),
    });
  }
  const result = consolidateSessions(sessions, {}, NOW);
  assert.deepEqual(
    result.effects.map((effect) => effect.sessionName),
    ["@c6", "@c5", "@c4", "@c3"],
  );
  assert.equal(result.sessions["@c1"].lastConnectionAttemptAt, ago(61_000), "not attempted");
  assert.equal(result.sessions["@c6"].lastConnectionAttemptAt, NOW_ISO);
});

Deno.test("consolidateSessions() backs off a session that keeps failing", () => {
  const record = session({
    status: "crashed",
    consecutiveFailures: 3,
    lastConnectionAttemptAt: ago(30_000),
  });
  assert.deepEqual(one(record).effects, [], "40 s after 3 failures, 30 s is too early");
  const later = one({ ...record, lastConnectionAttemptAt: ago(41_000) });
  assert.deepEqual(later.effects, [{ type: "launchBridge", sessionName: "@s" }]);
});

Deno.test("consolidateSessions() ends the stdio server group a dead bridge left behind", () => {
  const group = { pgid: 4242, startTime: "99", marker: "m" };
  const result = one(
    session({ status: "crashed", pid: 42, serverProcess: group, lastConnectionAttemptAt: ago(1) }),
    false,
  );
  assert.deepEqual(result.effects, [
    { type: "removeSocket", sessionName: "@s", pid: 42 },
    { type: "endServerGroup", sessionName: "@s", group },
  ]);
  assert.equal(result.sessions["@s"].serverProcess, undefined);
  const alive = one(session({ pid: 42, serverProcess: group, lastSeenAt: ago(1_000) }), true);
  assert.deepEqual(alive.effects, [], "a live bridge owns its server");
});

Deno.test("consolidateSessions() does not mutate its input and returns new records", () => {
  const sessions: Record<string, SessionRecord> = {
    "@dead": session({ name: "@dead", pid: 2, lastSeenAt: Y2000 }),
    "@live": session({ name: "@live", pid: 1 }),
  };
  const liveness = { "@dead": false, "@live": true };
  const before = structuredClone({ sessions, liveness });
  const result = consolidateSessions(sessions, liveness, NOW);
  assert.deepEqual({ sessions, liveness }, before);
  assert.notEqual(result.sessions, sessions);
  assert.notEqual(result.sessions["@dead"], sessions["@dead"]);
  assert.notEqual(result.sessions["@live"], sessions["@live"]);
});
