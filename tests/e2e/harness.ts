/**
 * End-to-end harness: runs the real CLI (`scripts/mcpc`, the same `main.ts`
 * and permission flags as the compiled binary) against real servers, in a
 * throwaway home, and stops every bridge it started by PID.
 *
 * @module
 */

import assert from "node:assert/strict";
import { checkJsonOutput } from "./json_schemas.ts";
import type { SessionsFile } from "../../src/session/session.ts";

export const ROOT = new URL("../../", import.meta.url).pathname;
/** The launcher the tests run. */
export const MCPC = `${ROOT}scripts/mcpc`;
/** The bundled demo server script. */
export const DEMO_SERVER = `${ROOT}scripts/demo_server.ts`;
/** Bound on any single CLI run. */
const RUN_TIMEOUT_MS = 60_000;

/** Result of one CLI run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode Harness.run}. */
export interface RunOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Text on stdin (default: no stdin). */
  stdin?: string;
  /** Working directory. */
  cwd?: string;
}

/** The environment every spawned process gets (only what is needed to run Deno). */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "DENO_TLS_CA_STORE", "TMPDIR", "LANG"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  env.DENO_TLS_CA_STORE ??= "system";
  env.NO_COLOR = "1";
  // Secrets in the home's credentials.json, whether or not this machine has a keyring:
  // tests/e2e/keychain_test.ts runs mcpc against a real one.
  env.MCPC_SECRET_STORE = "file";
  return env;
}

/** A temporary mcpc home with helpers to run the CLI in it. */
export class Harness {
  readonly home: string;
  /** The program and leading arguments that run mcpc (default: {@linkcode MCPC}). */
  private readonly launcher: readonly string[];

  private constructor(home: string, launcher: readonly string[]) {
    this.home = home;
    this.launcher = launcher;
  }

  /**
   * Creates a fresh home under /tmp (short, so socket paths stay under the
   * limit); `launcher` runs mcpc some other way than {@linkcode MCPC}.
   */
  static async create(options: { launcher?: readonly string[] } = {}): Promise<Harness> {
    const home = await Deno.makeTempDir({ dir: "/tmp", prefix: "mcpce-" });
    return Harness.at(home, options);
  }

  /** A harness for `home`, which is left as it is (it may not exist yet). */
  static at(home: string, options: { launcher?: readonly string[] } = {}): Harness {
    return new Harness(home, options.launcher ?? [MCPC]);
  }

