/**
 * `deno task conformance`: runs the client scenarios of the official MCP
 * conformance tool (pinned below) against mcpc, through `adapter.ts`, and its
 * server scenarios against mcpc's proxy MCP server (`connect --proxy`, in
 * front of the demo server: `proxy_under_test.ts`), and compares the results
 * with `expected-failures.yaml`.
 *
 * Every scenario runs once per protocol revision it lists (extension scenarios
 * once), three at a time, each in its own output folder under a temporary
 * directory. A run passes when the tool exits 0 and at least one of its checks
 * succeeded (a run whose checks were all skipped exercised nothing); its
 * `checks.json` and the adapter's stderr say why one failed (`report.ts`).
 * The tool's own `--expected-failures` is not used: it keys entries by scenario
 * name only, so it cannot tell `tools_call@2025-11-25` from
 * `tools_call@2026-07-28`; `expected_failures.ts` enforces the file instead.
 * Prints a table, then `conformance: N passed, M failed (K expected failures)`,
 * where M counts unexpected failures, listed runs that pass, and entries that
 * match no run. Exits 1 when M is not 0.
 *
 * Usage: `deno task conformance [--details] [scenario | scenario@revision ...]`;
 * `--details` shows why each expected failure failed, too.
 *
 * Layer: edge.
 * @module
 */

import { judge, parseExpectedFailures, type RunResult } from "./expected_failures.ts";
import { type Check, formatTable, summaryLine, verdictOf } from "./report.ts";
import { parseScenarios, runsOf, type ScenarioRun, selectRuns } from "./scenarios.ts";
import { type ProxyUnderTest, startProxyUnderTest } from "./proxy_under_test.ts";

const TOOL = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";
const ROOT = new URL("../../", import.meta.url).pathname;
const EXPECTED_FAILURES = `${ROOT}tests/conformance/expected-failures.yaml`;
/** Runs at once (the machine has 2 cores; each run is the tool, the adapter, mcpc and a bridge). */
const CONCURRENCY = 3;
/** The tool's own bound on the client (`--timeout`). */
const CLIENT_TIMEOUT_MS = 60_000;
/** Our bound on one tool process, in case the tool itself hangs. */
const RUN_TIMEOUT_MS = 120_000;

const DENO_RUN = [
  Deno.execPath(),
  "run",
  "--frozen",
  "--allow-all",
  "--config",
  `${ROOT}deno.json`,
];

interface ToolOutput {
  code: number;
  text: string;
}

async function runTool(args: string[], timeoutMs = RUN_TIMEOUT_MS): Promise<ToolOutput> {
  try {
    const output = await new Deno.Command(DENO_RUN[0], {
      args: [...DENO_RUN.slice(1), TOOL, ...args],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      text: decoder.decode(output.stdout) + decoder.decode(output.stderr),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      code: -1,
      text: `Client test error: the tool did not finish within ${timeoutMs} ms: ${message}`,
    };
  }
}

/**
 * The `--command` the tool runs; it splits it at spaces and appends the server
 * URL, so the paths in it must not contain spaces.
 */
function adapterCommand(): string {
  const command = [...DENO_RUN, `${ROOT}tests/conformance/adapter.ts`].join(" ");
  if (/\s/.test(DENO_RUN.join("") + ROOT)) {
    throw new Error(`Cannot run the conformance adapter: a path in "${command}" contains a space`);
  }
  return command;
}

/** Finds the first file named `name` under `dir` (the tool nests its results). */
async function findFile(dir: string, name: string): Promise<string | undefined> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isFile && entry.name === name) return path;
    if (entry.isDirectory) {
      const found = await findFile(path, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** Checks the tool makes in every server run: they say nothing about the scenario's feature. */
const SERVER_INCIDENTAL_CHECKS = ["wire-schema-valid"];

async function runScenario(
  run: ScenarioRun,
  dir: string,
  proxy: ProxyUnderTest | undefined,
): Promise<RunResult> {
  await Deno.mkdir(dir, { recursive: true });
  const args = run.side === "server"
    ? ["server", "--url", proxy!.url, "--scenario", run.scenario, "-o", dir]
    : [
      "client",
      "--command",
      adapterCommand(),
      "--scenario",
      run.scenario,
      "--timeout",
      String(CLIENT_TIMEOUT_MS),
      "-o",
      dir,
    ];
  if (run.revision) args.push("--spec-version", run.revision);
  const output = await runTool(args);
  await Deno.writeTextFile(`${dir}/tool.log`, output.text);

  const checksFile = await findFile(dir, "checks.json");
  const checks: Check[] | undefined = checksFile
    ? JSON.parse(await Deno.readTextFile(checksFile))
    : undefined;
  const stderrFile = await findFile(dir, "stderr.txt");
  const clientStderr = stderrFile ? await Deno.readTextFile(stderrFile) : "";
  return {
    run,
    ...verdictOf(output.code, checks, { tool: output.text, clientStderr }, {
      incidental: run.side === "server" ? SERVER_INCIDENTAL_CHECKS : [],
    }),
  };
}

/** Runs `task` over `items`, at most `limit` at once, keeping the input order in the result. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
) {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function main(args: string[]): Promise<number> {
  const details = args.includes("--details");
  const filters = args.filter((arg) => arg !== "--details");
  const started = performance.now();
  const listing = await runTool(["list"]);
  if (listing.code !== 0) {
    console.error(`Cannot list the conformance scenarios (exit ${listing.code}):\n${listing.text}`);
    return 1;
  }
  const runs = selectRuns([
    ...runsOf(parseScenarios(listing.text, "client"), "client"),
    ...runsOf(parseScenarios(listing.text, "server"), "server"),
  ], filters);
  const allExpected = parseExpectedFailures(await Deno.readTextFile(EXPECTED_FAILURES));
  const expected = filters.length === 0
    ? allExpected
    : allExpected.filter((entry) =>
      runs.some((run) => entry.entry === run.key || entry.entry === run.scenario)
    );

  const outDir = await Deno.makeTempDir({ prefix: "mcpc-conformance-" });
  const serverRuns = runs.filter((run) => run.side === "server").length;
  console.log(
    `${TOOL}: ${runs.length - serverRuns} client runs and ${serverRuns} server runs (against ` +
      `the proxy of connect --proxy), ${CONCURRENCY} at a time; results in ${outDir}`,
  );
  const proxy = serverRuns > 0 ? await startProxyUnderTest() : undefined;
  let done = 0;
  let results: RunResult[];
  try {
    results = await pool(runs, CONCURRENCY, async (run, index) => {
      const runStarted = performance.now();
      const name = `${String(index).padStart(3, "0")}-${run.side}-${
        run.key.replaceAll(/[^A-Za-z0-9._-]/g, "_")
      }`;
      const result = await runScenario(run, `${outDir}/${name}`, proxy);
      done++;
      const seconds = ((performance.now() - runStarted) / 1000).toFixed(1);
      console.log(
        `[${done}/${runs.length}] ${run.side === "server" ? "server " : ""}${run.key}: ${
          result.passed ? "pass" : "fail"
        } (${seconds} s)`,
      );
      return result;
    });
  } finally {
    await proxy?.close();
  }

  const judgement = judge(results, expected);
  console.log(`\n${formatTable(judgement, { details })}\n`);
  console.log(`Expected failures: ${EXPECTED_FAILURES.slice(ROOT.length)}; tool output: ${outDir}`);
  console.log(`Took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(summaryLine(judgement));
  return judgement.failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
