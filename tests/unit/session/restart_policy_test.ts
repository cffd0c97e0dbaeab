import assert from "node:assert/strict";
import { ago, NOW, sessionRecord, Y2000 } from "../../fakes/session_records.ts";
import type { SessionRecord } from "../../../src/session/session.ts";
import {
  decideAutoRestart,
  DEFAULT_RESTART_POLICY,
  type RestartDecision,
  type SkipReason,
} from "../../../src/session/restart_policy.ts";
function session(fields: Partial<SessionRecord> = {}): SessionRecord {
  return sessionRecord({ status: "crashed", ...fields });
}

function skip(reason: SkipReason): RestartDecision {
  return { restart: false, reason };
}

function restartAs(nextStatus: "connecting" | "reconnecting"): RestartDecision {
  return { restart: true, nextStatus, attemptAt: NOW };
}

const cases: Array<[string, Partial<SessionRecord>, boolean, RestartDecision]> = [
  [
    "bearer-only unauthorized with year-2000 timestamps is never retried",
    {
      status: "unauthorized",
      lastConnectionAttemptAt: Y2000,
      lastSeenAt: Y2000,
    },
    false,
    skip("no-profile"),
  ],
  [
    "unauthorized without a profile or timestamps is never retried",
    {
      status: "unauthorized",
    },
    false,
    skip("no-profile"),
  ],
  [
    "unauthorized with a profile, attempt 11 s ago, seen long ago restarts reconnecting",
    {
      status: "unauthorized",
      profileName: "default",
      lastConnectionAttemptAt: ago(11_000),
      lastSeenAt: Y2000,
    },
    false,
    restartAs("reconnecting"),
  ],
  [
    "unauthorized with a profile, attempt 5 s ago is in cooldown",
    {
      status: "unauthorized",
      profileName: "default",
      lastConnectionAttemptAt: ago(5_000),
    },
    false,
    skip("cooldown"),
  ],
  [
    "crashed, never seen, attempt 11 s ago restarts connecting",
    {
      lastConnectionAttemptAt: ago(11_000),
    },
    false,
    restartAs("connecting"),
  ],
  [
    "crashed, seen 20 s ago, attempt 11 s ago restarts reconnecting",
    {
      lastConnectionAttemptAt: ago(11_000),
      lastSeenAt: ago(20_000),
    },
    false,
    restartAs("reconnecting"),
  ],
  ["crashed without any timestamps restarts connecting", {}, false, restartAs("connecting")],
  [
    "crashed, attempt 5 s ago is in cooldown",
    {
      lastConnectionAttemptAt: ago(5_000),
    },
    false,
    skip("cooldown"),
  ],
  [
    "crashed, attempt exactly 10 s ago is still in cooldown",
    {
      lastConnectionAttemptAt: ago(10_000),
    },
    false,
    skip("cooldown"),
  ],
  [
    "crashed, attempt 10.001 s ago restarts",
    {
      lastConnectionAttemptAt: ago(10_001),
    },
    false,
    restartAs("connecting"),
  ],
  [
    "crashed, attempt in the future is in cooldown",
    {
      lastConnectionAttemptAt: ago(-60_000),
    },
    false,
    skip("cooldown"),
  ],
  [
    "crashed, unparsable attempt time counts as long ago",
    {
      lastConnectionAttemptAt: "garbage",
    },
    false,
    restartAs("connecting"),
  ],
  [
    "crashed, seen 5 s ago is recently seen",
    {
      lastConnectionAttemptAt: ago(60_000),
      lastSeenAt: ago(5_000),
    },
    false,
    skip("recently-seen"),
  ],
  [
    "crashed, seen exactly 10 s ago is still recently seen",
    {
      lastSeenAt: ago(10_000),
    },
    false,
    skip("recently-seen"),
  ],
  [
    "crashed, seen 10.001 s ago restarts reconnecting",
    {
      lastSeenAt: ago(10_001),
    },
    false,
    restartAs("reconnecting"),
  ],
  ["crashed with a live bridge is alive", {}, true, skip("alive")],
  [
    "unauthorized with a profile and a live bridge is alive",
    {
      status: "unauthorized",
      profileName: "default",
    },
    true,
    skip("alive"),
  ],
  ["active is not retryable", { status: "active" }, false, skip("not-retryable")],
  ["expired is not retryable", { status: "expired" }, false, skip("not-retryable")],
  ["connecting is not retryable", { status: "connecting" }, false, skip("not-retryable")],
  ["reconnecting is not retryable", { status: "reconnecting" }, false, skip("not-retryable")],
];

for (const [condition, fields, bridgeAlive, expected] of cases) {
  Deno.test(`decideAutoRestart(): ${condition}`, () => {
    assert.deepEqual(decideAutoRestart(session(fields), { bridgeAlive }, NOW), expected);
  });
}

Deno.test("decideAutoRestart() uses the cooldown from the policy", () => {
  const record = session({ lastConnectionAttemptAt: ago(11_000) });
  assert.deepEqual(
    decideAutoRestart(record, { bridgeAlive: false }, NOW, { cooldownMs: 30_000 }),
    skip("cooldown"),
  );
  assert.deepEqual(
    decideAutoRestart(record, { bridgeAlive: false }, NOW, { cooldownMs: 1_000 }),
    restartAs("connecting"),
  );
});

Deno.test("DEFAULT_RESTART_POLICY has a 10 s cooldown", () => {
  assert.deepEqual(DEFAULT_RESTART_POLICY, { cooldownMs: 10_000 });
});

Deno.test("decideAutoRestart() never restarts a record without a server (legacy record)", () => {
  const legacy = { ...session({ lastConnectionAttemptAt: Y2000 }) } as Partial<SessionRecord>;
  delete legacy.server;
  assert.deepEqual(
    decideAutoRestart(legacy as SessionRecord, { bridgeAlive: false }, NOW),
    { restart: false, reason: "no-server" },
  );
});
