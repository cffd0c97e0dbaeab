import assert from "node:assert/strict";
import { join } from "node:path";
import { explainLostConnection } from "../../../src/app/session_commands.ts";
import { BridgeConnectionLostError } from "../../../src/bridge/client.ts";
import type { AppContext } from "../../../src/context.ts";
import type { SessionRecord } from "../../../src/session/session.ts";
import { SessionStore } from "../../../src/session/session_store.ts";
import { sessionRecord } from "../../fakes/session_records.ts";

/** The request's view of the session: its bridge had PID 100. */
const SEEN = sessionRecord({ pid: 100 });

/** Runs `explainLostConnection` with `stored` (or no record) in a real `sessions.json`. */
async function explain(stored: SessionRecord | undefined) {
  const dir = await Deno.makeTempDir({ prefix: "session_commands_test_" });
  try {
    const sessions = new SessionStore(join(dir, "sessions.json"));
    if (stored) await sessions.update((all) => void (all[stored.name] = stored));
    // Only the session store is consulted.
    const ctx = { sessions } as unknown as AppContext;
    const lost = new BridgeConnectionLostError("Connection to the bridge closed");
    return { lost, result: await explainLostConnection(ctx, SEEN, lost) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("explainLostConnection() says the session was closed when its record is gone", async () => {
  const { result } = await explain(undefined);
  assert.equal(result.kind, "usage");
  assert.equal(
    result.message,
    "Session @s was closed while the request was running; its result is unknown",
  );
});

Deno.test("explainLostConnection() says the session was closed when a new one took its name", async () => {
  const { result } = await explain(
    sessionRecord({ pid: 200, createdAt: "2025-02-01T00:00:00.000Z" }),
  );
  assert.equal(result.kind, "usage");
  assert.match(result.message, /^Session @s was closed while the request was running/);
});

for (
  const [label, stored] of [
    ["another bridge owns the record", sessionRecord({ pid: 200 })],
    [
      "a restart is under way",
      sessionRecord({ status: "reconnecting", lastConnectionAttemptAt: "2025-03-01T00:00:00Z" }),
    ],
  ] as const
) {
  Deno.test(`explainLostConnection() says the session was restarted when ${label}`, async () => {
    const { result } = await explain(stored);
    assert.equal(result.kind, "network");
    assert.equal(
      result.message,
      "Session @s was restarted while the request was running; " +
        "its result is unknown and it was not re-sent",
    );
  });
}

for (
  const [label, stored] of [
    ["the record still names the bridge", sessionRecord({ pid: 100 })],
    ["the bridge gave up its PID as crashed", sessionRecord({ status: "crashed" })],
    ["the bridge recorded the session expired", sessionRecord({ status: "expired" })],
  ] as const
) {
  Deno.test(`explainLostConnection() keeps the original error when ${label}`, async () => {
    const { lost, result } = await explain(stored);
    assert.equal(result, lost);
  });
}
