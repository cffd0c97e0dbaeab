/**
 * `deno task bench [--runs N] [--from-source] [--json]`: compares this mcpc as
 * it ships (the bundle `deno task compile` embeds, built into `.bench/bundle`
 * and run by deno; with `--from-source`, `scripts/mcpc`) with the original
 * `@apify/mcpc` (npm-installed into `.bench/original`, run with node) on the
 * bundled demo server (in-process, on 127.0.0.1), and prints Markdown tables
 * or, with `--json`, the results as JSON.
 *
 * Two demo servers run: one serving only MCP 2026-07-28 (modern), one only
 * 2025-11-25 (legacy). Ours is measured against both; the original speaks only
 * 2025 revisions, so it is measured against the legacy server, and the modern
 * section sets our modern numbers against those (labelled so).
 *
 * Measured: wall time of `--version`, the session list (`--json` with one live
 * session), `connect <url> @bench` (closed again between runs, untimed) and a
 * warm `tools-call`; then the memory of a fresh bridge after connect and
 * {@linkcode RSS_CALLS} warm calls, right away and once it has been idle for
 * {@linkcode RSS_SETTLE_MS} (RSS, and its anonymous part, which leaves out
 * the pages of the runtime's executable); the target is on the settled RSS. Each subject (an implementation
 * against one server) gets its own short temporary home under /tmp and runs
 * with it as its working directory, so every bridge it starts can be found
 * through `/proc/<pid>/cwd` and stopped at the end. Linux only (reads `/proc`).
 *
 * Layer: edge (script: npm install, subprocesses, a local server, /proc, temp files).
 * @module
 */

import { VERSION } from "../src/version.ts";
import { PERMISSION_FLAGS } from "../src/platform/self_command.ts";
import { buildBundle } from "./bundle.ts";
import { type DemoHttpServer, startDemoHttpServer } from "./demo_server.ts";
import {
  allTargetsHold,
  BENCH_USAGE,
  type BenchReport,
  type BenchSection,
  checkTarget,
  formatMarkdownReport,
  type MetricUnit,
  parseBenchArgs,
  summarizeMetric,
  type TargetSpec,
} from "./bench_stats.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const LAUNCHER = `${ROOT}/scripts/mcpc`;
const SCRATCH = `${ROOT}/.bench/original`;
const BUNDLE_DIR = `${ROOT}/.bench/bundle`;
const ORIGINAL_PACKAGE = "@apify/mcpc";
const ORIGINAL_VERSION = "0.2.6";
const SESSION = "@bench";
/** The session whose fresh bridge's memory is sampled. */
const RSS_SESSION = "@rss";
/** Warm calls the `@rss` bridge serves before its memory is sampled. */
const RSS_CALLS = 20;
const COMMAND_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 300_000;
const EXIT_WAIT_MS = 5_000;
const SERVER_CLOSE_MS = 10_000;
const RSS_SAMPLES = 5;
const RSS_INTERVAL_MS = 200;
/**
 * How long a bridge waits, idle, after the last call before its settled
 * memory is sampled: long enough for ours to have collected once it went
 * quiet (src/bridge/idle_gc.ts, 1 s) and the same for both implementations.
 * A bridge spends most of its life like this, waiting for the next command.
 */
const RSS_SETTLE_MS = 3_000;
/** What each section must show; checked in every section. */
const TARGETS: readonly TargetSpec[] = [
  {
    metricId: "tools_call",
    kind: "faster",
    factor: 10,
    description: "warm tools-call ≥ 10× faster",
  },
  {
    metricId: "bridge_rss",
    kind: "smaller",
    factor: 0.6,
    description: `bridge RSS after connect + ${RSS_CALLS} calls (settled) ≤ 0.6× the original's`,
  },
];

