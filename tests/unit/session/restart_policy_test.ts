import assert from "node:assert/strict";
import { ago, NOW, sessionRecord, Y2000 } from "../../fakes/session_records.ts";
import type { SessionRecord } from "../../../src/session/session.ts";
import {
  decideAutoRestart,
  DEFAULT_RESTART_POLICY,
  nextRetryAt,
  type RestartDecision,
  retryDelayMs,
  type SkipReason,
} from "../../../src/session/restart_policy.ts";
function session(fields: Partial<SessionRecord> = {}): SessionRecord {
  return sessionRecord({ status: "crashed", ...fields });
}

function skip(reason: SkipReason): RestartDecision {
  return { restart: false, reason };
}

function restartAs(nextStatus: "connecting" | "reconnecting" | "crashed"): RestartDecision {
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
    "crashed, never seen, attempt 11 s ago retries and stays crashed",
    {
      lastConnectionAttemptAt: ago(11_000),
    },
    false,
    restartAs("crashed"),
  ],
  [
    "crashed, seen 20 s ago, attempt 11 s ago retries and stays crashed",
    {
      lastConnectionAttemptAt: ago(11_000),
      lastSeenAt: ago(20_000),
    },
    false,
    restartAs("crashed"),
  ],
  ["crashed without any timestamps retries", {}, false, restartAs("crashed")],
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
    restartAs("crashed"),
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
    restartAs("crashed"),
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
    "crashed, seen 10.001 s ago retries",
    {
      lastSeenAt: ago(10_001),
    },
    false,
    restartAs("crashed"),
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
  [
    "crashed after 1 failure waits the 10 s cooldown",
    { consecutiveFailures: 1, lastConnectionAttemptAt: ago(10_001) },
    false,
    restartAs("crashed"),
  ],
  [
    "crashed after 2 failures waits 20 s: 19 s ago is backoff",
    { consecutiveFailures: 2, lastConnectionAttemptAt: ago(19_000) },
    false,
    skip("backoff"),
  ],
  [
    "crashed after 2 failures, attempt 20.001 s ago retries",
    { consecutiveFailures: 2, lastConnectionAttemptAt: ago(20_001) },
    false,
    restartAs("crashed"),
  ],
  [
    "crashed after 3 failures waits 40 s: 39 s ago is backoff",
    { consecutiveFailures: 3, lastConnectionAttemptAt: ago(39_000) },
    false,
    skip("backoff"),
  ],
  [
    "crashed after 3 failures, attempt 41 s ago retries",
    { consecutiveFailures: 3, lastConnectionAttemptAt: ago(41_000) },
    false,
    restartAs("crashed"),
  ],
  [
    "crashed after 7 failures waits 640 s capped at 10 min: 9 min ago is backoff",
    { consecutiveFailures: 7, lastConnectionAttemptAt: ago(9 * 60_000) },
    false,
    skip("backoff"),
  ],
  [
    "crashed after 50 failures retries once 10 min passed",
    { consecutiveFailures: 50, lastConnectionAttemptAt: ago(10 * 60_000 + 1) },
    false,
    restartAs("crashed"),
  ],
  [
    "unauthorized with a profile ignores the failure count (cooldown only)",
    {
      status: "unauthorized",
      profileName: "p",
      consecutiveFailures: 5,
      lastConnectionAttemptAt: ago(11_000),
    },
    false,
    restartAs("connecting"),
  ],
];

for (const [condition, fields, bridgeAlive, expected] of cases) {
  Deno.test(`decideAutoRestart(): ${condition}`, () => {
    assert.deepEqual(decideAutoRestart(session(fields), { bridgeAlive }, NOW), expected);
  });
}

Deno.test("decideAutoRestart() uses the cooldown from the policy", () => {
  const record = session({ lastConnectionAttemptAt: ago(11_000) });
  assert.deepEqual(
    decideAutoRestart(record, { bridgeAlive: false }, NOW, {
      ...DEFAULT_RESTART_POLICY,
      cooldownMs: 30_000,
    }),
    skip("cooldown"),
  );
  assert.deepEqual(
    decideAutoRestart(record, { bridgeAlive: false }, NOW, {
      ...DEFAULT_RESTART_POLICY,
      cooldownMs: 1_000,
    }),
    restartAs("crashed"),
  );
});

Deno.test("DEFAULT_RESTART_POLICY has a 10 s cooldown, a 10 min cap and 4 launches a listing", () => {
  assert.deepEqual(DEFAULT_RESTART_POLICY, {
    cooldownMs: 10_000,
    maxBackoffMs: 600_000,
    maxLaunches: 4,
  });
});

Deno.test("retryDelayMs() doubles from 10 s per consecutive failure up to 10 min", () => {
  const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => retryDelayMs(n));
  assert.deepEqual(delays, [
    10_000,
    10_000,
    20_000,
    40_000,
    80_000,
    160_000,
    320_000,
    600_000,
    600_000,
    600_000,
  ]);
});

Deno.test("nextRetryAt() is the last attempt plus the backoff, undefined without an attempt", () => {
  assert.equal(
    nextRetryAt(session({ consecutiveFailures: 3, lastConnectionAttemptAt: ago(5_000) })),
    NOW - 5_000 + 40_000,
  );
  assert.equal(nextRetryAt(session({})), undefined);
});

Deno.test("decideAutoRestart() never restarts a record without a server (legacy record)", () => {
  const legacy = { ...session({ lastConnectionAttemptAt: Y2000 }) } as Partial<SessionRecord>;
  delete legacy.server;
  assert.deepEqual(
    decideAutoRestart(legacy as SessionRecord, { bridgeAlive: false }, NOW),
    { restart: false, reason: "no-server" },
  );
});
