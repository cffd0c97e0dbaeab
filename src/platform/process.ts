/**
 * Process helpers: start a detached child, check and stop a process by PID.
 *
 * Layer: edge.
 * @module
 */

import process from "node:process";

/** Options for {@linkcode spawnDetached}. */
export interface SpawnDetachedOptions {
  /** Working directory of the child. */
  cwd: string;
  /** The child's complete environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Written to the child's stdin, which is then closed. */
  stdin?: string;
}

/**
 * Starts a process in its own session with no terminal and stdout/stderr to
 * /dev/null, so it outlives this process and never holds our pipes open.
 */
export async function spawnDetached(
  command: string,
  args: string[],
  options: SpawnDetachedOptions,
): Promise<number> {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    detached: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    } catch {
      // The child exited before reading its stdin; its own log says why.
    }
  }
  child.unref();
  // Reap the child if it exits while we are still running (no zombie left behind).
  child.status.catch(() => {});
  return child.pid;
}

/**
 * Whether a process with this PID exists and is not a zombie: `/proc` on
 * Linux (an exited bridge stays a zombie until init reaps it), signal 0
 * elsewhere.
 */
export function isProcessRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (Deno.build.os === "linux") {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const state = stat.charAt(stat.lastIndexOf(")") + 2);
      return state !== "Z" && state !== "X";
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Sends `signal` to `pid`, ignoring a process that is already gone. */
export function sendSignal(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch {
    // Already exited.
  }
}

/** Waits until `pid` has exited or `timeoutMs` passed; returns whether it exited. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** Stops a process: SIGTERM, then SIGKILL if it is still running after `graceMs`. */
export async function terminateProcess(pid: number, graceMs: number): Promise<void> {
  if (!isProcessRunning(pid)) return;
  sendSignal(pid, "SIGTERM");
  if (await waitForExit(pid, graceMs)) return;
  sendSignal(pid, "SIGKILL");
  await waitForExit(pid, 1_000);
}
