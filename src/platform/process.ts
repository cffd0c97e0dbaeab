/**
 * Process helpers: start a detached child, check and stop a process by PID.
 *
 * Layer: edge.
 * @module
 */

/**
 * `node:process` for signal 0, which `Deno.kill` does not take; loaded only
 * where `/proc` cannot answer (loading any `node:` module costs a process
 * about 2–7 MiB, and this module is on every bridge's and CLI's path).
 */
const nodeProcess = Deno.build.os === "linux" ? undefined : (await import("node:process")).default;

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
    const stat = readProcStat(pid);
    if (stat) return stat.state !== "Z" && stat.state !== "X";
    // No readable stat: the process exists if its directory does.
    return pathExists(`/proc/${pid}`);
  }
  return signalZero(pid);
}

function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether signal 0 reaches `pid` (a negative `pid`: a process group). */
function signalZero(pid: number): boolean {
  try {
    nodeProcess!.kill(pid, 0);
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

/** What identifies a process group later, even after its leader's PID was reused. */
export interface ProcessGroupIdentity {
  /** The group id (the PID of the leader that created it). */
  pgid: number;
  /** The leader's start time as the OS reports it (Linux: clock ticks since boot). */
  startTime?: string;
  /** A value of the `MCPC_SERVER_GROUP` variable every member inherited. */
  marker?: string;
}

/** The variable that marks the members of a stdio server's process group. */
export const GROUP_MARKER_VARIABLE = "MCPC_SERVER_GROUP";

interface ProcStat {
  state: string;
  pgrp: number;
  startTime: string;
}

function readProcStat(pid: number | string): ProcStat | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], pgrp: Number(fields[2]), startTime: fields[19] };
  } catch {
    return undefined;
  }
}

/** The start time of `pid` as the OS reports it, or `undefined` when it is not running. */
export function processStartTime(pid: number): string | undefined {
  if (Deno.build.os === "linux") {
    const stat = readProcStat(pid);
    return stat && stat.state !== "Z" && stat.state !== "X" ? stat.startTime : undefined;
  }
  try {
    const output = new Deno.Command("ps", { args: ["-o", "lstart=", "-p", String(pid)] })
      .outputSync();
    const text = new TextDecoder().decode(output.stdout).trim();
    return output.success && text !== "" ? text : undefined;
  } catch {
    return undefined;
  }
}

/** PIDs of the running (not zombie) members of group `pgid`; Linux only, else `undefined`. */
function groupMembers(pgid: number): number[] | undefined {
  if (Deno.build.os !== "linux") return undefined;
  const members: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readProcStat(entry.name);
    if (stat && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") {
      members.push(Number(entry.name));
    }
  }
  return members;
}

/** Whether any process of group `pgid` still runs. */
export function isProcessGroupRunning(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  const members = groupMembers(pgid);
  if (members) return members.length > 0;
  return signalZero(-pgid);
}

/** Sends `signal` to every process of group `pgid`, ignoring a group that is gone. */
export function signalProcessGroup(pgid: number, signal: Deno.Signal): void {
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  try {
    Deno.kill(-pgid, signal);
  } catch {
    // The group is gone.
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessGroupRunning(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** Grace period of each step of {@linkcode stopProcessGroup} (ms). */
export const GROUP_STOP_STEP_MS = 2_000;

/**
 * Ends a process group the way decisions.md §3.17 says: after its input was
 * closed (by the caller), wait; then SIGTERM to the group, wait; then SIGKILL
 * to the group. Returns once no member runs (or SIGKILL was sent and given a moment).
 */
export async function stopProcessGroup(
  pgid: number,
  options: { stepMs?: number } = {},
): Promise<void> {
  const step = options.stepMs ?? GROUP_STOP_STEP_MS;
  if (await waitForGroupExit(pgid, step)) return;
  signalProcessGroup(pgid, "SIGTERM");
  if (await waitForGroupExit(pgid, step)) return;
  signalProcessGroup(pgid, "SIGKILL");
  await waitForGroupExit(pgid, 1_000);
}

/**
 * Whether the group described by `identity` still runs and is provably the
 * same group: its leader runs with the recorded start time, or (leader gone)
 * a member still carries the recorded marker in its environment (Linux).
 * A group id reused by an unrelated process is never claimed.
 */
export function isSameProcessGroup(identity: ProcessGroupIdentity): boolean {
  const { pgid } = identity;
  if (!isProcessGroupRunning(pgid)) return false;
  const leaderStart = processStartTime(pgid);
  if (leaderStart !== undefined) return leaderStart === identity.startTime;
  if (!identity.marker) return false;
  const wanted = `${GROUP_MARKER_VARIABLE}=${identity.marker}`;
  return (groupMembers(pgid) ?? []).some((pid) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0").includes(wanted);
    } catch {
      return false;
    }
  });
}

/**
 * Ends a stdio server's group left behind by a bridge that died (SIGKILL):
 * SIGTERM, wait, SIGKILL. Does nothing unless the group is provably ours.
 */
export async function reapProcessGroup(
  identity: ProcessGroupIdentity,
  options: { stepMs?: number } = {},
): Promise<boolean> {
  if (!isSameProcessGroup(identity)) return false;
  const step = options.stepMs ?? GROUP_STOP_STEP_MS;
  signalProcessGroup(identity.pgid, "SIGTERM");
  if (await waitForGroupExit(identity.pgid, step)) return true;
  signalProcessGroup(identity.pgid, "SIGKILL");
  await waitForGroupExit(identity.pgid, 1_000);
  return true;
}

/** The command line of `pid` (its arguments), or `undefined` when it is not running. */
export function processCommandLine(pid: number): string[] | undefined {
  if (!isProcessRunning(pid)) return undefined;
  if (Deno.build.os === "linux") {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);
    } catch {
      return undefined;
    }
  }
  try {
    const output = new Deno.Command("ps", { args: ["-o", "command=", "-p", String(pid)] })
      .outputSync();
    const text = new TextDecoder().decode(output.stdout).trim();
    return output.success && text !== "" ? text.split(/\s+/) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` runs `subcommand name` (a bridge of that session, even one
 * still starting): a PID another program reused is never mistaken for it.
 */
export function runsSubcommand(pid: number, subcommand: string, name: string): boolean {
  const args = processCommandLine(pid);
  if (!args) return false;
  const at = args.indexOf(subcommand);
  return at !== -1 && args[at + 1] === name;
}