/** The metrics of every section, in table order. */
const METRICS: readonly { id: string; label: string; unit: MetricUnit }[] = [
  { id: "version", label: "`mcpc --version`", unit: "ms" },
  { id: "connect", label: "`mcpc connect <url> @bench`", unit: "ms" },
  { id: "list", label: "`mcpc --json` (list, 1 live session)", unit: "ms" },
  {
    id: "tools_call",
    label: "`mcpc @bench tools-call echo message:=hi --json` (warm)",
    unit: "ms",
  },
  {
    id: "bridge_rss_busy",
    label: `bridge RSS right after connect + ${RSS_CALLS} warm calls (ratio > 1: ours uses less)`,
    unit: "MiB",
  },
  {
    id: "bridge_rss",
    label: `bridge RSS, the same bridge idle ${RSS_SETTLE_MS / 1000} s later (settled)`,
    unit: "MiB",
  },
  {
    id: "bridge_anon",
    label: "bridge anonymous memory, settled (RSS less the runtime's file pages)",
    unit: "MiB",
  },
];

/** The MCP revision family a demo server speaks. */
type Era = "modern" | "legacy";

/** The revision a bridge should negotiate with each server. */
const ERA_REVISION: Record<Era, string> = { modern: "2026-07-28", legacy: "2025-11-25" };

/** One mcpc under test against one server. */
interface Implementation {
  name: "ours" | "original";
  /** The server it is measured against. */
  era: Era;
  url: string;
  /** Executable and leading arguments that run this mcpc. */
  command: string;
  args: string[];
  /** Its private `MCPC_HOME_DIR`, also the working directory of every command. */
  home: string;
  /** Every bridge PID seen in its `sessions.json`. */
  bridgePids: Set<number>;
  /** The `protocolVersion` its `@bench` session recorded. */
  negotiated: string;
}

interface CommandOutput {
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
}

interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** How the command is named in messages. */
  what: string;
}

