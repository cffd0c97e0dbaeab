/**
 * Running a short-lived helper program (`secret-tool`, `security`) with
 * bytes on its stdin, a bounded time and bounded output: on timeout the child
 * is killed by its PID and its pipes are abandoned.
 *
 * Layer: edge.
 * @module
 */

import { readAtMost } from "./read_bounded.ts";
import { settleWithin } from "./settle.ts";

/** How much stdout or stderr a helper may print before it counts as failed. */
const DEFAULT_OUTPUT_LIMIT = 4 * 1024 * 1024;
/** How long to wait for a killed child's status. */
const REAP_MS = 2_000;

/** Options for {@linkcode runTool}. */
export interface RunToolOptions {
  /** The child's complete environment (nothing else is inherited). */
  env: Readonly<Record<string, string>>;
  /** Written to the child's stdin, which is then closed (default: no stdin). */
  stdin?: Uint8Array;
  /** After this many ms the child is killed and {@linkcode ToolTimeoutError} thrown. */
  timeoutMs: number;
  /** Largest stdout (and stderr) accepted, in bytes. */
  outputLimit?: number;
}

/** What a helper printed and how it exited. */
export interface ToolResult {
  /** Exit code (128 + n when killed by signal n). */
  code: number;
  /** Raw stdout. */
  stdout: Uint8Array;
  /** Stderr as text, trimmed. */
  stderr: string;
}

/** A helper that did not finish in time; it was killed. */
export class ToolTimeoutError extends Error {
  /** The program that was run. */
  readonly program: string;
  /** The limit that was exceeded, in ms. */
  readonly timeoutMs: number;

  constructor(program: string, timeoutMs: number) {
    super(`"${program}" did not finish within ${timeoutMs} ms and was stopped`);
    this.name = "ToolTimeoutError";
    this.program = program;
    this.timeoutMs = timeoutMs;
  }
}

/** Runs `program args...` and collects its output; throws only if it cannot start or times out. */
export async function runTool(
  program: string,
  args: readonly string[],
  options: RunToolOptions,
): Promise<ToolResult> {
  const limit = options.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
  const child = new Deno.Command(program, {
    args: [...args],
    env: { ...options.env },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let exited = false;
  const status = child.status.then((result) => {
    exited = true;
    return result;
  });
  const abandon = new AbortController();
  const stop = () => {
    // Only a child not yet reaped: its PID cannot have been reused.
    if (!exited) killByPid(child.pid);
    // A grandchild may still hold the pipes open: stop reading them.
    abandon.abort();
  };
  const timer = setTimeout(stop, options.timeoutMs);
  try {
    const stdout = readAtMost(child.stdout, limit, abandon.signal);
    const stderr = readAtMost(child.stderr, limit, abandon.signal);
    if (options.stdin !== undefined) await writeAll(child.stdin, options.stdin);
    const [out, err] = await Promise.all([stdout, stderr]);
    if (abandon.signal.aborted) throw new ToolTimeoutError(program, options.timeoutMs);
    if (out === undefined || err === undefined) {
      throw new RangeError(`"${program}" printed more than ${limit} bytes`);
    }
    const { code } = await status;
    return { code, stdout: out, stderr: new TextDecoder().decode(err).trim() };
  } finally {
    clearTimeout(timer);
    if (!exited) stop();
    await settleWithin(status, REAP_MS);
  }
}

/**
 * The absolute path of `name` found in `searchPath` (a `PATH` value), or
 * `undefined`; a name with a slash is returned as it is.
 */
export async function findExecutable(
  name: string,
  searchPath: string | undefined,
  options: { separator?: string } = {},
): Promise<string | undefined> {
  if (name.includes("/")) return name;
  for (const dir of (searchPath ?? "").split(options.separator ?? ":")) {
    if (dir === "") continue;
    const candidate = `${dir.replace(/\/+$/, "")}/${name}`;
    try {
      const info = await Deno.stat(candidate);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

async function writeAll(stdin: WritableStream<Uint8Array>, bytes: Uint8Array): Promise<void> {
  const writer = stdin.getWriter();
  try {
    await writer.write(bytes);
    await writer.close();
  } catch {
    // The child exited without reading all of it; its exit code says why.
  } finally {
    writer.releaseLock();
  }
}

function killByPid(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // It has exited already.
  }
}
