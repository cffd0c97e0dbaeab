/**
 * The bridge's side of tasks: waiting for a task's outcome while telling the
 * CLI each status change (the server's `pollInterval`, bounded), and keeping
 * the session record's list of tasks started through this session.
 *
 * Layer: use case (no SDK: works on an {@linkcode McpConnection}).
 * @module
 */

import type { CallOptions, McpConnection } from "../mcp/client.ts";
import { pollDelay, sleep, TERMINAL_STATUSES } from "../mcp/task_status.ts";
import type { CallToolResult, Task } from "../mcp/types.ts";
import { type ActiveTask, retainedTasks, type SessionRecord } from "../session/session.ts";

/** Bound on one `tasks/get` of the status poll (ms). */
const POLL_REQUEST_TIMEOUT_MS = 30_000;

/** What {@linkcode awaitTask} needs besides the connection. */
export interface AwaitTaskOptions {
  /** Options of the wait itself (signal, timeout, the CLI's answers to questions). */
  call: CallOptions;
  /** Receives each status change (and the task as it was at the start). */
  onTask?: (task: Task) => void;
}

/**
 * Waits for `task`'s outcome with `tasks/result`, polling `tasks/get`
 * meanwhile to report status changes (on a 2026-era server, polling
 * `tasks/get` alone, whose last answer carries the outcome). Stopping the wait (the call's signal)
 * leaves the task running on the server.
 */
export async function awaitTask(
  connection: McpConnection,
  task: Task,
  options: AwaitTaskOptions,
): Promise<CallToolResult> {
  options.onTask?.(task);
  if (connection.tasks.polled) {
    // The 2026 extension: the wait is the poll, and it reports what it sees.
    let last = task;
    return await connection.taskResult(task.taskId, {
      ...options.call,
      onTask: (now) => {
        if (now.status !== last.status || now.statusMessage !== last.statusMessage) {
          options.onTask?.(now);
        }
        last = now;
      },
    });
  }
  const stop = new AbortController();
  const poll = pollStatus(connection, task, options, stop.signal);
  try {
    return await connection.taskResult(task.taskId, options.call);
  } finally {
    stop.abort();
    await poll;
  }
}

async function pollStatus(
  connection: McpConnection,
  first: Task,
  options: AwaitTaskOptions,
  stop: AbortSignal,
): Promise<void> {
  let last = first;
  const signal = options.call.signal ? AbortSignal.any([stop, options.call.signal]) : stop;
  while (!signal.aborted && !TERMINAL_STATUSES.has(last.status)) {
    if (!await sleep(pollDelay(last), signal)) return;
    let now: Task;
    try {
      now = await connection.getTask(last.taskId, { signal, timeoutMs: POLL_REQUEST_TIMEOUT_MS });
    } catch {
      continue; // A missed poll only delays the next report; the wait itself goes on.
    }
    if (signal.aborted) return;
    if (now.status !== last.status || now.statusMessage !== last.statusMessage) {
      options.onTask?.(now);
    }
    last = now;
  }
}

/** Records (or updates) `task` in the record's tasks, forgetting those past their time. */
export function noteTask(
  record: SessionRecord,
  task: Task,
  toolName: string | undefined,
  now: number,
): void {
  const tasks = retainedTasks(record.activeTasks, now);
  const known = tasks[task.taskId];
  const entry: ActiveTask = {
    taskId: task.taskId,
    toolName: toolName ?? known?.toolName ?? "",
    createdAt: known?.createdAt ?? task.createdAt ?? new Date(now).toISOString(),
    status: task.status,
    updatedAt: new Date(now).toISOString(),
  };
  tasks[task.taskId] = entry;
  record.activeTasks = tasks;
}

/** The record's tasks as protocol tasks (what a session without `tasks/list` lists). */
export function recordedTasks(record: SessionRecord | undefined, now: number): Task[] {
  return Object.values(retainedTasks(record?.activeTasks, now)).map((task) => ({
    taskId: task.taskId,
    status: (task.status ?? "working") as Task["status"],
    createdAt: task.createdAt,
    lastUpdatedAt: task.updatedAt ?? task.createdAt,
    ttl: null,
  }));
}
