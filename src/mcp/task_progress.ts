/**
 * Progress of tasks. A 2025-11-25 task's progress notifications keep the
 * `progressToken` of the `tools/call` that made it for the task's whole life
 * (SEP-1686), long after that call's response, when the SDK has forgotten
 * the token. mcpc gives each task call a token of its own and routes what
 * arrives for it: to the call while the task is being made, then to whoever
 * waits on the task (the newest waiter); with nobody waiting it is dropped.
 * A token mcpc does not know (a former bridge's, after a restart resumed the
 * session) is placed by the task the notification names
 * (`_meta["io.modelcontextprotocol/related-task"]`, which SEP-1686 has every
 * task notification carry).
 *
 * Layer: domain (pure; the connection feeds it the notifications).
 * @module
 */

import type { ProgressReport } from "./client.ts";

/** Receives one progress report. */
export type ProgressListener = (report: ProgressReport) => void;

/** The prefix of the tokens mcpc makes for task calls. */
export const TASK_PROGRESS_PREFIX = "mcpc-task-";

/** Most tasks whose token is remembered; the oldest are forgotten first. */
export const MAX_TRACKED_TASKS = 1_000;

/** One connection's task progress routing. */
export class TaskProgress {
  #next = 1;
  readonly #run = crypto.randomUUID().slice(0, 8);
  readonly #creating = new Map<string, ProgressListener | undefined>();
  readonly #taskOfToken = new Map<string, string>();
  readonly #waiters = new Map<string, ProgressListener[]>();

  /** A fresh token for a task call; `listener` hears its progress until {@linkcode created}. */
  open(listener?: ProgressListener): string {
    // Unique across bridges: a resumed session may still get a former bridge's tokens.
    const token = `${TASK_PROGRESS_PREFIX}${this.#run}-${this.#next++}`;
    this.#creating.set(token, listener);
    return token;
  }

  /** The call with `token` made task `taskId` (or failed: no `taskId`). */
  created(token: string, taskId?: string): void {
    this.#creating.delete(token);
    if (taskId !== undefined) this.#remember(token, taskId);
  }

  /** `listener` hears task `taskId`'s progress until the returned function is called. */
  wait(taskId: string, listener: ProgressListener): () => void {
    const listeners = this.#waiters.get(taskId) ?? [];
    listeners.push(listener);
    this.#waiters.set(taskId, listeners);
    return () => {
      const index = listeners.lastIndexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
      if (listeners.length === 0 && this.#waiters.get(taskId) === listeners) {
        this.#waiters.delete(taskId);
      }
    };
  }

  /**
   * Takes a `notifications/progress` whose token is one of ours (true: it was
   * handled here, even if nobody listens), or that names a task someone
   * waits on (`relatedTask`); false for anyone else's.
   */
  take(params: { progressToken?: unknown } & ProgressReport, relatedTask?: string): boolean {
    const token = params.progressToken;
    if (typeof token !== "string") return false;
    const report: ProgressReport = {
      progress: params.progress,
      ...(params.total !== undefined ? { total: params.total } : {}),
      ...(params.message !== undefined ? { message: params.message } : {}),
    };
    if (this.#creating.has(token)) {
      this.#creating.get(token)?.(report);
      return true;
    }
    let taskId = this.#taskOfToken.get(token);
    const ours = token.startsWith(TASK_PROGRESS_PREFIX);
    if (
      taskId === undefined && relatedTask !== undefined && (ours || this.#waiters.has(relatedTask))
    ) {
      taskId = relatedTask;
      this.#remember(token, taskId);
    }
    if (taskId === undefined) return ours;
    this.#waiters.get(taskId)?.at(-1)?.(report);
    return true;
  }

  #remember(token: string, taskId: string): void {
    this.#taskOfToken.set(token, taskId);
    if (this.#taskOfToken.size > MAX_TRACKED_TASKS) {
      const oldest = this.#taskOfToken.keys().next().value!;
      this.#taskOfToken.delete(oldest);
    }
  }
}
