/**
 * `deno task bench [--runs N] [--json]`: compares this mcpc, run from source
 * through `scripts/mcpc`, with the original `@apify/mcpc` (npm-installed into
 * `.bench/original`, run with node) on the bundled demo server (in-process, on
 * 127.0.0.1), and prints a Markdown table or, with `--json`, the results as JSON.
 *
 * Measured: wall time of `--version`, the session list (`--json` with one live
 * session), `connect <url> @bench` (closed again between runs, untimed) and a
 * warm `tools-call`; then the resident memory of each bridge. Each
 * implementation gets its own short temporary home under /tmp and runs with it
 * as its working directory, so every bridge it starts can be found through
 * `/proc/<pid>/cwd` and stopped at the end. Linux only (reads `/proc`).
 *
 * Layer: edge (script: npm install, subprocesses, a local server, /proc, temp files).
 * @module
 */

import { VERSION } from "../src/version.ts";
import { type DemoHttpServer, startDemoHttpServer } from "./demo_server.ts";
import {
  BENCH_USAGE,
  type BenchReport,
  checkTarget,
  formatMarkdownReport,
  type MetricSamples,
  parseBenchArgs,
  summarizeMetric,
} from "./bench_stats.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const LAUNCHER = `${ROOT}/scripts/mcpc`;
const SCRATCH = `${ROOT}/.bench/original`;
const ORIGINAL_PACKAGE = "@apify/mcpc";
const ORIGINAL_VERSION = "0.2.6";
const SESSION = "@bench";
const COMMAND_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 300_000;
const EXIT_WAIT_MS = 5_000;
const SERVER_CLOSE_MS = 10_000;
const RSS_SAMPLES = 5;
const RSS_INTERVAL_MS = 200;
const TARGET = {
  metricId: "tools_call",
  factor: 3,
  description: "warm tools-call ≥ 3× faster",
};

/** One mcpc under test. */
interface Implementation {
  name: "ours" | "original";
  /** Executable and leading arguments that run this mcpc. */
  command: string;
  args: string[];
  /** Its private `MCPC_HOME_DIR`, also the working directory of every command. */
  home: string;
  /** Every bridge PID seen in its `sessions.json`. */
  bridgePids: Set<number>;
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
  const implementations: Implementation[] = [];
  let server: DemoHttpServer | undefined;
  const onSigint = () => interrupt.abort(new Error("Interrupted"));
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    implementations.push(await createImplementation("ours", LAUNCHER, []));
    implementations.push(await createImplementation("original", "node", [originalBin]));
    server = await startDemoHttpServer({ host: "127.0.0.1", port: 0 });
    progress(`demo server at ${server.url}`);
    const report = await measure(implementations, server.url, options.runs);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatMarkdownReport(report));
    return 0;
  } finally {
    for (const implementation of implementations) await cleanUp(implementation);
    if (server !== undefined) {
      await withDeadline(server.close(), SERVER_CLOSE_MS, "the demo server to stop")
        .catch((error) => warn(messageOf(error)));
    }
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/** Runs every measurement, alternating the implementations metric by metric. */
async function measure(
  implementations: Implementation[],
  url: string,
  runs: number,
): Promise<BenchReport> {
  const [ours, original] = implementations;
  const metrics: MetricSamples[] = [];
  const both = async (
    id: string,
    label: string,
    measureOne: (implementation: Implementation) => Promise<number[]>,
  ) => {
    progress(`measuring ${id} (${runs} runs + 1 warm-up each)`);
    const oursSamples = await measureOne(ours);
    const originalSamples = await measureOne(original);
    metrics.push({ id, label, unit: "ms", ours: oursSamples, original: originalSamples });
  };

  let originalVersion = "";
  await both("version", "`mcpc --version`", async (implementation) => {
    const { samples, lastStdout } = await timeRuns(implementation, ["--version"], runs);
    if (implementation.name === "original") originalVersion = lastStdout.trim();
    return samples;
  });
  await both(
    "connect",
    "`mcpc connect <url> @bench`",
    (implementation) => timeConnect(implementation, url, runs),
  );

  const bridgePids = new Map<Implementation, number>();
  for (const implementation of implementations) {
    await runMcpc(implementation, ["connect", url, SESSION]);
    bridgePids.set(implementation, await readBridgePid(implementation));
  }
  await both("list", "`mcpc --json` (list, 1 live session)", async (implementation) => {
    const { samples } = await timeRuns(implementation, ["--json"], runs, checkListOutput);
    return samples;
  });
  await both("tools_call", "`mcpc @bench tools-call echo message:=hi --json` (warm)", async (
    implementation,
  ) => {
    const args = [SESSION, "tools-call", "echo", "message:=hi", "--json"];
    const { samples } = await timeRuns(implementation, args, runs, checkEchoOutput);
    return samples;
  });

  progress(`sampling bridge RSS (${RSS_SAMPLES} samples each)`);
  metrics.push({
    id: "bridge_rss",
    label: "bridge RSS after connect + warm calls (ratio > 1: ours uses less)",
    unit: "MiB",
    ours: await sampleRss(bridgePids.get(ours) ?? 0),
    original: await sampleRss(bridgePids.get(original) ?? 0),
  });
  for (const implementation of implementations) {
    await closeSession(implementation, bridgePids.get(implementation));
  }

  const summaries = metrics.map(summarizeMetric);
  return {
    runs,
    rssSamples: RSS_SAMPLES,
    versions: {
      deno: (await runPlain("deno", ["--version"])).split("\n")[0].trim(),
      node: (await runPlain("node", ["--version"])).trim(),
      ours: VERSION,
      original: originalVersion,
    },
    metrics: summaries,
    target: checkTarget(summaries, TARGET),
  };
}

/** Runs `args` `runs + 1` times and returns the wall times without the first (warm-up) run. */
async function timeRuns(
  implementation: Implementation,
  args: string[],
  runs: number,
  check?: (stdout: string) => string | undefined,
): Promise<{ samples: number[]; lastStdout: string }> {
  const samples: number[] = [];
  let lastStdout = "";
  for (let i = 0; i <= runs; i++) {
    const output = await runMcpc(implementation, args);
    const problem = check?.(output.stdout);
    if (problem !== undefined) {
      throw new Error(
        `Unexpected output of ${describe(implementation, args)}: ${problem}\n${
          indent(output.stdout)
        }`,
      );
    }
    if (i > 0) samples.push(output.ms);
    lastStdout = output.stdout;
  }
  return { samples, lastStdout };
}

/** Times `connect` `runs + 1` times (first discarded), closing the session after each. */
async function timeConnect(
  implementation: Implementation,
  url: string,
  runs: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const { ms } = await runMcpc(implementation, ["connect", url, SESSION]);
    const pid = await readBridgePid(implementation);
    await closeSession(implementation, pid);
    if (i > 0) samples.push(ms);
  }
  return samples;
}

