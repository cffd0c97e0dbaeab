/**
 * The expected-failures file and its enforcement. The file uses the
 * conformance tool's baseline layout (a `client:` and a `server:` list), with entries that name
 * a whole scenario (`auth/dpop`, every revision it runs at) or one run of it
 * (`tools_call@2026-07-28`), and a `#` comment giving the reason for each.
 *
 * A run judged against the file is a pass, an expected failure, an unexpected
 * failure (a regression) or an unexpected pass (the entry is stale and must be
 * removed); an entry that matches no run is stale too.
 *
 * Layer: pure.
 * @module
 */

import type { ScenarioRun, Side } from "./scenarios.ts";

/** One entry of the expected-failures file. */
export interface ExpectedFailure {
  /** The list it is in (`client:` or `server:`). */
  side: Side;
  /** `scenario` or `scenario@revision`. */
  entry: string;
  /** The comment that explains it. */
  reason: string;
  /** Its line in the file (1-based). */
  line: number;
}

/**
 * Parses the expected-failures file: comments, blank lines, a `client:` and a
 * `server:` key (each at most once) and their `- entry` items. Each entry
 * needs a reason: a comment at the end of its line, or the nearest comment
 * line above it with no blank line between.
 */
export function parseExpectedFailures(text: string): ExpectedFailure[] {
  const entries: ExpectedFailure[] = [];
  let side: Side | undefined;
  const seenSides = new Set<Side>();
  let pendingReason: string | undefined;
  for (const [index, raw] of text.split("\n").entries()) {
    const line = index + 1;
    const { content, comment } = splitComment(raw);
    if (content.trim() === "") {
      pendingReason = comment ?? (raw.trim() === "" ? undefined : pendingReason);
      continue;
    }
    const key = content.trim();
    if ((key === "client:" || key === "server:") && !/^\s/.test(content)) {
      const next = key.slice(0, -1) as Side;
      if (seenSides.has(next)) {
        throw new SyntaxError(`Cannot read expected failures: line ${line} repeats "${key}"`);
      }
      seenSides.add(next);
      side = next;
      pendingReason = undefined;
      continue;
    }
    const item = content.match(/^\s+-\s+(.+?)\s*$/);
    if (!side || !item) {
      throw new SyntaxError(
        `Cannot read expected failures: line ${line} is not a "client:" or "server:" key or a "- <scenario>" item: "${raw}"`,
      );
    }
    const entry = unquote(item[1]);
    if (entry.includes(":")) {
      throw new SyntaxError(
        `Cannot read expected failures: line ${line}: per-check entries ("${entry}") are not supported`,
      );
    }
    const reason = comment ?? pendingReason;
    if (!reason) {
      throw new SyntaxError(
        `Cannot read expected failures: line ${line}: "${entry}" has no reason comment`,
      );
    }
    entries.push({ side, entry, reason, line });
  }
  checkConsistent(entries);
  return entries;
}

/** Splits a line into its content and its `#` comment (a `#` at the start or after a space). */
function splitComment(raw: string): { content: string; comment?: string } {
  const at = raw.search(/(^|\s)#/);
  if (at === -1) return { content: raw };
  const hash = raw.indexOf("#", at);
  const comment = raw.slice(hash + 1).trim();
  return { content: raw.slice(0, hash), comment: comment === "" ? undefined : comment };
}

function unquote(value: string): string {
  const quoted = value.match(/^(["'])(.*)\1$/);
  return quoted ? quoted[2] : value;
}

/** Refuses duplicate entries and a scenario listed both whole and per revision. */
function checkConsistent(entries: readonly ExpectedFailure[]): void {
  const seen = new Set<string>();
  for (const { side, entry, line } of entries) {
    if (seen.has(`${side} ${entry}`)) {
      throw new SyntaxError(`Cannot read expected failures: line ${line} repeats "${entry}"`);
    }
    seen.add(`${side} ${entry}`);
  }
  for (const { side, entry, line } of entries) {
    const at = entry.lastIndexOf("@");
    if (at > 0 && seen.has(`${side} ${entry.slice(0, at)}`)) {
      throw new SyntaxError(
        `Cannot read expected failures: line ${line}: "${entry}" is redundant, "${
          entry.slice(0, at)
        }" already expects every revision to fail`,
      );
    }
  }
}

/** What the tool reported for one run. */
export interface RunResult {
  /** The run. */
  run: ScenarioRun;
  /** Whether the tool judged the scenario passed. */
  passed: boolean;
  /** Why it failed (failing checks, client errors); empty when it passed. */
  detail: string;
}

/** How a run compares with the expected failures. */
export type Outcome = "pass" | "expected-failure" | "unexpected-failure" | "unexpected-pass";

/** A run with its outcome. */
export interface JudgedRun extends RunResult {
  /** The comparison with the file. */
  outcome: Outcome;
  /** The entry that covers the run, if any. */
  expected?: ExpectedFailure;
}

/** The whole run compared with the file. */
export interface Judgement {
  /** Every run, in the order given. */
  runs: JudgedRun[];
  /** Entries that matched no run (stale: the scenario or revision no longer runs). */
  unusedEntries: ExpectedFailure[];
  /** Runs that passed as expected. */
  passed: number;
  /** Unexpected results: failures, passes of listed runs, and unused entries. */
  failed: number;
  /** Runs that failed as the file expects. */
  expectedFailures: number;
}

/** Compares `results` with `expected` (see the module doc for the four outcomes). */
export function judge(
  results: readonly RunResult[],
  expected: readonly ExpectedFailure[],
): Judgement {
  const used = new Set<ExpectedFailure>();
  const runs = results.map((result): JudgedRun => {
    const entry = expected.find((candidate) =>
      candidate.side === result.run.side &&
      (candidate.entry === result.run.key || candidate.entry === result.run.scenario)
    );
    if (entry) used.add(entry);
    const outcome: Outcome = result.passed
      ? (entry ? "unexpected-pass" : "pass")
      : (entry ? "expected-failure" : "unexpected-failure");
    return entry ? { ...result, outcome, expected: entry } : { ...result, outcome };
  });
  const unusedEntries = expected.filter((entry) => !used.has(entry));
  const count = (outcome: Outcome) => runs.filter((run) => run.outcome === outcome).length;
  return {
    runs,
    unusedEntries,
    passed: count("pass"),
    failed: count("unexpected-failure") + count("unexpected-pass") + unusedEntries.length,
    expectedFailures: count("expected-failure"),
  };
}
