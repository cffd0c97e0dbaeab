/**
 * Task statuses (pure: shared by the bridge, the CLI and the renderers).
 *
 * Layer: pure.
 * @module
 */

import type { TaskStatus } from "./types.ts";

/** Statuses after which a task changes no more. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set<TaskStatus>([
  "completed",
  "failed",
  "cancelled",
]);

/** What the server's `tasks` capability offers (2025-11-25). */
export interface TaskSupport {
  /** `tools/call` may be made as a task (`tasks.requests.tools.call`). */
  toolCall: boolean;
  /** `tasks/list` is served. */
  list: boolean;
  /** `tasks/cancel` is served. */
  cancel: boolean;
}

/** The server's task support, from its capabilities. */
export function taskSupportOf(capabilities: Record<string, unknown>): TaskSupport {
  const tasks = record(capabilities.tasks);
  const requests = record(tasks?.requests);
  return {
    toolCall: record(record(requests?.tools)?.call) !== undefined,
    list: record(tasks?.list) !== undefined,
    cancel: record(tasks?.cancel) !== undefined,
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}
