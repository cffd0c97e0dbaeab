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
 *    owns) goes to the request waiting on that task. With none waiting, it
 *    is held until one waits (as SEP-1686 has a task wait for its requestor
 *    to call `tasks/result`), and so is a task's question its asker left
 *    without answering ({@linkcode UnansweredError}): answering for someone
 *    who left could cancel their work.
 * 3. Any other question (stdio and the standalone stream carry no request
 *    context) goes to the one request in flight that takes questions; with
 *    none, or with several (it cannot be told whose it is), it is declined.
 *
 * Layer: edge (node:async_hooks; the SDK's name of the related-task key).
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { RELATED_TASK_META_KEY } from "./sdk.ts";
import type { ElicitRequestParams, ElicitResult } from "./types.ts";

/** Answers one question from the server. */
export type InputHandler = (request: ElicitRequestParams) => Promise<ElicitResult>;

/** Why a question was declined without asking anyone. */
export type UnroutedReason = "no-listener" | "ambiguous" | "too-many-held";

/** Thrown by a handler whose asker left without answering (it went away or gave up). */
export class UnansweredError extends Error {
  constructor(message = "The question was left without an answer") {
    super(message);
    this.name = "UnansweredError";
  }
}

/** The most questions held for one task; more are declined. */
export const MAX_HELD_PER_TASK = 16;
/** The most questions held for all tasks together; more are declined. */
export const MAX_HELD = 256;

/** A question held until someone waits on its task. */
interface Held {
  request: ElicitRequestParams;
  settle: (answer: Promise<ElicitResult>) => void;
  /** Aborts when the server gives the question up. */
  signal?: AbortSignal;
}

/** A request in flight that takes questions. */
interface Listener {
  handler: InputHandler;
  taskId?: string;
  /** Set once its asker left a question unanswered: it is asked no more. */
  left?: boolean;
}

/** One connection's routing of questions to the requests in flight. */
export class InputRouter {
  readonly #current = new AsyncLocalStorage<Listener>();
  readonly #active: Listener[] = [];
  readonly #held = new Map<string, Held[]>();
  readonly #onUnrouted?: (reason: UnroutedReason, request: ElicitRequestParams) => void;

  /** `onUnrouted` hears of every question declined because nobody could be asked. */
  constructor(onUnrouted?: (reason: UnroutedReason, request: ElicitRequestParams) => void) {
    this.#onUnrouted = onUnrouted;
  }

  /** How many questions are held for `taskId` (until someone waits on it). */
  heldFor(taskId: string): number {
    return this.#held.get(taskId)?.length ?? 0;
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
    if (taskId !== undefined) this.#offerHeld(listener, taskId);
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

  /**
   * The answer to `request`, from the handler it belongs to; declined when
   * there is none, held when it is about a task nobody waits on. `signal`
   * aborts when the server no longer waits (it cancelled the question): a
   * held question is then dropped.
   */
  answer(request: ElicitRequestParams, signal?: AbortSignal): Promise<ElicitResult> {
    const routed = this.#route(request);
    if ("reason" in routed) return Promise.resolve(this.#decline(routed.reason, request));
    if ("hold" in routed) return this.#hold(routed.hold, request, signal);
    if ("left" in routed) return Promise.resolve({ action: "cancel" });
    return this.#ask(routed, request, signal);
  }

  async #ask(
    listener: Listener,
    request: ElicitRequestParams,
    signal?: AbortSignal,
  ): Promise<ElicitResult> {
    try {
      return await listener.handler(request);
    } catch (error) {
      if (!(error instanceof UnansweredError)) throw error;
      listener.left = true;
      const taskId = relatedTaskId(request) ?? listener.taskId;
      // A plain request's asker left: the request is over, so is its question.
      if (taskId === undefined) return { action: "cancel" };
      return await this.#hold(taskId, request, signal);
    }
  }

  #decline(reason: UnroutedReason, request: ElicitRequestParams): ElicitResult {
    this.#onUnrouted?.(reason, request);
    return { action: "decline" };
  }

  /** Holds `request` until a request waits on `taskId` (declined past the bounds). */
  #hold(taskId: string, request: ElicitRequestParams, signal?: AbortSignal): Promise<ElicitResult> {
    const held = this.#held.get(taskId) ?? [];
    if (held.length >= MAX_HELD_PER_TASK || this.#heldTotal() >= MAX_HELD) {
      return Promise.resolve(this.#decline("too-many-held", request));
    }
    if (signal?.aborted) return Promise.resolve({ action: "cancel" });
    const { promise, resolve } = Promise.withResolvers<ElicitResult>();
    const entry: Held = {
      request,
      signal,
      settle: (answer) => {
        signal?.removeEventListener("abort", drop);
        resolve(answer);
      },
    };
    // The server gave the question up: nobody is asked it any more.
    const drop = () => {
      const list = this.#held.get(taskId);
      const at = list?.indexOf(entry) ?? -1;
      if (at < 0) return;
      list!.splice(at, 1);
      if (list!.length === 0) this.#held.delete(taskId);
      resolve({ action: "cancel" });
    };
    signal?.addEventListener("abort", drop, { once: true });
    held.push(entry);
    this.#held.set(taskId, held);
    // Someone may already be waiting (the question was left by another of its waiters).
    const waiting = this.#waitingOn(taskId);
    if (waiting) this.#offerHeld(waiting, taskId);
    return promise;
  }

  #heldTotal(): number {
    let total = 0;
    for (const held of this.#held.values()) total += held.length;
    return total;
  }

  /** Puts the questions held for `taskId` to `listener`, who now waits on it. */
  #offerHeld(listener: Listener, taskId: string): void {
    const held = this.#held.get(taskId);
    if (!held) return;
    this.#held.delete(taskId);
    for (const { request, settle, signal } of held) settle(this.#ask(listener, request, signal));
  }

  #route(
    request: ElicitRequestParams,
  ): Listener | { hold: string } | { reason: UnroutedReason } | { left: true } {
    const own = this.#current.getStore();
    if (own && !own.left) return own;
    const taskId = relatedTaskId(request) ?? own?.taskId;
    if (taskId !== undefined) return this.#waitingOn(taskId) ?? { hold: taskId };
    // A plain request whose asker left: its questions are its own, never another command's.
    if (own) return { left: true };
    const askable = this.#active.filter((listener) => !listener.left);
    if (askable.length === 0) return { reason: "no-listener" };
    if (askable.length > 1) return { reason: "ambiguous" };
    return askable[0];
  }

  /** The newest request waiting on `taskId` that can still be asked. */
  #waitingOn(taskId: string): Listener | undefined {
    return this.#active.findLast((listener) => listener.taskId === taskId && !listener.left);
  }
}

/** The task a message says it is about, if any. */
export function relatedTaskId(params: { _meta?: Record<string, unknown> } | undefined) {
  const related = params?._meta?.[RELATED_TASK_META_KEY];
  if (typeof related !== "object" || related === null) return undefined;
  const taskId = (related as { taskId?: unknown }).taskId;
  return typeof taskId === "string" ? taskId : undefined;
}
