/**
 * Human output of the task commands (reference.md §8.3): a started task and
 * how to follow it, task lists and details, cancel outcomes.
 *
 * Layer: pure.
 * @module
 */

import { TERMINAL_STATUSES } from "../../mcp/task_status.ts";
import type { Task } from "../../mcp/types.ts";
import { safeText } from "../safe_text.ts";
import type { Theme } from "../theme.ts";

const STATUS_ICONS: Record<string, string> = {
  working: "⟳",
  input_required: "?",
  completed: "✔",
  failed: "✖",
  cancelled: "⊘",
};

/** The icon of a task status (`·` for one mcpc does not know). */
export function statusIcon(status: string): string {
  return STATUS_ICONS[status] ?? "·";
}

/** `M:SS`, or `H:MM:SS` from an hour on. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** The commands that follow task `taskId` (cancel only while it can still change). */
export function taskHint(sessionName: string, taskId: string, status: string | undefined): string {
  const lines = [
    "Available commands:",
    `  mcpc ${sessionName} tasks-get ${taskId}`,
    status === "input_required"
      ? `  mcpc ${sessionName} tasks-result ${taskId}   # the server asks for input: answer it here`
      : `  mcpc ${sessionName} tasks-result ${taskId}`,
  ];
  if (status === undefined || !TERMINAL_STATUSES.has(status)) {
    lines.push(`  mcpc ${sessionName} tasks-cancel ${taskId}`);
  }
  return lines.join("\n");
}

/** `tools-call --detach`: the task id and how to follow it. */
export function renderTaskStarted(task: Task, sessionName: string, theme: Theme): string {
  const id = safeText(task.taskId);
  return `${theme.green(`✓ Task started: ${id}`)}\n\n${taskHint(sessionName, id, task.status)}`;
}

/** Ctrl+C during `tools-call --task`: the task goes on, and how to follow it. */
export function renderTaskDetached(taskId: string, sessionName: string, theme: Theme): string {
  const id = safeText(taskId);
  return `${theme.cyan(`ℹ Detached. Task ${id} continues in background`)}\n\n${
    taskHint(sessionName, id, undefined)
  }`;
}

/** `tasks-list`. */
export function renderTaskList(
  tasks: readonly Task[],
  sessionName: string,
  theme: Theme,
  source: "server" | "session",
): string {
  if (tasks.length === 0) {
    return [
      theme.green("✓ No active tasks"),
      `To start a new task, run: mcpc ${sessionName} tools-call <name> [args] --task`,
    ].join("\n");
  }
  const lines = [theme.bold(`Tasks (${tasks.length}):`)];
  for (const task of tasks) {
    const message = task.statusMessage ? ` - ${safeText(task.statusMessage)}` : "";
    lines.push(
      `* \`${safeText(task.taskId)}\`  ${statusIcon(task.status)} ${task.status}${message}`,
    );
  }
  lines.push("");
  if (source === "session") {
    lines.push(theme.dim("(tasks started through this session; the server does not list tasks)"));
  }
  lines.push(`For a task's details, run \`mcpc ${sessionName} tasks-get <taskId>\``);
  return lines.join("\n");
}

/** `tasks-get`. */
export function renderTask(task: Task, sessionName: string, theme: Theme): string {
  const id = safeText(task.taskId);
  const lines = [
    `${theme.bold("Task ID:")} ${id}`,
    `${theme.bold("Status:")} ${statusIcon(task.status)} ${task.status}`,
  ];
  if (task.statusMessage) lines.push(`${theme.bold("Message:")} ${safeText(task.statusMessage)}`);
  if (task.createdAt) lines.push(`${theme.bold("Created:")} ${safeText(task.createdAt)}`);
  if (task.lastUpdatedAt) lines.push(`${theme.bold("Updated:")} ${safeText(task.lastUpdatedAt)}`);
  return `${lines.join("\n")}\n\n${taskHint(sessionName, id, task.status)}`;
}

/** `tasks-cancel`: cancelled, or the status that kept it from being cancelled. */
export function renderTaskCancelled(
  task: Task,
  theme: Theme,
  options: { eventual?: boolean } = {},
): string {
  const id = safeText(task.taskId);
  if (task.status === "cancelled") return theme.green(`✓ Task ${id} cancelled`);
  // A 2026-era server acknowledges a cancel and honours it in its own time (`eventual`).
  if (options.eventual && !TERMINAL_STATUSES.has(task.status)) {
    return theme.green(
      `✓ Cancellation of task ${id} requested (status now: ${task.status}; ` +
        "the server stops it in its own time)",
    );
  }
  return theme.red(`✗ Task ${id} is in status: ${task.status}`);
}

/** One line of progress for a task (`working - Analyzing…`). */
export function taskStatusLine(task: Task): string {
  return task.statusMessage ? `${task.status} - ${safeText(task.statusMessage)}` : task.status;
}
