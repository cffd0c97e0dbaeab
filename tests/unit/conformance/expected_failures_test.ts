import assert from "node:assert/strict";
import {
  type ExpectedFailure,
  judge,
  parseExpectedFailures,
  type RunResult,
} from "../../conformance/expected_failures.ts";
import type { Side } from "../../conformance/scenarios.ts";

const FILE = `# header comment, not a reason
client:
  # needs 2026-07-28
  - tools_call@2026-07-28
  - request-metadata@2026-07-28

  - auth/dpop # auth: issue 8
  - "sep-2640-client-no-prefetch" # skills
`;

function result(key: string, passed: boolean, side: Side = "client"): RunResult {
  const at = key.indexOf("@");
  const run = at === -1
    ? { side, key, scenario: key }
    : { side, key, scenario: key.slice(0, at), revision: key.slice(at + 1) };
  return { run, passed, detail: passed ? "" : "connect: refused" };
}

function entry(name: string, line = 1, side: Side = "client"): ExpectedFailure {
  return { side, entry: name, reason: "why", line };
}

Deno.test("parseExpectedFailures() reads entries with their reasons and lines", () => {
  assert.deepEqual(parseExpectedFailures(FILE), [
    { side: "client", entry: "tools_call@2026-07-28", reason: "needs 2026-07-28", line: 4 },
    { side: "client", entry: "request-metadata@2026-07-28", reason: "needs 2026-07-28", line: 5 },
    { side: "client", entry: "auth/dpop", reason: "auth: issue 8", line: 7 },
    { side: "client", entry: "sep-2640-client-no-prefetch", reason: "skills", line: 8 },
  ]);
});

Deno.test("parseExpectedFailures() reads a server list apart from the client list", () => {
  const text = "client:\n  - tools-list # client reason\nserver:\n  - tools-list # no such tool\n";
  assert.deepEqual(parseExpectedFailures(text), [
    { side: "client", entry: "tools-list", reason: "client reason", line: 2 },
    { side: "server", entry: "tools-list", reason: "no such tool", line: 4 },
  ]);
});

Deno.test("judge() matches an entry only to runs of its own side", () => {
  const judgement = judge(
    [result("ping@2025-11-25", false, "client"), result("ping@2025-11-25", false, "server")],
    [entry("ping", 3, "server")],
  );
  assert.deepEqual(judgement.runs.map((run) => run.outcome), [
    "unexpected-failure",
    "expected-failure",
  ]);
});

Deno.test("parseExpectedFailures() accepts an empty client list", () => {
  assert.deepEqual(parseExpectedFailures("# nothing fails\nclient:\n"), []);
});

Deno.test("parseExpectedFailures() refuses an entry without a reason", () => {
  assert.throws(
    () => parseExpectedFailures("client:\n  # reason\n  - a\n\n  - b\n"),
    (error: unknown) =>
      error instanceof SyntaxError && /line 5: "b" has no reason/.test(error.message),
  );
});

Deno.test("parseExpectedFailures() refuses other keys, per-check entries, duplicates and overlaps", () => {
  for (
    const [text, message] of [
      ["other:\n  - a # x\n", /line 1 is not a "client:" or "server:" key/],
      ["  - a # x\n", /line 1 is not a "client:" or "server:" key/],
      ["server:\n  - a # x\nserver:\n", /repeats "server:"/],
      ["client:\n  - a:check-id # x\n", /per-check entries/],
      ["client:\n  - a # x\n  - a # y\n", /line 3 repeats "a"/],
      ["client:\n  - a # x\n  - a@2026-07-28 # y\n", /"a@2026-07-28" is redundant/],
      ["client:\nclient:\n", /repeats "client:"/],
    ] as const
  ) {
    assert.throws(
      () => parseExpectedFailures(text),
      (error: unknown) => error instanceof SyntaxError && message.test(error.message),
      text,
    );
  }
});

Deno.test("judge() passes runs that pass unlisted and runs that fail listed", () => {
  const judgement = judge(
    [result("initialize@2025-11-25", true), result("tools_call@2026-07-28", false)],
    [entry("tools_call@2026-07-28")],
  );
  assert.deepEqual(judgement.runs.map((run) => run.outcome), ["pass", "expected-failure"]);
  assert.equal(judgement.passed, 1);
  assert.equal(judgement.failed, 0);
  assert.equal(judgement.expectedFailures, 1);
});

Deno.test("judge() fails an unlisted failing run", () => {
  const judgement = judge([result("sse-retry@2025-11-25", false)], []);
  assert.equal(judgement.runs[0].outcome, "unexpected-failure");
  assert.equal(judgement.failed, 1);
  assert.equal(judgement.passed, 0);
});

Deno.test("judge() fails a listed run that passes", () => {
  const judgement = judge([result("tools_call@2026-07-28", true)], [
    entry("tools_call@2026-07-28"),
  ]);
  assert.equal(judgement.runs[0].outcome, "unexpected-pass");
  assert.equal(judgement.failed, 1);
  assert.equal(judgement.passed, 0);
});

Deno.test("judge() applies a scenario entry to every revision and fails it when one passes", () => {
  const judgement = judge(
    [
      result("auth/dpop", false),
      result("tools_call@2025-11-25", true),
      result("tools_call@2026-07-28", false),
    ],
    [entry("auth/dpop"), entry("tools_call")],
  );
  assert.deepEqual(judgement.runs.map((run) => run.outcome), [
    "expected-failure",
    "unexpected-pass",
    "expected-failure",
  ]);
  assert.equal(judgement.failed, 1);
});

Deno.test("judge() fails an entry that matches no run", () => {
  const judgement = judge([result("initialize@2025-11-25", true)], [
    entry("initialize@2025-06-18", 9),
  ]);
  assert.deepEqual(judgement.unusedEntries.map((unused) => unused.line), [9]);
  assert.equal(judgement.failed, 1);
  assert.equal(judgement.passed, 1);
});

Deno.test("judge() does not let a revision entry cover another revision", () => {
  const judgement = judge([result("tools_call@2025-11-25", false)], [
    entry("tools_call@2026-07-28"),
  ]);
  assert.equal(judgement.runs[0].outcome, "unexpected-failure");
  assert.equal(judgement.unusedEntries.length, 1);
  assert.equal(judgement.failed, 2);
});

Deno.test("parseExpectedFailures() reads the shipped tests/conformance/expected-failures.yaml", async () => {
  const text = await Deno.readTextFile(
    new URL("../../conformance/expected-failures.yaml", import.meta.url),
  );
  const entries = parseExpectedFailures(text);
  assert.ok(entries.length > 0);
  assert.ok(entries.every((entry) => entry.reason.length > 0));
});
