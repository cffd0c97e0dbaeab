/**
 * The client command the official MCP conformance tool runs for each client
 * scenario. It uses mcpc the way a person would: `connect <url> @conf`,
 * `tools-list`, a `tools-call` per planned call (`plan.ts`); on a server that
 * declares the Skills extension `skills-list` and a `skills-pull` per planned
 * pull (into the temporary home); then `close`, all through
 * `scripts/mcpc --json` in a private, temporary `MCPC_HOME_DIR`.
 *
 * Usage (by the tool): `adapter.ts <server-url>` with `MCP_CONFORMANCE_SCENARIO`
 * and, for some scenarios, `MCP_CONFORMANCE_CONTEXT` in the environment. The
 * protocol revision the tool asks for (`MCP_CONFORMANCE_PROTOCOL_VERSION`) is
 * left to mcpc, which has no option to choose one.
 *
 * Exits 0 when every mcpc command succeeded, 1 otherwise. The bridge is always
 * stopped (`close`, then SIGKILL by PID) and the home removed.
 *
 * Layer: edge.
 * @module
 */

import { declaresSkills } from "../../src/mcp/skill_types.ts";
import { type ListedSkill, type ListedTool, planCalls, planSkillPulls } from "./plan.ts";

const MCPC = new URL("../../scripts/mcpc", import.meta.url).pathname;
const SESSION = "@conf";
/** mcpc's exit code for "authentication required". */
const AUTH_EXIT_CODE = 4;
/** The Client ID Metadata Document URL the conformance tool's CIMD scenario expects. */
const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";
/** The `MCPC_BROWSER` that approves the login (`browser.ts`). */
const BROWSER = new URL("./browser", import.meta.url).pathname;
/** Bound on one mcpc command. */
const COMMAND_TIMEOUT_MS = 25_000;
/** Bound on the whole flow before clean-up (run.ts gives the client 60 s in all). */
const FLOW_BUDGET_MS = 45_000;
/** `--timeout` for each MCP request, in seconds. */
const REQUEST_TIMEOUT_S = "20";
/** Bound on `close` during clean-up. */
const CLOSE_TIMEOUT_MS = 10_000;

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/mcpc args...` in `home`, logging the command and its output. */
async function mcpc(home: string, args: string[], timeoutMs: number): Promise<CommandResult> {
  log(`$ mcpc ${args.join(" ")}`);
  if (timeoutMs <= 0) {
    log("(not run: the adapter is out of time)");
    return { code: -1, stdout: "", stderr: "not run: the adapter is out of time" };
  }
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    MCPC_HOME_DIR: home,
    MCPC_BROWSER: BROWSER,
    NO_COLOR: "1",
  };
  delete env.MCPC_JSON;
  delete env.MCPC_VERBOSE;
  try {
    const output = await new Deno.Command(MCPC, {
      args,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const decoder = new TextDecoder();
    const result = {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
    if (result.stdout) log(result.stdout.trimEnd());
    if (result.stderr) log(result.stderr.trimEnd());
    log(`(exit ${result.code})`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`(mcpc did not finish within ${timeoutMs} ms: ${message})`);
    return { code: -1, stdout: "", stderr: `did not finish within ${timeoutMs} ms` };
  }
}

function log(line: string): void {
  console.log(line);
}

/** Runs the user flow; returns one `step: message` line per mcpc command that failed. */
async function runFlow(home: string, url: string, scenario: string): Promise<string[]> {
  const deadline = Date.now() + FLOW_BUDGET_MS;
  const run = (args: string[]) =>
    mcpc(
      home,
      ["--json", "--timeout", REQUEST_TIMEOUT_S, ...args],
      Math.min(COMMAND_TIMEOUT_MS, deadline - Date.now()),
    );

  // "Authentication required" (exit 4): log in (the browser approves), then try again, once.
  const login = async () => run(["login", url, ...await loginOptions(parseContext(), home)]);
  const withLogin = async (args: string[]) => {
    const first = await run(args);
    if (first.code !== AUTH_EXIT_CODE) return first;
    const loggedIn = await login();
    return loggedIn.code === 0 ? await run(args) : loggedIn;
  };

  const connect = await withLogin(["connect", url, SESSION]);
  if (connect.code !== 0) return [failure("connect", connect)];

  const list = await withLogin([SESSION, "tools-list"]);
  if (list.code !== 0) return [failure("tools-list", list)];
  let tools: ListedTool[];
  try {
    tools = JSON.parse(list.stdout) as ListedTool[];
  } catch {
    return ["tools-list: the output is not JSON"];
  }

  const failed: string[] = [];
  for (const call of planCalls(scenario, tools, { context: parseContext() })) {
    const result = await withLogin([
      SESSION,
      "tools-call",
      call.name,
      JSON.stringify(call.arguments),
      // The person at the keyboard takes every default a form offers (SEP-1034).
      "--input",
      "{}",
    ]);
    if (result.code !== 0) failed.push(failure(`tools-call ${call.name}`, result));
  }
  if (declaresSkills(capabilitiesOf(connect.stdout))) {
    failed.push(...await runSkills(withLogin, home, scenario));
  }
  return failed;
}

/** `skills-list`, then each planned `skills-pull` into a folder of the home. */
async function runSkills(
  run: (args: string[]) => Promise<CommandResult>,
  home: string,
  scenario: string,
): Promise<string[]> {
  const list = await run([SESSION, "skills-list"]);
  if (list.code !== 0) return [failure("skills-list", list)];
  let skills: ListedSkill[];
  try {
    skills = JSON.parse(list.stdout) as ListedSkill[];
  } catch {
    return ["skills-list: the output is not JSON"];
  }
  const failed: string[] = [];
  for (const [index, skill] of planSkillPulls(scenario, skills).entries()) {
    const pull = await run([SESSION, "skills-pull", skill, `${home}/skills/${index}`]);
    if (pull.code !== 0) failed.push(failure(`skills-pull ${skill}`, pull));
  }
  return failed;
}

/** The server capabilities in `connect --json` output (`[{ capabilities, ... }]`). */
function capabilitiesOf(stdout: string): Record<string, unknown> | undefined {
  try {
    const document = JSON.parse(stdout) as unknown;
    const first = Array.isArray(document) ? document[0] : document;
    const capabilities = (first as { capabilities?: unknown } | undefined)?.capabilities;
    return typeof capabilities === "object" && capabilities !== null
      ? capabilities as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/** `step: message`, the message taken from mcpc's `--json` error document when there is one. */
function failure(step: string, result: CommandResult): string {
  let message = result.stderr.trim().split("\n")[0] || `exit ${result.code}`;
  try {
    const document = JSON.parse(result.stderr) as { error?: unknown };
    if (typeof document.error === "string") message = document.error.split("\n")[0];
  } catch {
    // Not a JSON error document: keep the first line.
  }
  return `${step}: ${message}`;
}

/**
 * The `login` options of a user who has a Client ID Metadata Document and wants DPoP-bound tokens
 * where the server offers them, plus the client the scenario's context names: a pre-registered
 * one (id and secret), or a machine client with a private key (written to a 0600 file in the
 * temporary home, as a user would keep it).
 */
async function loginOptions(context: unknown, home: string): Promise<string[]> {
  const preferences = ["--dpop"];
  const fields = typeof context === "object" && context !== null
    ? context as Record<string, unknown>
    : {};
  const { client_id: id, client_secret: secret, private_key_pem: pem } = fields;
  // A user with a Client ID Metadata Document names it; mcpc uses it where the server supports CIMD.
  if (typeof id !== "string") {
    return [...preferences, "--client-metadata-url", CLIENT_METADATA_URL];
  }
  if (typeof pem === "string") {
    const path = `${home}/client-key.pem`;
    await Deno.writeTextFile(path, pem, { mode: 0o600 });
    const alg = typeof fields.signing_algorithm === "string" ? fields.signing_algorithm : "ES256";
    return [...preferences, "--client-id", id, "--client-key", path, "--client-key-alg", alg];
  }
  return [
    ...preferences,
    "--client-id",
    id,
    ...(typeof secret === "string" ? ["--client-secret", secret] : []),
  ];
}

function parseContext(): unknown {
  const text = Deno.env.get("MCP_CONFORMANCE_CONTEXT");
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Closes the session, then kills whatever bridge of this home still runs, then removes the home. */
async function cleanUp(home: string): Promise<void> {
  await mcpc(home, ["--json", SESSION, "close"], CLOSE_TIMEOUT_MS);
  for (const pid of (await bridgePids(home)).filter(isBridge)) {
    try {
      Deno.kill(pid, "SIGKILL");
      log(`bridge ${pid} still ran after close: killed it`);
    } catch {
      // Already gone.
    }
  }
  await Deno.remove(home, { recursive: true }).catch(() => {});
}

/** PIDs recorded for this home: `sessions.json` records and `bridges/@name.<pid>.sock` files. */
async function bridgePids(home: string): Promise<number[]> {
  const pids = new Set<number>();
  try {
    const file = JSON.parse(await Deno.readTextFile(`${home}/sessions.json`)) as {
      sessions?: Record<string, { pid?: number }>;
    };
    for (const record of Object.values(file.sessions ?? {})) {
      if (typeof record.pid === "number") pids.add(record.pid);
    }
  } catch {
    // No sessions file: nothing was recorded.
  }
  try {
    for await (const entry of Deno.readDir(`${home}/bridges`)) {
      const match = entry.name.match(/\.(\d+)\.sock$/);
      if (match) pids.add(Number(match[1]));
    }
  } catch {
    // No bridges folder.
  }
  return [...pids];
}

/** Whether `pid` is still an mcpc bridge (so a reused PID is never killed). */
function isBridge(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("__bridge");
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const url = Deno.args.at(-1);
  const scenario = Deno.env.get("MCP_CONFORMANCE_SCENARIO") ?? "";
  if (!url) {
    console.error("Usage: adapter.ts <server-url> (with MCP_CONFORMANCE_SCENARIO set)");
    return 1;
  }
  log(`scenario ${scenario || "(none)"} at ${url}`);
  // Short and under /tmp, so the bridge's socket path stays within the Unix limit.
  const home = await Deno.makeTempDir({ dir: "/tmp", prefix: "mcpcc-" });
  const stop = () => {
    cleanUp(home).finally(() => Deno.exit(1));
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  let failed: string[];
  try {
    failed = await runFlow(home, url, scenario);
  } finally {
    await cleanUp(home);
    Deno.removeSignalListener("SIGTERM", stop);
    Deno.removeSignalListener("SIGINT", stop);
  }
  for (const line of failed) console.error(`mcpc failed: ${line}`);
  return failed.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