  /** Runs `mcpc args...` and collects its output. */
  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const [program, ...leading] = this.launcher;
    const child = new Deno.Command(program, {
      args: [...leading, ...args],
      cwd: options.cwd ?? this.home,
      env: { ...baseEnv(), MCPC_HOME_DIR: this.home, ...(options.env ?? {}) },
      clearEnv: true,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
    }).spawn();
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    }
    const output = await child.output();
    const decoder = new TextDecoder();
    const result = {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
    // Every --json output of the tests matches its command's schema (schemas/).
    checkJsonOutput(args, options.env ?? {}, result);
    return result;
  }

  /**
   * Starts `mcpc args...` in this home without waiting for it (stdout and
   * stderr piped), for tests that signal it or read it as it runs; the test
   * stops it.
   */
  spawn(args: string[]): Deno.ChildProcess {
    const [program, ...leading] = this.launcher;
    return new Deno.Command(program, {
      args: [...leading, ...args],
      cwd: this.home,
      env: { ...baseEnv(), MCPC_HOME_DIR: this.home },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  }

  /** Runs with `--json` and parses stdout. */
  async json<T = unknown>(args: string[], options: RunOptions = {}): Promise<T> {
    const result = await this.run(["--json", ...args], options);
    if (result.code !== 0) {
      throw new Error(`mcpc ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  }

  /** The parsed `sessions.json`. */
  async sessions(): Promise<SessionsFile> {
    return JSON.parse(await Deno.readTextFile(`${this.home}/sessions.json`));
  }

  /** Rewrites `sessions.json` through `fn` (no lock: only while no mcpc runs). */
  async editSessions(fn: (file: SessionsFile) => void): Promise<void> {
    const file = await this.sessions();
    fn(file);
    await Deno.writeTextFile(`${this.home}/sessions.json`, JSON.stringify(file, null, 2));
  }

  /** PIDs of bridges of this home that are still running. */
  async bridgePids(): Promise<number[]> {
    const pids = new Set<number>();
    try {
      for (const record of Object.values((await this.sessions()).sessions)) {
        if (record.pid) pids.add(record.pid);
      }
    } catch {
      // No sessions file.
    }
    try {
      for await (const entry of Deno.readDir(`${this.home}/bridges`)) {
        const match = entry.name.match(/\.(\d+)\.sock$/);
        if (match) pids.add(Number(match[1]));
      }
    } catch {
      // No bridges folder.
    }
    for (const pid of await bridgeProcessesOf(this.home)) pids.add(pid);
    return [...pids].filter((pid) => isBridgeOf(pid, this.home));
  }

  /** Sends SIGTERM to every bridge of this home and waits (bounded) until they are gone. */
  async stopBridges(timeoutMs = 10_000): Promise<void> {
    const pids = await this.bridgePids();
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    await waitFor(() => pids.every((pid) => !isAlive(pid)), timeoutMs, "bridges to stop");
  }

  /** Kills every bridge of this home and the stdio servers they started, and removes the home. */
  async cleanup(): Promise<void> {
    for (const pid of await this.bridgePids()) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    for (const pgid of serverGroupsOf(this.home)) killGroup(pgid);
    await Deno.remove(this.home, { recursive: true }).catch(() => {});
  }
}

/**
 * Runs `program args...` to its end with exactly `env` (nothing inherited),
 * stdin closed, killed after `timeoutMs`; returns its exit code and output.
 */
export async function runProgram(
  program: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<RunResult> {
  const output = await new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Runs `mcpc args...` on a pseudo-terminal (`script`), as a person would, and
 * returns what the terminal showed (stdout and stderr together, CRLF as LF).
 */
export async function runOnTerminal(
  harness: Harness,
  args: string[],
  options: { colors?: boolean } = {},
): Promise<{ code: number; text: string }> {
  const env: Record<string, string> = { ...baseEnv(), MCPC_HOME_DIR: harness.home };
  if (options.colors) delete env.NO_COLOR;
  const command = [MCPC, ...args].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
  const output = await new Deno.Command("script", {
    args: ["-qefc", command, "/dev/null"],
    cwd: harness.home,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
  }).output();
  const decoder = new TextDecoder();
  const text = decoder.decode(output.stdout) + decoder.decode(output.stderr);
  return { code: output.code, text: text.replaceAll("\r\n", "\n") };
}

/** Whether `pid` is an mcpc bridge whose environment names `home`. */
export function isBridgeOf(pid: number, home: string): boolean {
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    if (!cmdline.includes("__bridge")) return false;
    const cwd = Deno.readLinkSync(`/proc/${pid}/cwd`);
    const environ = Deno.readTextFileSync(`/proc/${pid}/environ`);
    return cwd.startsWith(home) || environ.includes(home) || bridgeHomeFromFds(pid) === home;
  } catch {
    return false;
  }
}

function bridgeHomeFromFds(pid: number): string | undefined {
  try {
    for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
      const target = Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`);
      const match = target.match(/^(.*)\/logs\/bridge-@[^/]+\.log/);
      if (match) return match[1];
    }
  } catch {
    // Process gone.
  }
  return undefined;
}

async function bridgeProcessesOf(home: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    const pid = Number(entry.name);
    if (Number.isInteger(pid) && pid > 0 && isBridgeOf(pid, home)) pids.push(pid);
  }
  return pids;
}

/** Whether a process exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Polls `check` every 50 ms until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The fixture script of misbehaving stdio servers. */
export const STDIO_FIXTURE = `${ROOT}tests/fixtures/stdio_server.ts`;

/** The third-party reference server from npm (pinned; in deno.lock). */
export const EVERYTHING = "npm:@modelcontextprotocol/server-everything@2026.8.31";

/** A config entry that runs a Deno script of this repository with the test environment. */
export function denoEntry(script: string, args: string[] = []): Record<string, unknown> {
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--quiet",
      "--frozen",
      "--config",
      `${ROOT}deno.json`,
      "--allow-all",
      script,
      ...args,
    ],
    env: {
      DENO_TLS_CA_STORE: "system",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    },
  };
}

