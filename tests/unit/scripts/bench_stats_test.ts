import assert from "node:assert/strict";
import {
  allTargetsHold,
  type BenchReport,
  type BenchSection,
  checkTarget,
  DEFAULT_RUNS,
  formatMarkdownReport,
  formatRatio,
  formatTargetCheck,
  formatValue,
  median,
  type MetricSummary,
  parseBenchArgs,
  speedRatio,
  summarizeMetric,
  type TargetSpec,
} from "../../../scripts/bench_stats.ts";

const FASTER: TargetSpec = {
  metricId: "tools_call",
  kind: "faster",
  factor: 10,
  description: "warm ≥ 10×",
};
const SMALLER: TargetSpec = {
  metricId: "bridge_rss",
  kind: "smaller",
  factor: 0.6,
  description: "RSS ≤ 0.6×",
};

function summary(id: string, ours: number, original: number): MetricSummary {
  return summarizeMetric({
    id,
    label: `\`${id}\``,
    unit: id === "bridge_rss" ? "MiB" : "ms",
    ours: [ours],
    original: [original],
  });
}

function section(id: string, metrics: MetricSummary[], targets: TargetSpec[]): BenchSection {
  return {
    id,
    title: `${id} server`,
    notes: [`note about ${id}`],
    protocolVersions: { ours: "2026-07-28", original: "2025-11-25" },
    metrics,
    targets: targets.map((target) => checkTarget(metrics, target)),
  };
}

function report(sections: BenchSection[]): BenchReport {
  return {
    runs: 5,
    rssSamples: 3,
    rssCalls: 20,
    rssSettleMs: 3000,
    versions: {
      deno: "deno 2.9.6",
      node: "v20.20.2",
      ours: "0.1.0",
      oursForm: "from source",
      original: "0.2.6",
    },
    sections,
  };
}

Deno.test("parseBenchArgs() defaults to 10 runs and Markdown output", () => {
  assert.deepEqual(parseBenchArgs([]), {
    runs: DEFAULT_RUNS,
    json: false,
    fromSource: false,
    help: false,
  });
  assert.equal(DEFAULT_RUNS, 10);
});

Deno.test("parseBenchArgs() reads --runs N, --runs=N, --from-source and --json", () => {
  assert.deepEqual(parseBenchArgs(["--runs", "5", "--json"]), {
    runs: 5,
    json: true,
    fromSource: false,
    help: false,
  });
  assert.equal(parseBenchArgs(["--from-source"]).fromSource, true);
  assert.equal(parseBenchArgs(["--runs=7"]).runs, 7);
  assert.equal(parseBenchArgs(["-h"]).help, true);
});

Deno.test("parseBenchArgs() rejects bad run counts and unknown options", () => {
  assert.throws(() => parseBenchArgs(["--runs"]), /missing value/);
  assert.throws(() => parseBenchArgs(["--runs", "0"]), RangeError);
  assert.throws(() => parseBenchArgs(["--runs", "2.5"]), RangeError);
  assert.throws(() => parseBenchArgs(["--runs=1001"]), RangeError);
  assert.throws(() => parseBenchArgs(["--fast"]), /unknown option "--fast"/);
});

Deno.test("median() returns the middle value of an odd count regardless of order", () => {
  assert.equal(median([9, 1, 5]), 5);
});

Deno.test("median() averages the two middle values of an even count", () => {
  assert.equal(median([4, 1, 3, 100]), 3.5);
});

Deno.test("median() throws on no values", () => {
  assert.throws(() => median([]), RangeError);
});

Deno.test("speedRatio() divides original by ours and refuses a zero denominator", () => {
  assert.equal(speedRatio(300, 100), 3);
  assert.equal(speedRatio(50, 100), 0.5);
  assert.throws(() => speedRatio(1, 0), RangeError);
});

Deno.test("summarizeMetric() takes medians of both sides and their ratio", () => {
  const result = summarizeMetric({
    id: "x",
    label: "x",
    unit: "MiB",
    ours: [10, 30, 20],
    original: [90, 60, 30],
  });
  assert.equal(result.ours.median, 20);
  assert.equal(result.original.median, 60);
  assert.equal(result.ratio, 3);
  assert.deepEqual(result.ours.samples, [10, 30, 20]);
  assert.equal(result.unit, "MiB");
});

Deno.test("checkTarget() on a faster target holds at exactly the factor and fails below it", () => {
  const at = checkTarget([summary("tools_call", 100, 1000)], FASTER);
  assert.equal(at.holds, true);
  assert.equal(at.measured, 10);
  assert.equal(checkTarget([summary("tools_call", 100, 999)], FASTER).holds, false);
});

