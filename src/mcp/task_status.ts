/**
 * Task statuses and what a server offers for tasks (pure: shared by the
 * bridge, the CLI and the renderers).
 *
 * Layer: pure.
 * @module
 */

import type { Task, TaskStatus } from "./types.ts";

/** Statuses after which a task changes no more. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set<TaskStatus>([
  "completed",
  "failed",
  "cancelled",
]);

/** Poll interval when the server suggests none (ms). */
export const DEFAULT_POLL_MS = 2_000;
/** Bounds on the server's suggested poll interval (ms). */
export const MIN_POLL_MS = 500;
export const MAX_POLL_MS = 10_000;

/** The server's suggested poll interval, bounded. */
export function pollDelay(task: Task): number {
  const suggested = typeof task.pollInterval === "number" ? task.pollInterval : DEFAULT_POLL_MS;
  return Math.min(Math.max(suggested, MIN_POLL_MS), MAX_POLL_MS);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The Tasks extension of 2026-07-28 (SEP-2663), as servers and clients declare it. */
export const TASKS_EXTENSION_ID = "io.modelcontextprotocol/tasks";

/** What the server offers for tasks: its 2025-11-25 `tasks` capability, or the 2026 extension. */
export interface TaskSupport {
  /** `tools/call` may be made as a task (`tasks.requests.tools.call`, or the extension). */
  toolCall: boolean;
  /** `tasks/list` is served (2025-11-25 only: the extension has none). */
  list: boolean;
  /** `tasks/cancel` is served. */
  cancel: boolean;
  /**
   * The outcome is read by polling `tasks/get` (the 2026 extension: the
   * result comes inline with the final status) rather than by waiting on
   * `tasks/result`; the server decides whether a call becomes a task.
   */
  polled: boolean;
}

/**
 * The server's task support, from its capabilities: the `tasks` capability
 * of a 2025-era server, the Tasks extension of a 2026-era one (`modern`).
 */
export function taskSupportOf(
  capabilities: Record<string, unknown>,
  modern = false,
): TaskSupport {
  if (modern) {
    const extension = record(record(capabilities.extensions)?.[TASKS_EXTENSION_ID]) !== undefined;
    return { toolCall: extension, list: false, cancel: extension, polled: true };
  }
  const tasks = record(capabilities.tasks);
  const requests = record(tasks?.requests);
  return {
    toolCall: record(record(requests?.tools)?.call) !== undefined,
    list: record(tasks?.list) !== undefined,
    cancel: record(tasks?.cancel) !== undefined,
    polled: false,
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}
