/**
 * Turns what the conformance tool wrote for a run (`checks.json`, the client's
 * stderr) into a one-line failure detail, and a judged run into the table and
 * the summary line `conformance: N passed, M failed`.
 *
 * Layer: pure.
 * @module
 */

import type { JudgedRun, Judgement, Outcome } from "./expected_failures.ts";

/** One entry of the tool's `checks.json` (only the fields used here). */
export interface Check {
  /** The check's id (`tool-add-numbers`). */
  id: string;
  /** `SUCCESS`, `FAILURE`, `WARNING`, `INFO` or `SKIPPED`. */
  status: string;
  /** What went wrong, for a failing check. */
  errorMessage?: string;
  /** What the check verifies. */
  description?: string;
}

/** How long one part of a detail may be. */
const PART_LIMIT = 240;

/** What the tool and the adapter printed for one run. */
export interface RunOutput {
  /** The tool's own stdout and stderr. */
  tool: string;
  /** The client's (the adapter's) stderr, as the tool saved it. */
  clientStderr: string;
}

/**
 * Why a run failed, in one line: the tool's own complaint (client timed out,
 * exited with an error, could not run the scenario), the lines the adapter
 * printed as `mcpc failed:` (the mcpc command and its error), then each failing
 * or warning check as `id: message`, each distinct part once.
 */
export function failureDetail(checks: readonly Check[], output: RunOutput): string {
  const parts: string[] = [];
  for (const line of output.tool.split("\n")) {
    const match = line.match(/^(Client timed out after \d+ms|Client test error.*|Unknown .*)$/);
    if (match) parts.push(match[1]);
  }
  for (const line of output.clientStderr.split("\n")) {
    const match = line.match(/^mcpc failed: (.+)$/);
    if (match) parts.push(match[1]);
  }
  const seen = new Set<string>();
  for (const check of checks) {
    if (check.status !== "FAILURE" && check.status !== "WARNING") continue;
    const message = (check.errorMessage ?? check.description ?? "").split("\n")[0];
    const part = `${check.id}${check.status === "WARNING" ? " (warning)" : ""}: ${message}`;
    if (seen.has(part)) continue;
    seen.add(part);
    parts.push(part);
  }
  return parts.map((part) => part.length > PART_LIMIT ? `${part.slice(0, PART_LIMIT - 1)}…` : part)
    .join("; ");
}

/** The verdict on one run. */
export interface Verdict {
  /** Whether the run counts as passed. */
  passed: boolean;
  /** Why it failed; empty when it passed. */
  detail: string;
}

/**
 * Judges one run from the tool's exit code and its `checks.json` (`undefined`
 * when it wrote none). It passed when the tool exited 0 and at least one check
 * succeeded: a run whose checks were all skipped exercised nothing (the client
 * never reached the feature), so it counts as failed.
 */
export function verdictOf(
  exitCode: number,
  checks: readonly Check[] | undefined,
  output: RunOutput,
  options: { incidental?: readonly string[] } = {},
): Verdict {
  if (checks === undefined) {
    return {
      passed: false,
      detail: failureDetail([], output) || `the tool wrote no results (exit ${exitCode})`,
    };
  }
  if (exitCode !== 0) {
    return {
      passed: false,
      detail: failureDetail(checks, output) || `the tool exited ${exitCode}`,
    };
  }
  // Checks every run makes (a server run's `wire-schema-valid`) do not show the feature ran.
  const incidental = new Set(options.incidental ?? []);
  if (checks.some((check) => check.status === "SUCCESS" && !incidental.has(check.id))) {
    return { passed: true, detail: "" };
  }
  const skipped = checks.find((check) => check.status === "SKIPPED");
  const reason = skipped ? `: ${skipped.id}: ${(skipped.errorMessage ?? "").split("\n")[0]}` : "";
  return { passed: false, detail: `not exercised, no check succeeded${reason}` };
}

const LABELS: Record<Outcome, string> = {
  "pass": "pass",
  "expected-failure": "fail (expected)",
  "unexpected-failure": "FAIL",
  "unexpected-pass": "PASS (listed as expected failure)",
};

/** Options for {@linkcode formatTable}. */
export interface TableOptions {
  /** Show the failure detail of expected failures too (after their reason). */
  details?: boolean;
}

/** The per-run table: key, outcome, and the reason or detail that explains it. */
export function formatTable(judgement: Judgement, options: TableOptions = {}): string {
  const label = (side: string, key: string) => side === "server" ? `server ${key}` : key;
  const width = Math.max(
    8,
    ...judgement.runs.map((run) => label(run.run.side, run.run.key).length),
  );
  const lines = [`${"scenario".padEnd(width)}  result`];
  for (const run of judgement.runs) {
    const note = noteOf(run, options.details ?? false);
    lines.push(
      `${label(run.run.side, run.run.key).padEnd(width)}  ${LABELS[run.outcome]}${
        note ? `  ${note}` : ""
      }`,
    );
  }
  for (const entry of judgement.unusedEntries) {
    lines.push(
      `${
        label(entry.side, entry.entry).padEnd(width)
      }  STALE  expected-failures line ${entry.line} matches no run`,
    );
  }
  return lines.join("\n");
}

function noteOf(run: JudgedRun, details: boolean): string {
  switch (run.outcome) {
    case "pass":
      return "";
    case "expected-failure":
      return `# ${run.expected?.reason ?? ""}${details ? `: ${run.detail}` : ""}`;
    case "unexpected-failure":
      return run.detail;
    case "unexpected-pass": {
      const entry = run.expected;
      if (!entry) return "";
      return entry.entry === run.run.key
        ? `remove line ${entry.line} ("${entry.entry}") from the expected failures`
        : `narrow line ${entry.line} ("${entry.entry}") to the revisions that still fail`;
    }
  }
}

/** The last line: `conformance: N passed, M failed (K expected failures)`. */
export function summaryLine(judgement: Judgement): string {
  return `conformance: ${judgement.passed} passed, ${judgement.failed} failed ` +
    `(${judgement.expectedFailures} expected failures)`;
}