/** A config entry that runs `@modelcontextprotocol/server-everything` over stdio. */
export function everythingStdioEntry(): Record<string, unknown> {
  return denoEntry(EVERYTHING, ["stdio"]);
}

/** Writes an MCP config file with these entries. */
export async function writeConfig(path: string, servers: Record<string, unknown>): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify({ mcpServers: servers }, null, 2));
}

/** A server process started by a test, stopped by its PID. */
export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `@modelcontextprotocol/server-everything` over HTTP (`streamableHttp`
 * at `/mcp`, or the legacy `sse` at `/sse`) on `port` and waits until it accepts.
 */
export async function startEverythingHttp(
  mode: "streamableHttp" | "sse",
  port: number,
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--frozen",
      "--config",
      `${ROOT}deno.json`,
      "--allow-all",
      EVERYTHING,
      mode,
    ],
    env: { ...baseEnv(), PORT: String(port) },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
  };
  try {
    await waitFor(
      async () => {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          return true;
        } catch {
          return false;
        }
      },
      60_000,
      `server-everything ${mode} on port ${port}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const path = mode === "sse" ? "/sse" : "/mcp";
  return { url: `http://127.0.0.1:${port}${path}`, pid: child.pid, stop };
}

/** A free loopback TCP port (closed again before it is returned). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** PIDs of running (not zombie) processes in process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") {
        members.push(Number(entry.name));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return members;
}

/** Kills every process of group `pgid` (test cleanup). */
export function killGroup(pgid: number): void {
  try {
    Deno.kill(-pgid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** How many bridges were ever started for `@name` in this home (their log banners). */
export async function bridgeStarts(home: string, name: string): Promise<number> {
  try {
    const log = await Deno.readTextFile(`${home}/logs/bridge-${name}.log`);
    return log.split("\n").filter((line) => line.includes(`===== mcpc bridge for ${name}`)).length;
  } catch {
    return 0;
  }
}

/** Process groups of stdio servers (marked by the bridge) running in a directory under `home`. */
export function serverGroupsOf(home: string): number[] {
  const groups = new Set<number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const environ = Deno.readTextFileSync(`/proc/${entry.name}/environ`);
      if (!environ.includes("MCPC_SERVER_GROUP=")) continue;
      const cwd = Deno.readLinkSync(`/proc/${entry.name}/cwd`);
      if (!cwd.startsWith(home)) continue;
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      groups.add(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return [...groups];
}

/**
 * The two MCP eras the e2e suites run against (decisions.md §5): a server
 * that speaks only 2026-07-28 and one that speaks only 2025-11-25.
 */
export const SERVER_ERAS = ["modern", "legacy"] as const;

/** One of {@linkcode SERVER_ERAS}. */
export type ServerEra = typeof SERVER_ERAS[number];

/** The revision mcpc settles on with a server of `era`. */
export function revisionOf(era: ServerEra): string {
  return era === "modern" ? "2026-07-28" : "2025-11-25";
}

/** Registers one test per era, named `<name> [<era>]`. */
export function eraTest(
  name: string,
  fn: (era: ServerEra) => Promise<void>,
  options: Omit<Deno.TestDefinition, "name" | "fn"> = {},
): void {
  for (const era of SERVER_ERAS) {
    Deno.test({ ...options, name: `${name} [${era}]`, fn: () => fn(era) });
  }
}

/** `@ev` connected to server-everything over `transport`, for `fn`; cleans everything up. */
export async function withEverything(
  transport: "stdio" | "http",
  fn: (harness: Harness) => Promise<void>,
): Promise<void> {
  const harness = await Harness.create();
  const server = transport === "http"
    ? await startEverythingHttp("streamableHttp", freePort())
    : undefined;
  try {
    let target = server?.url;
    if (!target) {
      target = `${harness.home}/mcp.json:everything`;
      await writeConfig(`${harness.home}/mcp.json`, { everything: everythingStdioEntry() });
    }
    const connect = await harness.run(["connect", target, "@ev"]);
    assert.equal(connect.code, 0, connect.stderr);
    await fn(harness);
  } finally {
    await harness.cleanup();
    await server?.stop();
  }
}