/** Closes `@bench` and makes sure its bridge is gone (stopping it if `close` left it running). */
async function closeSession(
  implementation: Implementation,
  pid: number | undefined,
): Promise<void> {
  await runMcpc(implementation, ["close", SESSION]);
  if (pid === undefined || await waitForExit(pid, EXIT_WAIT_MS)) return;
  warn(
    `${implementation.name}: bridge ${pid} still running ${EXIT_WAIT_MS} ms after "close"; stopping it`,
  );
  await stopProcess(pid);
}

/** The `@bench` bridge PID from the implementation's `sessions.json` (remembered for cleanup). */
async function readBridgePid(implementation: Implementation): Promise<number> {
  const pid = (await readSessionPids(implementation.home)).get(SESSION);
  if (pid === undefined) {
    throw new Error(
      `Cannot find the bridge of ${implementation.name}: no "sessions.${SESSION}.pid" in ` +
        `${implementation.home}/sessions.json`,
    );
  }
  implementation.bridgePids.add(pid);
  return pid;
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

/** Reads `VmRSS` of `pid` a few times, in MiB. */
async function sampleRss(pid: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) {
    if (i > 0) await delay(RSS_INTERVAL_MS);
    const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    if (match === null) throw new Error(`Cannot read the RSS of bridge ${pid}: no VmRSS in /proc`);
    samples.push(Number(match[1]) / 1024);
  }
  return samples;
}

/** Closes `@bench`, stops every bridge of this home still alive, and removes the home. */
async function cleanUp(implementation: Implementation): Promise<void> {
  const { home } = implementation;
  try {
    if ((await readSessionPids(home)).size > 0) {
      await runMcpc(implementation, ["close", SESSION], { ignoreInterrupt: true });
    }
  } catch (error) {
    warn(`${implementation.name}: ${messageOf(error)}`);
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

async function createImplementation(
  name: Implementation["name"],
  command: string,
  args: string[],
): Promise<Implementation> {
  const home = await Deno.makeTempDir({ dir: "/tmp", prefix: "mcpcb-" });
  return { name, command, args, home, bridgePids: new Set() };
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
  const program = implementation.name === "ours"
    ? "scripts/mcpc"
    : `node ${implementation.args.join(" ").replace(`${ROOT}/`, "")}`;
  return `${implementation.name}: ${program} ${args.join(" ")}`;
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