Deno.test("checkTarget() on a smaller target compares ours/original with the factor", () => {
  const at = checkTarget([summary("bridge_rss", 60, 100)], SMALLER);
  assert.equal(at.holds, true);
  assert.equal(at.measured, 0.6);
  const above = checkTarget([summary("bridge_rss", 73, 94)], SMALLER);
  assert.equal(above.holds, false);
  assert.ok(Math.abs(above.measured - 73 / 94) < 1e-12);
});

Deno.test("checkTarget() throws for an unknown metric", () => {
  assert.throws(
    () => checkTarget([summary("version", 1, 2)], { ...FASTER, metricId: "nope" }),
    /no metric "nope"/,
  );
});

Deno.test("checkTarget() refuses a smaller target on an original median of zero", () => {
  assert.throws(() => checkTarget([summary("bridge_rss", 1, 0)], SMALLER), RangeError);
});

Deno.test("allTargetsHold() is true only when every target of every section holds", () => {
  const good = section("legacy", [summary("tools_call", 10, 200)], [FASTER]);
  const bad = section("modern", [summary("tools_call", 10, 50)], [FASTER]);
  assert.equal(allTargetsHold(report([good])), true);
  assert.equal(allTargetsHold(report([good, bad])), false);
});

Deno.test("formatValue() and formatRatio() round to one and two decimals", () => {
  assert.equal(formatValue(41.26, "ms"), "41.3 ms");
  assert.equal(formatValue(81.44, "MiB"), "81.4 MiB");
  assert.equal(formatRatio(3.256), "3.26×");
});

Deno.test("formatTargetCheck() says PASS or FAIL with the measured value and the bound", () => {
  assert.equal(
    formatTargetCheck(checkTarget([summary("tools_call", 50, 600)], FASTER)),
    'Target "warm ≥ 10×": PASS (12.00× faster; needs ≥ 10×)',
  );
  assert.equal(
    formatTargetCheck(checkTarget([summary("bridge_rss", 75, 100)], SMALLER)),
    'Target "RSS ≤ 0.6×": FAIL (0.75× the original\'s; needs ≤ 0.6×)',
  );
});

Deno.test("formatMarkdownReport() prints one table per section with medians and ratio", () => {
  const text = formatMarkdownReport(report([
    section("modern", [summary("tools_call", 50, 500)], [FASTER]),
    section("legacy", [summary("tools_call", 40, 500)], [FASTER]),
  ]));
  const lines = text.split("\n");
  assert.equal(lines[0], "### modern server");
  assert.equal(lines[2], "| metric | ours (median) | original (median) | ratio (original/ours) |");
  assert.equal(lines[3], "| --- | ---: | ---: | ---: |");
  assert.equal(lines[4], "| `tools_call` | 50.0 ms | 500.0 ms | 10.00× |");
  assert.equal(lines[6], "- note about modern");
  assert.ok(text.indexOf("### legacy server") > text.indexOf("- note about modern"));
  assert.match(text, /\| `tools_call` \| 40\.0 ms \| 500\.0 ms \| 12\.50× \|/);
  assert.match(text, /Runs: 5 timed per metric/);
  assert.match(
    text,
    /median of 3 samples, taken after connect \+ 20 warm calls and again once the bridge was idle 3 s/,
  );
  assert.match(
    text,
    /ours mcpc 0\.1\.0 \(from source\) on deno 2\.9\.6; original @apify\/mcpc 0\.2\.6 on node v20/,
  );
});

Deno.test("formatMarkdownReport() gives every target of every section its verdict", () => {
  const metrics = [summary("tools_call", 100, 400), summary("bridge_rss", 50, 100)];
  const text = formatMarkdownReport(report([
    section("modern", metrics, [FASTER, SMALLER]),
    section("legacy", metrics, [FASTER, SMALLER]),
  ]));
  assert.equal(text.match(/Target "warm ≥ 10×": FAIL \(4\.00× faster/g)?.length, 2);
  assert.equal(text.match(/Target "RSS ≤ 0\.6×": PASS \(0\.50× the original's/g)?.length, 2);
});

Deno.test("formatMarkdownReport() escapes pipes in labels so the table keeps its columns", () => {
  const metric = { ...summary("tools_call", 1, 2), label: "a | b" };
  assert.match(formatMarkdownReport(report([section("x", [metric], [])])), /^\| a \\\| b \| /m);
});