/** Aborted on SIGINT, so a run that is cut short still cleans up. */
const interrupt = new AbortController();

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(args);
  } catch (error) {
    console.error(`bench: ${messageOf(error)}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  if (Deno.build.os !== "linux") {
    console.error("bench: Cannot run the benchmark: it reads /proc and runs on Linux only");
    return 1;
  }
  const originalBin = await ensureOriginal();
  const ours = options.fromSource
    ? { command: LAUNCHER, args: [], form: "from source" }
    : await bundledOurs();
  const implementations: Implementation[] = [];
  const servers: DemoHttpServer[] = [];
  const onSigint = () => interrupt.abort(new Error("Interrupted"));
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const urls = {} as Record<Era, string>;
    for (const era of ["modern", "legacy"] as const) {
      const server = await startDemoHttpServer({ host: "127.0.0.1", port: 0, era });
      servers.push(server);
      urls[era] = server.url;
      progress(`${era} demo server at ${server.url}`);
    }
    // Each round runs them in this order; the original speaks only 2025 revisions.
    implementations.push(
      await createImplementation("ours", "legacy", urls.legacy, ours.command, ours.args),
    );
    implementations.push(
      await createImplementation("original", "legacy", urls.legacy, "node", [originalBin]),
    );
    implementations.push(
      await createImplementation("ours", "modern", urls.modern, ours.command, ours.args),
    );
    const report = await measure(implementations, options.runs, ours.form);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatMarkdownReport(report));
    progress(allTargetsHold(report) ? "every target holds" : "some targets do NOT hold");
    return 0;
  } finally {
    for (const implementation of implementations) await cleanUp(implementation);
    for (const server of servers) {
      await withDeadline(server.close(), SERVER_CLOSE_MS, "a demo server to stop")
        .catch((error) => warn(messageOf(error)));
    }
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/** Runs every measurement: metric by metric, each metric in rounds over all subjects. */
async function measure(
  implementations: Implementation[],
  runs: number,
  oursForm: string,
): Promise<BenchReport> {
  const samples = new Map<Implementation, Map<string, number[]>>(
    implementations.map((implementation) => [implementation, new Map()]),
  );
  // Round-robin within each metric: a load change on the machine hits every subject alike.
  const each = async (id: string, runOnce: (implementation: Implementation) => Promise<number>) => {
    progress(
      `measuring ${id} (${runs} rounds + 1 warm-up round over ${implementations.length} subjects)`,
    );
    const collected = new Map(
      implementations.map((implementation) => [implementation, [] as number[]]),
    );
    for (let round = 0; round <= runs; round++) {
      for (const implementation of implementations) {
        const ms = await runOnce(implementation);
        if (round > 0) collected.get(implementation)!.push(ms);
      }
    }
    for (const [implementation, values] of collected) samples.get(implementation)!.set(id, values);
  };

  let originalVersion = "";
  await each("version", async (implementation) => {
    const output = await runChecked(implementation, ["--version"]);
    if (implementation.name === "original") originalVersion = output.stdout.trim();
    return output.ms;
  });
  await each("connect", async (implementation) => {
    const { ms } = await runMcpc(implementation, ["connect", implementation.url, SESSION]);
    await closeSession(implementation, SESSION, await readBridgePid(implementation, SESSION));
    return ms;
  });

  const bridgePids = new Map<Implementation, number>();
  for (const implementation of implementations) {
    await runMcpc(implementation, ["connect", implementation.url, SESSION]);
    bridgePids.set(implementation, await readBridgePid(implementation, SESSION));
    implementation.negotiated = await readProtocolVersion(implementation.home, SESSION);
  }
  await each("list", async (implementation) => {
    return (await runChecked(implementation, ["--json"], checkListOutput)).ms;
  });
  await each("tools_call", async (implementation) => {
    const args = [SESSION, "tools-call", "echo", "message:=hi", "--json"];
    return (await runChecked(implementation, args, checkEchoOutput)).ms;
  });
  for (const implementation of implementations) {
    await closeSession(implementation, SESSION, bridgePids.get(implementation));
  }

  progress(
    `sampling bridge memory after connect + ${RSS_CALLS} calls (${RSS_SAMPLES} samples each)`,
  );
  for (const implementation of implementations) {
    const memory = await measureBridgeMemory(implementation);
    samples.get(implementation)!.set("bridge_rss_busy", memory.busy.rss);
    samples.get(implementation)!.set("bridge_rss", memory.settled.rss);
    samples.get(implementation)!.set("bridge_anon", memory.settled.anonymous);
  }

  const find = (name: Implementation["name"], era: Era) => {
    const found = implementations.find((candidate) =>
      candidate.name === name && candidate.era === era
    );
    if (found === undefined) throw new RangeError(`Cannot find the subject ${name}@${era}`);
    return found;
  };
  const original = find("original", "legacy");
  const section = (era: Era, title: string, notes: string[]): BenchSection => {
    const ours = find("ours", era);
    const metrics = METRICS.map((metric) =>
      summarizeMetric({
        ...metric,
        ours: samples.get(ours)!.get(metric.id) ?? [],
        original: samples.get(original)!.get(metric.id) ?? [],
      })
    );
    return {
      id: era,
      title,
      notes: [...notes, ...eraWarnings(ours, original)],
      protocolVersions: { ours: ours.negotiated, original: original.negotiated },
      metrics,
      targets: TARGETS.map((target) => checkTarget(metrics, target)),
    };
  };
  return {
    runs,
    rssSamples: RSS_SAMPLES,
    rssCalls: RSS_CALLS,
    rssSettleMs: RSS_SETTLE_MS,
    versions: {
      deno: (await runPlain("deno", ["--version"])).split("\n")[0].trim(),
      node: (await runPlain("node", ["--version"])).trim(),
      ours: VERSION,
      oursForm,
      original: originalVersion,
    },
    sections: [
      section("modern", "Modern server (MCP 2026-07-28): ours vs the original on a legacy server", [
        `Ours negotiated MCP ${find("ours", "modern").negotiated} with a server that serves only ` +
        "2026-07-28.",
        `The original speaks only 2025 revisions: its column is its run against the legacy ` +
        `server (MCP ${original.negotiated}), the same numbers as in the legacy section.`,
      ]),
      section("legacy", "Legacy server (MCP 2025-11-25): both on the same server", [
        `Both against a server that serves only 2025-11-25; negotiated: ours MCP ` +
        `${find("ours", "legacy").negotiated}, the original MCP ${original.negotiated}.`,
      ]),
    ],
  };
}

/** Warnings when a bridge did not negotiate the revision its server was meant to serve. */
function eraWarnings(ours: Implementation, original: Implementation): string[] {
  const warnings: string[] = [];
  for (const implementation of [ours, original]) {
    const expected = ERA_REVISION[implementation.era];
    if (implementation.negotiated !== expected) {
      warnings.push(
        `WARNING: ${implementation.name} negotiated "${implementation.negotiated}" with the ` +
          `${implementation.era} server, expected "${expected}"`,
      );
    }
  }
  return warnings;
}

/** Samples of a bridge's RSS and anonymous memory, in MiB. */
interface MemorySamples {
  rss: number[];
  anonymous: number[];
}

/**
 * Connects a fresh `@rss` session, makes {@linkcode RSS_CALLS} warm calls and
 * samples its bridge's memory right away and again after
 * {@linkcode RSS_SETTLE_MS} idle; closes the session again.
 */
async function measureBridgeMemory(
  implementation: Implementation,
): Promise<{ busy: MemorySamples; settled: MemorySamples }> {
  await runMcpc(implementation, ["connect", implementation.url, RSS_SESSION]);
  const pid = await readBridgePid(implementation, RSS_SESSION);
  const args = [RSS_SESSION, "tools-call", "echo", "message:=hi", "--json"];
  for (let i = 0; i < RSS_CALLS; i++) await runChecked(implementation, args, checkEchoOutput);
  const busy = await sampleMemory(pid);
  await delay(RSS_SETTLE_MS);
  const settled = await sampleMemory(pid);
  await closeSession(implementation, RSS_SESSION, pid);
  return { busy, settled };
}

/** Runs one mcpc command and fails the benchmark if `check` finds its stdout wrong. */
async function runChecked(
  implementation: Implementation,
  args: string[],
  check?: (stdout: string) => string | undefined,
): Promise<CommandOutput> {
  const output = await runMcpc(implementation, args);
  const problem = check?.(output.stdout);
  if (problem !== undefined) {
    throw new Error(
      `Unexpected output of ${describe(implementation, args)}: ${problem}\n${
        indent(output.stdout)
      }`,
    );
  }
  return output;
}

/** Closes `session` and makes sure its bridge is gone (stopping it if `close` left it running). */
async function closeSession(
  implementation: Implementation,
  session: string,
  pid: number | undefined,
): Promise<void> {
  await runMcpc(implementation, ["close", session]);
  if (pid === undefined || await waitForExit(pid, EXIT_WAIT_MS)) return;
  warn(
    `${implementation.name}: bridge ${pid} still running ${EXIT_WAIT_MS} ms after "close"; stopping it`,
  );
  await stopProcess(pid);
}

/** The bridge PID of `session` from the implementation's `sessions.json` (remembered for cleanup). */
async function readBridgePid(implementation: Implementation, session: string): Promise<number> {
  const pid = (await readSessionPids(implementation.home)).get(session);
  if (pid === undefined) {
    throw new Error(
      `Cannot find the bridge of ${implementation.name}: no "sessions.${session}.pid" in ` +
        `${implementation.home}/sessions.json`,
    );
  }
  implementation.bridgePids.add(pid);
  return pid;
}

/** The `protocolVersion` that `session` recorded in `<home>/sessions.json` (both mcpcs keep one). */
async function readProtocolVersion(home: string, session: string): Promise<string> {
  const parsed = await readJsonFile(`${home}/sessions.json`);
  const version = fieldOf(fieldOf(fieldOf(parsed, "sessions"), session), "protocolVersion");
  return typeof version === "string" ? version : "unknown";
}

/** Session name → bridge PID, for every session in `<home>/sessions.json` that has one. */
async function readSessionPids(home: string): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(`${home}/sessions.json`));
  } catch {
    return pids;
  }
  const sessions = fieldOf(parsed, "sessions");
  if (typeof sessions !== "object" || sessions === null) return pids;
  for (const [name, record] of Object.entries(sessions)) {
    const pid = fieldOf(record, "pid");
    if (typeof pid === "number" && Number.isInteger(pid) && pid > 0) pids.set(name, pid);
  }
  return pids;
}

/** Reads `VmRSS` and the `Anonymous` total of `pid` a few times, in MiB. */
async function sampleMemory(pid: number): Promise<MemorySamples> {
  const rss: number[] = [];
  const anonymous: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) {
    if (i > 0) await delay(RSS_INTERVAL_MS);
    rss.push(await readProcKib(pid, "status", "VmRSS") / 1024);
    anonymous.push(await readProcKib(pid, "smaps_rollup", "Anonymous") / 1024);
  }
  return { rss, anonymous };
}

/** The `<field>: N kB` line of `/proc/<pid>/<file>`, in KiB. */
async function readProcKib(pid: number, file: string, field: string): Promise<number> {
  const text = await Deno.readTextFile(`/proc/${pid}/${file}`).catch(() => "");
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m").exec(text);
  if (match === null) {
    throw new Error(`Cannot read the memory of bridge ${pid}: no ${field} in /proc/${pid}/${file}`);
  }
  return Number(match[1]);
}

/** Closes every session left, stops every bridge of this home still alive, and removes the home. */
async function cleanUp(implementation: Implementation): Promise<void> {
  const { home } = implementation;
  for (const session of (await readSessionPids(home)).keys()) {
    try {
      await runMcpc(implementation, ["close", session], { ignoreInterrupt: true });
    } catch (error) {
      warn(`${implementation.name}: ${messageOf(error)}`);
    }
  }
  const candidates = new Set([
    ...implementation.bridgePids,
    ...(await readSessionPids(home)).values(),
    ...(await processesIn(home)),
  ]);
  for (const pid of candidates) {
    if (!isAlive(pid) || !(await isInside(pid, home))) continue;
    warn(`${implementation.name}: stopping leftover process ${pid}`);
    await stopProcess(pid);
  }
  await Deno.remove(home, { recursive: true }).catch((error) => warn(messageOf(error)));
}

/** PIDs of processes whose working directory is `dir` or below it. */
async function processesIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === Deno.pid) continue;
    if (await isInside(pid, dir)) pids.push(pid);
  }
  return pids;
}

async function isInside(pid: number, dir: string): Promise<boolean> {
  try {
    const cwd = await Deno.readLink(`/proc/${pid}/cwd`);
    return cwd === dir || cwd.startsWith(`${dir}/`);
  } catch {
    return false;
  }
}

/** Whether `pid` exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (isAlive(pid)) {
    if (performance.now() > deadline) return false;
    await delay(25);
  }
  return true;
}

/** SIGTERM, then SIGKILL if `pid` is still alive after 2 s. */
async function stopProcess(pid: number): Promise<void> {
  signal(pid, "SIGTERM");
  if (await waitForExit(pid, 2_000)) return;
  signal(pid, "SIGKILL");
  if (!(await waitForExit(pid, 1_000))) warn(`process ${pid} survived SIGKILL`);
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Runs one mcpc command of `implementation`; a non-zero exit aborts the benchmark. */
function runMcpc(
  implementation: Implementation,
  args: string[],
  options: { ignoreInterrupt?: boolean } = {},
): Promise<CommandOutput> {
  const env = childEnv({ MCPC_HOME_DIR: implementation.home });
  return runCommand(implementation.command, [...implementation.args, ...args], {
    cwd: implementation.home,
    env,
    timeoutMs: COMMAND_TIMEOUT_MS,
    what: describe(implementation, args),
  }, options.ignoreInterrupt ?? false);
}

/** Runs a helper command (`deno --version`, ...) and returns its stdout. */
async function runPlain(command: string, args: string[]): Promise<string> {
  const what = [command, ...args].join(" ");
  const options = { cwd: ROOT, env: childEnv({}), timeoutMs: COMMAND_TIMEOUT_MS, what };
  return (await runCommand(command, args, options, false)).stdout;
}

/**
 * Spawns `command`, waits (bounded) for it to exit, and returns its output and
 * wall time; kills it by PID if it is still running when the wait ends.
 */
async function runCommand(
  command: string,
  args: string[],
  options: RunOptions,
  ignoreInterrupt: boolean,
): Promise<CommandOutput> {
  if (!ignoreInterrupt) interrupt.signal.throwIfAborted();
  const started = performance.now();
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let exited = false;
  try {
    const output = await withDeadline(
      child.output(),
      options.timeoutMs,
      `"${options.what}" to exit`,
      ignoreInterrupt ? undefined : interrupt.signal,
    );
    const ms = performance.now() - started;
    exited = true;
    const decoder = new TextDecoder();
    const result = {
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      ms,
    };
    if (!output.success) {
      const how = output.signal === null ? `code ${output.code}` : `signal ${output.signal}`;
      throw new Error(
        `Cannot run "${options.what}": it exited with ${how}\n  stderr:\n${
          indent(result.stderr)
        }\n  stdout:\n${indent(result.stdout)}`,
      );
    }
    return result;
  } finally {
    if (!exited) {
      signal(child.pid, "SIGKILL");
      await waitForExit(child.pid, 1_000);
    }
  }
}

/** Installs the original into `.bench/original` unless it is there; returns its `mcpc` bin path. */
async function ensureOriginal(): Promise<string> {
  const packageDir = `${SCRATCH}/node_modules/${ORIGINAL_PACKAGE}`;
  let manifest = await readJsonFile(`${packageDir}/package.json`);
  if (fieldOf(manifest, "version") !== ORIGINAL_VERSION) {
    progress(`installing ${ORIGINAL_PACKAGE}@${ORIGINAL_VERSION} into ${SCRATCH}`);
    await Deno.mkdir(SCRATCH, { recursive: true });
    const spec = `${ORIGINAL_PACKAGE}@${ORIGINAL_VERSION}`;
    const args = ["install", "--prefix", SCRATCH, spec, "--no-audit", "--no-fund"];
    await runCommand("npm", args, {
      cwd: SCRATCH,
      env: childEnv({}),
      timeoutMs: INSTALL_TIMEOUT_MS,
      what: `npm ${args.join(" ")}`,
    }, false);
    manifest = await readJsonFile(`${packageDir}/package.json`);
  }
  const bin = fieldOf(manifest, "bin");
  const relative = typeof bin === "string" ? bin : fieldOf(bin, "mcpc");
  if (typeof relative !== "string") {
    throw new Error(`Cannot find the "mcpc" bin in ${packageDir}/package.json`);
  }
  return `${packageDir}/${relative.replace(/^\.\//, "")}`;
}

/** Builds the bundle and returns how to run it: `deno run` with the binary's permissions. */
async function bundledOurs(): Promise<{ command: string; args: string[]; form: string }> {
  progress("building the bundle (deno task bundle)");
  const main = await buildBundle(BUNDLE_DIR);
  return {
    command: Deno.execPath(),
    args: ["run", "--quiet", "--no-config", ...PERMISSION_FLAGS, main],
    form: "as shipped: the bundle deno task compile embeds, run by deno",
  };
}

async function createImplementation(
  name: Implementation["name"],
  era: Era,
  url: string,
  command: string,
  args: string[],
): Promise<Implementation> {
  const home = await Deno.makeTempDir({ dir: "/tmp", prefix: "mcpcb-" });
  return { name, era, url, command, args, home, bridgePids: new Set(), negotiated: "unknown" };
}

/** This process's environment without `MCPC_*` variables, plus `overrides` and the TLS store. */
function childEnv(overrides: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (!name.startsWith("MCPC_")) env[name] = value;
  }
  return { ...env, DENO_TLS_CA_STORE: "system", ...overrides };
}

function checkListOutput(stdout: string): string | undefined {
  const sessions = fieldOf(parseJson(stdout), "sessions");
  if (!Array.isArray(sessions) || sessions.length !== 1) return "expected exactly one session";
  return fieldOf(sessions[0], "name") === SESSION ? undefined : `expected session "${SESSION}"`;
}

function checkEchoOutput(stdout: string): string | undefined {
  const content = fieldOf(parseJson(stdout), "content");
  const first = Array.isArray(content) ? content[0] : undefined;
  return fieldOf(first, "text") === "hi" ? undefined : 'expected content[0].text "hi"';
}

function describe(implementation: Implementation, args: string[]): string {
  const program = [implementation.command, ...implementation.args].join(" ")
    .replaceAll(`${ROOT}/`, "");
  return `${implementation.name}@${implementation.era}: ${program} ${args.join(" ")}`;
}

async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** Resolves like `promise`, or rejects after `ms` or once `abort` fires. */
async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  abort?: AbortSignal,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
    onAbort = () => reject(abort?.reason);
    abort?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) abort?.removeEventListener("abort", onAbort);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function indent(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed === "" ? "    (empty)" : trimmed.replace(/^/gm, "    ");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function progress(message: string): void {
  console.error(`bench: ${message}`);
}

function warn(message: string): void {
  console.error(`bench: warning: ${message}`);
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    console.error(`bench: ${messageOf(error)}`);
    code = 1;
  }
  Deno.exit(code);
}
