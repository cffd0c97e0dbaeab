import assert from "node:assert/strict";
import { judge } from "../../conformance/expected_failures.ts";
import {
  type Check,
  failureDetail,
  formatTable,
  summaryLine,
  verdictOf,
} from "../../conformance/report.ts";

const NO_OUTPUT = { tool: "", clientStderr: "" };

function check(id: string, status: string, errorMessage?: string): Check {
  return { id, status, errorMessage };
}

Deno.test("verdictOf() passes exit 0 with a successful check", () => {
  assert.deepEqual(
    verdictOf(0, [check("tool-add-numbers", "SUCCESS"), check("server-info", "INFO")], NO_OUTPUT),
    { passed: true, detail: "" },
  );
});

Deno.test("verdictOf() does not count incidental checks as the scenario running", () => {
  const checks = [check("wire-schema-valid", "SUCCESS"), check("skills-list", "SKIPPED", "n/a")];
  assert.equal(verdictOf(0, checks, NO_OUTPUT).passed, true);
  const verdict = verdictOf(0, checks, NO_OUTPUT, { incidental: ["wire-schema-valid"] });
  assert.equal(verdict.passed, false);
  assert.match(verdict.detail, /not exercised.*skills-list: n\/a/);
});

Deno.test("verdictOf() fails a non-zero exit with the failing checks as detail", () => {
  const verdict = verdictOf(1, [
    check("wire-schema-valid", "SUCCESS"),
    check("tool-add-numbers", "FAILURE", "Tool was not called\nmore"),
    check("client-sse-last-event-id", "WARNING", "no Last-Event-ID"),
  ], NO_OUTPUT);
  assert.equal(verdict.passed, false);
  assert.equal(
    verdict.detail,
    "tool-add-numbers: Tool was not called; client-sse-last-event-id (warning): no Last-Event-ID",
  );
});

Deno.test("verdictOf() fails a run whose checks were all skipped", () => {
  const verdict = verdictOf(
    0,
    [check("sep-2640-host-no-prefetch", "SKIPPED", "never listed")],
    NO_OUTPUT,
  );
  assert.equal(verdict.passed, false);
  assert.equal(
    verdict.detail,
    "not exercised, no check succeeded: sep-2640-host-no-prefetch: never listed",
  );
  assert.equal(verdictOf(0, [], NO_OUTPUT).passed, false);
});

Deno.test("verdictOf() fails a run that wrote no checks, even with exit 0", () => {
  assert.deepEqual(verdictOf(0, undefined, NO_OUTPUT), {
    passed: false,
    detail: "the tool wrote no results (exit 0)",
  });
});

Deno.test("failureDetail() puts the tool's complaint and mcpc's errors before the checks", () => {
  const detail = failureDetail(
    [check("a", "FAILURE", "x"), check("a", "FAILURE", "x"), check("b", "SUCCESS")],
    {
      tool: "Starting scenario: s\nClient timed out after 60000ms\n",
      clientStderr: "noise\nmcpc failed: connect: HTTP 400\n",
    },
  );
  assert.equal(detail, "Client timed out after 60000ms; connect: HTTP 400; a: x");
});

Deno.test("formatTable() and summaryLine() show every outcome and count unexpected ones", () => {
  const reason = { reason: "needs 2026-07-28", line: 3 };
  const judgement = judge([
    {
      run: { side: "client", key: "initialize", scenario: "initialize" },
      passed: true,
      detail: "",
    },
    {
      run: { side: "client", key: "tools_call@x", scenario: "tools_call" },
      passed: false,
      detail: "connect: 400",
    },
    {
      run: { side: "client", key: "sse-retry", scenario: "sse-retry" },
      passed: false,
      detail: "timed out",
    },
    {
      run: { side: "client", key: "request-metadata", scenario: "request-metadata" },
      passed: true,
      detail: "",
    },
  ], [
    { side: "client", entry: "tools_call@x", ...reason },
    { side: "client", entry: "request-metadata", ...reason, line: 4 },
    { side: "client", entry: "gone", ...reason, line: 5 },
  ]);
  const lines = formatTable(judgement).split("\n");
  assert.match(lines[1], /^initialize\s+pass$/);
  assert.match(lines[2], /^tools_call@x\s+fail \(expected\) {2}# needs 2026-07-28$/);
  assert.match(lines[3], /^sse-retry\s+FAIL {2}timed out$/);
  assert.match(lines[4], /PASS \(listed as expected failure\) {2}remove line 4/);
  assert.match(lines[5], /^gone\s+STALE {2}expected-failures line 5 matches no run$/);
  assert.match(formatTable(judgement, { details: true }), /# needs 2026-07-28: connect: 400/);
  assert.equal(summaryLine(judgement), "conformance: 1 passed, 3 failed (1 expected failures)");
});
