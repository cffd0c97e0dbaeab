import assert from "node:assert/strict";
import {
  type BenchReport,
  checkTarget,
  DEFAULT_RUNS,
  formatMarkdownReport,
  formatRatio,
  formatValue,
  median,
  type MetricSummary,
  parseBenchArgs,
  speedRatio,
  summarizeMetric,
} from "../../../scripts/bench_stats.ts";

function summary(id: string, ours: number, original: number): MetricSummary {
  return summarizeMetric({
    id,
    label: `\`${id}\``,
    unit: "ms",
    ours: [ours],
    original: [original],
  });
}

function report(metrics: MetricSummary[], factor: number): BenchReport {
  return {
    runs: 5,
    rssSamples: 3,
    versions: { deno: "deno 2.9.6", node: "v20.20.2", ours: "0.1.0", original: "0.2.6" },
    metrics,
    target: checkTarget(metrics, { metricId: "tools_call", factor, description: "warm ≥ 3×" }),
  };
}

Deno.test("parseBenchArgs() defaults to 10 runs and Markdown output", () => {
  assert.deepEqual(parseBenchArgs([]), { runs: DEFAULT_RUNS, json: false, help: false });
  assert.equal(DEFAULT_RUNS, 10);
});

Deno.test("parseBenchArgs() reads --runs N, --runs=N and --json", () => {
  assert.deepEqual(parseBenchArgs(["--runs", "5", "--json"]), { runs: 5, json: true, help: false });
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

Deno.test("checkTarget() holds at exactly the factor and fails below it", () => {
  assert.equal(
    checkTarget([summary("tools_call", 100, 300)], {
      metricId: "tools_call",
      factor: 3,
      description: "",
    }).holds,
    true,
  );
  assert.equal(
    checkTarget([summary("tools_call", 100, 299)], {
      metricId: "tools_call",
      factor: 3,
      description: "",
    }).holds,
    false,
  );
});

Deno.test("checkTarget() throws for an unknown metric", () => {
  assert.throws(
    () => checkTarget([summary("version", 1, 2)], { metricId: "nope", factor: 3, description: "" }),
    /no metric "nope"/,
  );
});

Deno.test("formatValue() and formatRatio() round to one and two decimals", () => {
  assert.equal(formatValue(41.26, "ms"), "41.3 ms");
  assert.equal(formatValue(81.44, "MiB"), "81.4 MiB");
  assert.equal(formatRatio(3.256), "3.26×");
});

Deno.test("formatMarkdownReport() prints one table row per metric with medians and ratio", () => {
  const text = formatMarkdownReport(report([summary("tools_call", 50, 500)], 3));
  const lines = text.split("\n");
  assert.equal(lines[0], "| metric | ours (median) | original (median) | ratio (original/ours) |");
  assert.equal(lines[1], "| --- | ---: | ---: | ---: |");
  assert.equal(lines[2], "| `tools_call` | 50.0 ms | 500.0 ms | 10.00× |");
  assert.match(text, /Runs: 5 timed per metric/);
  assert.match(
    text,
    /ours mcpc 0\.1\.0 on deno 2\.9\.6; original @apify\/mcpc 0\.2\.6 on node v20/,
  );
});

Deno.test("formatMarkdownReport() says whether the target holds", () => {
  assert.match(
    formatMarkdownReport(report([summary("tools_call", 100, 400)], 3)),
    /Target "warm ≥ 3×": holds \(4\.00×\)/,
  );
  assert.match(
    formatMarkdownReport(report([summary("tools_call", 100, 200)], 3)),
    /Target "warm ≥ 3×": does NOT hold \(2\.00×\)/,
  );
});

Deno.test("formatMarkdownReport() escapes pipes in labels so the table keeps its columns", () => {
  const metric = { ...summary("tools_call", 1, 2), label: "a | b" };
  assert.match(formatMarkdownReport(report([metric], 1)), /^\| a \\\| b \| /m);
});
