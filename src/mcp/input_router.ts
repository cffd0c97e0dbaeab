/**
 * Routes the server's questions (elicitations) to the request they belong
 * to. A question that arrives while a request runs (a 2025-era
 * `elicitation/create` on that request's stream, or a 2026-07-28
 * input-required round the SDK fulfils inside the call) is answered by that
 * request's handler; one that cannot be placed goes to the newest request
 * that takes questions; with none, it is declined (no one is there to ask).
 *
 * Layer: edge (node:async_hooks).
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { ElicitRequestParams, ElicitResult } from "./types.ts";

/** Answers one question from the server. */
export type InputHandler = (request: ElicitRequestParams) => Promise<ElicitResult>;

/** One connection's routing of questions to the requests in flight. */
export class InputRouter {
  readonly #current = new AsyncLocalStorage<InputHandler>();
  readonly #active: InputHandler[] = [];

  /** Runs `fn` with `handler` answering the questions it causes (none: `fn` as is). */
  async run<T>(handler: InputHandler | undefined, fn: () => Promise<T>): Promise<T> {
    if (!handler) return await fn();
    this.#active.push(handler);
    try {
      return await this.#current.run(handler, fn);
    } finally {
      this.#active.splice(this.#active.lastIndexOf(handler), 1);
    }
  }

  /** Whether any request in flight takes questions. */
  get listening(): boolean {
    return this.#active.length > 0;
  }

  /** The answer to `request`, from the handler it belongs to; declined when there is none. */
  async answer(request: ElicitRequestParams): Promise<ElicitResult> {
    const handler = this.#current.getStore() ?? this.#active.at(-1);
    if (!handler) return { action: "decline" };
    return await handler(request);
  }
}
