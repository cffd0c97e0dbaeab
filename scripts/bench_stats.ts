/**
 * The arithmetic and the report of `deno task bench`: flag parsing, medians,
 * the original/ours ratio, the target check and the Markdown table.
 *
 * Layer: pure.
 * @module
 */

/** Unit of a metric's samples. */
export type MetricUnit = "ms" | "MiB";

/** The raw samples of one metric for both implementations (warm-up runs already dropped). */
export interface MetricSamples {
  /** Stable key, e.g. `tools_call`. */
  id: string;
  /** What was measured, as shown in the table (Markdown). */
  label: string;
  /** Unit of every sample. */
  unit: MetricUnit;
  /** Samples of our implementation. */
  ours: number[];
  /** Samples of the original `@apify/mcpc`. */
  original: number[];
}

/** The median and the samples of one implementation for one metric. */
export interface SideSummary {
  /** Median of `samples`. */
  median: number;
  /** The samples the median was taken of. */
  samples: number[];
}

/** One metric reduced to medians and the original/ours ratio. */
export interface MetricSummary {
  /** Stable key, e.g. `tools_call`. */
  id: string;
  /** What was measured (Markdown). */
  label: string;
  /** Unit of the medians. */
  unit: MetricUnit;
  /** Our implementation. */
  ours: SideSummary;
  /** The original `@apify/mcpc`. */
  original: SideSummary;
  /** `original.median / ours.median`: above 1 means ours is faster (or smaller). */
  ratio: number;
}

/** Versions of everything that took part. */
export interface BenchVersions {
  /** First line of `deno --version`. */
  deno: string;
  /** `node --version`. */
  node: string;
  /** Our `VERSION`. */
  ours: string;
  /** What the original prints for `--version`. */
  original: string;
}

/** Whether a metric's ratio reaches a required factor. */
export interface TargetCheck {
  /** Human description of the target, e.g. `warm tools-call ≥ 3× faster`. */
  description: string;
  /** The metric the target is about. */
  metricId: string;
  /** Required ratio (original/ours). */
  factor: number;
  /** The measured ratio. */
  ratio: number;
  /** `ratio >= factor`. */
  holds: boolean;
}

/** Everything one benchmark run found. */
export interface BenchReport {
  /** Timed runs per metric (one more warm-up run each was discarded). */
  runs: number;
  /** Bridge RSS samples per implementation. */
  rssSamples: number;
  /** Versions of both implementations and their runtimes. */
  versions: BenchVersions;
  /** One summary per metric, in table order. */
  metrics: MetricSummary[];
  /** The speed target. */
  target: TargetCheck;
}

/** Options of `deno task bench`. */
export interface BenchOptions {
  /** Timed runs per metric (default {@linkcode DEFAULT_RUNS}). */
  runs: number;
  /** Print the report as JSON instead of Markdown. */
  json: boolean;
  /** Print the usage and stop. */
  help: boolean;
}

/** Timed runs per metric when `--runs` is not given. */
export const DEFAULT_RUNS = 10;

/** Largest accepted `--runs`. */
export const MAX_RUNS = 1000;

/** Usage text of `deno task bench`. */
export const BENCH_USAGE = `Usage: deno task bench [--runs N] [--json]

Compares this mcpc (scripts/mcpc) with the original @apify/mcpc on a local demo server.

Options:
  --runs N   timed runs per metric, plus one discarded warm-up run (default ${DEFAULT_RUNS})
  --json     print the results as JSON instead of a Markdown table
  -h, --help show this help`;

/** Parses the flags of `deno task bench` (`--runs N`, `--runs=N`, `--json`, `--help`). */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const options: BenchOptions = { runs: DEFAULT_RUNS, json: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") options.json = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg === "--runs" || arg.startsWith("--runs=")) {
      const text = arg === "--runs" ? args[++i] : arg.slice("--runs=".length);
      if (text === undefined) throw new TypeError('Cannot parse "--runs": missing value');
      options.runs = parseRuns(text);
    } else {
      throw new TypeError(`Cannot parse arguments: unknown option "${arg}"`);
    }
  }
  return options;
}

/** The median of `values` (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Cannot take the median: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `original / ours`: above 1 means ours is faster (or smaller). */
export function speedRatio(original: number, ours: number): number {
  if (!(ours > 0)) throw new RangeError(`Cannot compute a ratio: ours is ${ours}, expected > 0`);
  return original / ours;
}

/** Reduces a metric's samples to medians and the original/ours ratio. */
export function summarizeMetric(metric: MetricSamples): MetricSummary {
  const ours = median(metric.ours);
  const original = median(metric.original);
  return {
    id: metric.id,
    label: metric.label,
    unit: metric.unit,
    ours: { median: ours, samples: [...metric.ours] },
    original: { median: original, samples: [...metric.original] },
    ratio: speedRatio(original, ours),
  };
}

/** Checks that the metric `metricId` reaches a ratio of at least `factor`. */
export function checkTarget(
  metrics: readonly MetricSummary[],
  options: { metricId: string; factor: number; description: string },
): TargetCheck {
  const metric = metrics.find((candidate) => candidate.id === options.metricId);
  if (metric === undefined) {
    throw new RangeError(`Cannot check the target: no metric "${options.metricId}"`);
  }
  return {
    description: options.description,
    metricId: options.metricId,
    factor: options.factor,
    ratio: metric.ratio,
    holds: metric.ratio >= options.factor,
  };
}

/** Formats a value with one decimal and its unit, e.g. `41.3 ms`. */
export function formatValue(value: number, unit: MetricUnit): string {
  return `${value.toFixed(1)} ${unit}`;
}

/** Formats a ratio with two decimals, e.g. `3.25×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** Renders the report as Markdown: the table, then runs, versions and the target verdict. */
export function formatMarkdownReport(report: BenchReport): string {
  const rows = report.metrics.map((metric) =>
    `| ${escapeCell(metric.label)} | ${formatValue(metric.ours.median, metric.unit)} | ` +
    `${formatValue(metric.original.median, metric.unit)} | ${formatRatio(metric.ratio)} |`
  );
  const { versions, target } = report;
  const verdict = target.holds ? "holds" : "does NOT hold";
  return [
    "| metric | ours (median) | original (median) | ratio (original/ours) |",
    "| --- | ---: | ---: | ---: |",
    ...rows,
    "",
    `- Runs: ${report.runs} timed per metric (plus 1 discarded warm-up run each); ` +
    `bridge RSS: median of ${report.rssSamples} samples.`,
    "- Ratio: original/ours, so above 1 means ours is faster (times) or smaller (RSS).",
    `- Versions: ours mcpc ${versions.ours} on ${versions.deno}; ` +
    `original @apify/mcpc ${versions.original} on node ${versions.node}.`,
    `- Target "${target.description}": ${verdict} (${formatRatio(target.ratio)}).`,
  ].join("\n");
}

function parseRuns(text: string): number {
  const runs = Number(text);
  if (!/^\d+$/.test(text) || runs < 1 || runs > MAX_RUNS) {
    throw new RangeError(
      `Cannot parse "--runs": expected an integer 1..${MAX_RUNS}, got "${text}"`,
    );
  }
  return runs;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}
