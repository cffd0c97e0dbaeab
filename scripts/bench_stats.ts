/**
 * The arithmetic and the report of `deno task bench`: flag parsing, medians,
 * the original/ours ratio, the target checks and the Markdown tables (one
 * section per kind of server).
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
  /** How ours ran: as shipped (the bundle) or from source. */
  oursForm: string;
  /** What the original prints for `--version`. */
  original: string;
}

/** How a target bounds its metric: `faster` needs original/ours ≥ factor, `smaller` ours/original ≤ factor. */
export type TargetKind = "faster" | "smaller";

/** A required bound on one metric, e.g. warm `tools-call` at least 10× faster. */
export interface TargetSpec {
  /** Human description, e.g. `warm tools-call ≥ 10× faster`. */
  description: string;
  /** The metric the target is about. */
  metricId: string;
  /** Which way the bound goes. */
  kind: TargetKind;
  /** The bound: a minimum speed-up (`faster`) or a maximum fraction of the original (`smaller`). */
  factor: number;
}

/** A target checked against one section's metrics. */
export interface TargetCheck extends TargetSpec {
  /** original/ours for `faster`, ours/original for `smaller`. */
  measured: number;
  /** Whether `measured` is within `factor`. */
  holds: boolean;
}

/** One table of the report: the metrics against one kind of server, and the targets on them. */
export interface BenchSection {
  /** Stable key, e.g. `legacy`. */
  id: string;
  /** Heading (Markdown). */
  title: string;
  /** Lines printed under the table: what was compared with what, warnings. */
  notes: string[];
  /** The MCP revision each side's bridge negotiated. */
  protocolVersions: { ours: string; original: string };
  /** One summary per metric, in table order. */
  metrics: MetricSummary[];
  /** The targets, checked on `metrics`. */
  targets: TargetCheck[];
}

/** Everything one benchmark run found. */
export interface BenchReport {
  /** Timed runs per metric (one more warm-up run each was discarded). */
  runs: number;
  /** Bridge memory samples per implementation. */
  rssSamples: number;
  /** Warm calls a bridge has served when its memory is sampled. */
  rssCalls: number;
  /** How long the bridge had been idle when it was sampled again (settled), in ms. */
  rssSettleMs: number;
  /** Versions of both implementations and their runtimes. */
  versions: BenchVersions;
  /** One section per kind of server. */
  sections: BenchSection[];
}

/** Options of `deno task bench`. */
export interface BenchOptions {
  /** Timed runs per metric (default {@linkcode DEFAULT_RUNS}). */
  runs: number;
  /** Print the report as JSON instead of Markdown. */
  json: boolean;
  /** Run this mcpc from source instead of the bundle it ships as. */
  fromSource: boolean;
  /** Print the usage and stop. */
  help: boolean;
}

/** Timed runs per metric when `--runs` is not given. */
export const DEFAULT_RUNS = 10;

/** Largest accepted `--runs`. */
export const MAX_RUNS = 1000;

/** Usage text of `deno task bench`. */
export const BENCH_USAGE = `Usage: deno task bench [--runs N] [--from-source] [--json]

Compares this mcpc with the original @apify/mcpc on local demo servers: one section for a
2025-11-25 (legacy) server, one for a 2026-07-28 (modern) server. The original speaks only
2025 revisions, so the modern section compares with its legacy-server numbers. This mcpc runs
as it ships: the bundle \`deno task compile\` embeds (built first), run by deno.

Options:
  --runs N        timed runs per metric, plus one discarded warm-up run (default ${DEFAULT_RUNS})
  --from-source   run this mcpc from source (scripts/mcpc) instead of the bundle
  --json          print the results as JSON instead of Markdown tables
  -h, --help      show this help`;

/** Parses the flags of `deno task bench` (`--runs N`, `--runs=N`, `--json`, `--help`). */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const options: BenchOptions = { runs: DEFAULT_RUNS, json: false, fromSource: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") options.json = true;
    else if (arg === "--from-source") options.fromSource = true;
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

/** Checks `target` on the metric it names; throws if `metrics` has no such metric. */
export function checkTarget(metrics: readonly MetricSummary[], target: TargetSpec): TargetCheck {
  const metric = metrics.find((candidate) => candidate.id === target.metricId);
  if (metric === undefined) {
    throw new RangeError(`Cannot check the target: no metric "${target.metricId}"`);
  }
  const measured = target.kind === "faster" ? metric.ratio : fractionOf(metric);
  const holds = target.kind === "faster" ? measured >= target.factor : measured <= target.factor;
  return { ...target, measured, holds };
}

/** Whether every target of every section holds. */
export function allTargetsHold(report: BenchReport): boolean {
  return report.sections.every((section) => section.targets.every((target) => target.holds));
}

/** Formats a value with one decimal and its unit, e.g. `41.3 ms`. */
export function formatValue(value: number, unit: MetricUnit): string {
  return `${value.toFixed(1)} ${unit}`;
}

/** Formats a ratio with two decimals, e.g. `3.25×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** Renders the report as Markdown: one table per section with its notes and target verdicts. */
export function formatMarkdownReport(report: BenchReport): string {
  const { versions } = report;
  const lines: string[] = [];
  for (const section of report.sections) {
    lines.push(`### ${section.title}`, "", ...formatTable(section.metrics), "");
    for (const note of section.notes) lines.push(`- ${note}`);
    for (const target of section.targets) lines.push(`- ${formatTargetCheck(target)}`);
    lines.push("");
  }
  lines.push(
    `- Runs: ${report.runs} timed per metric (plus 1 discarded warm-up run each), taken in ` +
      "rounds over all subjects; " +
      `bridge memory: median of ${report.rssSamples} samples, taken after connect + ` +
      `${report.rssCalls} warm calls and again once the bridge was idle ` +
      `${report.rssSettleMs / 1000} s.`,
    "- Ratio: original/ours, so above 1 means ours is faster (times) or smaller (memory).",
    `- Versions: ours mcpc ${versions.ours} (${versions.oursForm}) on ${versions.deno}; ` +
      `original @apify/mcpc ${versions.original} on node ${versions.node}.`,
  );
  return lines.join("\n");
}

/** One target's verdict, e.g. `Target "warm tools-call ≥ 10× faster": PASS (12.31×)`. */
export function formatTargetCheck(target: TargetCheck): string {
  const verdict = target.holds ? "PASS" : "FAIL";
  const bound = target.kind === "faster"
    ? `needs ≥ ${target.factor}×`
    : `needs ≤ ${target.factor}×`;
  const measured = target.kind === "faster"
    ? `${formatRatio(target.measured)} faster`
    : `${formatRatio(target.measured)} the original's`;
  return `Target "${target.description}": ${verdict} (${measured}; ${bound})`;
}

function formatTable(metrics: readonly MetricSummary[]): string[] {
  return [
    "| metric | ours (median) | original (median) | ratio (original/ours) |",
    "| --- | ---: | ---: | ---: |",
    ...metrics.map((metric) =>
      `| ${escapeCell(metric.label)} | ${formatValue(metric.ours.median, metric.unit)} | ` +
      `${formatValue(metric.original.median, metric.unit)} | ${formatRatio(metric.ratio)} |`
    ),
  ];
}

/** `ours / original` of a metric's medians. */
function fractionOf(metric: MetricSummary): number {
  if (!(metric.original.median > 0)) {
    throw new RangeError(
      `Cannot compute a fraction: the original's median of "${metric.id}" is ` +
        `${metric.original.median}, expected > 0`,
    );
  }
  return metric.ours.median / metric.original.median;
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
