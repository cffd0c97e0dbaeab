/**
 * Routes the server's questions (elicitations) to the request they belong
 * to, so that one CLI never answers another's question:
 *
 * 1. A question that arrives inside a request's own exchange (a 2025-era
 *    `elicitation/create` on that request's response stream, or a 2026-07-28
 *    input-required round the SDK fulfils inside the call) goes to that
 *    request's handler.
 * 2. A question naming a task (`_meta["io.modelcontextprotocol/related-task"]`,
 *    as a task in `input_required` sends it, often on a stream no request
 *    owns) goes to the request waiting on that task; with none waiting, it
 *    is declined.
 * 3. Any other question (stdio and the standalone stream carry no request
 *    context) goes to the one request in flight that takes questions; with
 *    none, or with several (it cannot be told whose it is), it is declined.
 *
 * Layer: edge (node:async_hooks).
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { ElicitRequestParams, ElicitResult } from "./types.ts";

/** Answers one question from the server. */
export type InputHandler = (request: ElicitRequestParams) => Promise<ElicitResult>;

/** The `_meta` key a server puts on messages about a task (SEP-1686). */
export const RELATED_TASK_KEY = "io.modelcontextprotocol/related-task";

/** Why a question was declined without asking anyone. */
export type UnroutedReason = "no-listener" | "task-not-waited-on" | "ambiguous";

/** A request in flight that takes questions. */
interface Listener {
  handler: InputHandler;
  taskId?: string;
}

/** One connection's routing of questions to the requests in flight. */
export class InputRouter {
  readonly #current = new AsyncLocalStorage<Listener>();
  readonly #active: Listener[] = [];
  readonly #onUnrouted?: (reason: UnroutedReason, request: ElicitRequestParams) => void;

  /** `onUnrouted` hears of every question declined because nobody could be asked. */
  constructor(onUnrouted?: (reason: UnroutedReason, request: ElicitRequestParams) => void) {
    this.#onUnrouted = onUnrouted;
  }

  /**
   * Runs `fn` with `handler` answering the questions it causes (none: `fn` as
   * is); with `taskId`, also the questions about that task.
   */
  async run<T>(
    handler: InputHandler | undefined,
    fn: () => Promise<T>,
    taskId?: string,
  ): Promise<T> {
    if (!handler) return await fn();
    const listener: Listener = taskId === undefined ? { handler } : { handler, taskId };
    this.#active.push(listener);
    try {
      return await this.#current.run(listener, fn);
    } finally {
      this.#active.splice(this.#active.lastIndexOf(listener), 1);
    }
  }

  /** Whether any request in flight takes questions. */
  get listening(): boolean {
    return this.#active.length > 0;
  }

  /** The answer to `request`, from the handler it belongs to; declined when there is none. */
  async answer(request: ElicitRequestParams): Promise<ElicitResult> {
    const routed = this.#route(request);
    if ("reason" in routed) {
      this.#onUnrouted?.(routed.reason, request);
      return { action: "decline" };
    }
    return await routed.handler(request);
  }

  #route(request: ElicitRequestParams): Listener | { reason: UnroutedReason } {
    const own = this.#current.getStore();
    if (own) return own;
    const taskId = relatedTaskId(request);
    if (taskId !== undefined) {
      const waiting = this.#active.findLast((listener) => listener.taskId === taskId);
      return waiting ?? { reason: "task-not-waited-on" };
    }
    if (this.#active.length === 0) return { reason: "no-listener" };
    if (this.#active.length > 1) return { reason: "ambiguous" };
    return this.#active[0];
  }
}

/** The task a message says it is about, if any. */
export function relatedTaskId(params: { _meta?: Record<string, unknown> } | undefined) {
  const related = params?._meta?.[RELATED_TASK_KEY];
  if (typeof related !== "object" || related === null) return undefined;
  const taskId = (related as { taskId?: unknown }).taskId;
  return typeof taskId === "string" ? taskId : undefined;
}
