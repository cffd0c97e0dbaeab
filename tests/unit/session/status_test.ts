import assert from "node:assert/strict";
import { ago, NOW, sessionRecord } from "../../fakes/session_records.ts";
import type { DisplayStatus, SessionRecord, StoredStatus } from "../../../src/session/session.ts";
import {
  AUTO_RESTART_COOLDOWN_MS,
  deriveDisplayStatus,
  DISCONNECTED_THRESHOLD_MS,
  isTerminal,
  isTransient,
  parseTimestamp,
  restartStatus,
  STALE_LIVE_MS,
} from "../../../src/session/status.ts";

function session(fields: Partial<SessionRecord> = {}): SessionRecord {
  return sessionRecord({ status: "active", ...fields });
}

Deno.test("status constants match the original's timings", () => {
  assert.equal(DISCONNECTED_THRESHOLD_MS, 65_000);
  assert.equal(AUTO_RESTART_COOLDOWN_MS, 10_000);
  assert.equal(STALE_LIVE_MS, 300_000);
});

const displayCases: Array<
  [string, Partial<SessionRecord>, boolean, DisplayStatus]
> = [
  [
    "stored unauthorized stays unauthorized with a live bridge",
    {
      status: "unauthorized",
      pid: 10,
    },
    true,
    "unauthorized",
  ],
  [
    "stored unauthorized stays unauthorized without a bridge",
    {
      status: "unauthorized",
    },
    false,
    "unauthorized",
  ],
  [
    "stored expired stays expired with a live bridge",
    {
      status: "expired",
      pid: 10,
    },
    true,
    "expired",
  ],
  ["stored expired stays expired without a bridge", { status: "expired" }, false, "expired"],
  [
    "stored connecting without a bridge is connecting",
    {
      status: "connecting",
    },
    false,
    "connecting",
  ],
  [
    "stored reconnecting with a live bridge is reconnecting",
    {
      status: "reconnecting",
      pid: 10,
      lastSeenAt: ago(600_000),
    },
    true,
    "reconnecting",
  ],
  ["active without a pid is crashed", { status: "active" }, true, "crashed"],
  [
    "active with a dead bridge is crashed",
    {
      status: "active",
      pid: 10,
      lastSeenAt: ago(1_000),
    },
    false,
    "crashed",
  ],
  ["stored crashed without a pid is crashed", { status: "crashed" }, false, "crashed"],
  ["active, never seen, live bridge is live", { status: "active", pid: 10 }, true, "live"],
  [
    "active, seen 1 s ago is live",
    {
      status: "active",
      pid: 10,
      lastSeenAt: ago(1_000),
    },
    true,
    "live",
  ],
  [
    "active, seen exactly 65 s ago is still live",
    {
      status: "active",
      pid: 10,
      lastSeenAt: ago(65_000),
    },
    true,
    "live",
  ],
  [
    "active, seen 65.001 s ago is disconnected",
    {
      status: "active",
      pid: 10,
      lastSeenAt: ago(65_001),
    },
    true,
    "disconnected",
  ],
  [
    "active, seen in the year 2000 is disconnected",
    {
      status: "active",
      pid: 10,
      lastSeenAt: "2000-01-01T00:00:00.000Z",
    },
    true,
    "disconnected",
  ],
  [
    "active with an unparsable lastSeenAt is live",
    {
      status: "active",
      pid: 10,
      lastSeenAt: "not a date",
    },
    true,
    "live",
  ],
];

for (const [condition, fields, bridgeAlive, expected] of displayCases) {
  Deno.test(`deriveDisplayStatus() says ${expected}: ${condition}`, () => {
    assert.equal(deriveDisplayStatus(session(fields), { bridgeAlive }, NOW), expected);
  });
}

Deno.test("restartStatus() is reconnecting for a session that was ever seen", () => {
  assert.equal(restartStatus(session({ lastSeenAt: "2000-01-01T00:00:00.000Z" })), "reconnecting");
});

Deno.test("restartStatus() is connecting for a session never seen", () => {
  assert.equal(restartStatus(session()), "connecting");
});

const statuses: StoredStatus[] = [
  "active",
  "connecting",
  "reconnecting",
  "unauthorized",
  "expired",
  "crashed",
];

Deno.test("isTerminal() holds for crashed, expired and unauthorized only", () => {
  assert.deepEqual(statuses.filter(isTerminal), ["unauthorized", "expired", "crashed"]);
});

Deno.test("isTransient() holds for connecting and reconnecting only", () => {
  assert.deepEqual(statuses.filter(isTransient), ["connecting", "reconnecting"]);
});

Deno.test("parseTimestamp() returns epoch milliseconds for an ISO string", () => {
  assert.equal(parseTimestamp("2025-06-01T12:00:00.000Z"), NOW);
});

Deno.test("parseTimestamp() returns undefined for a missing or unparsable value", () => {
  assert.equal(parseTimestamp(undefined), undefined);
  assert.equal(parseTimestamp("yesterday-ish"), undefined);
});

Deno.test("deriveDisplayStatus() keeps a stored crashed status while its bridge still runs", () => {
  const record = session({ status: "crashed", pid: 42, lastSeenAt: ago(1_000) });
  assert.equal(deriveDisplayStatus(record, { bridgeAlive: true }, NOW), "crashed");
});

Deno.test("attemptIsFresh() holds within the 10 s cooldown after the last attempt only", async () => {
  const { attemptIsFresh } = await import("../../../src/session/status.ts");
  assert.equal(attemptIsFresh(sessionRecord({ lastConnectionAttemptAt: ago(9_999) }), NOW), true);
  assert.equal(attemptIsFresh(sessionRecord({ lastConnectionAttemptAt: ago(10_000) }), NOW), false);
  assert.equal(attemptIsFresh(sessionRecord({}), NOW), false);
});
