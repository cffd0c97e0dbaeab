/**
 * Bounds the page walks of list requests (`tools/list`, `resources/list`,
 * `resources/templates/list`, `prompts/list`): a walk that asks for a cursor
 * it already asked for in the same walk, or that goes past
 * {@linkcode MAX_LIST_PAGES} pages, stops with a clear error instead of
 * looping. It watches the requests a client sends, so it works the same for
 * the SDK's own page walks and for mcpc's.
 *
 * Layer: pure (the watch) plus a small transport wrapper.
 * @module
 */

import { McpcError } from "../errors.ts";
import type { JSONRPCMessage } from "./types.ts";

/** Most pages one list walk may fetch. */
export const MAX_LIST_PAGES = 1_000;

const LIST_METHODS = new Set([
  "tools/list",
  "resources/list",
  "resources/templates/list",
  "prompts/list",
]);

/** A list walk the server would never let end. */
export class PaginationError extends McpcError {
  constructor(message: string) {
    super("server", message);
    this.name = "PaginationError";
  }
}

interface Walk {
  cursors: Set<string>;
  pages: number;
}

/** Follows the list walks of one connection (one walk per method at a time). */
export class CursorWatch {
  readonly #walks = new Map<string, Walk>();
  readonly #maxPages: number;

  constructor(maxPages = MAX_LIST_PAGES) {
    this.#maxPages = maxPages;
  }

  /** Notes an outgoing message; throws {@linkcode PaginationError} for a request that must not go out. */
  note(message: JSONRPCMessage): void {
    if (!("method" in message) || !("id" in message) || !LIST_METHODS.has(message.method)) return;
    const params = (message.params ?? {}) as { cursor?: unknown };
    const method = message.method;
    if (params.cursor === undefined) {
      this.#walks.set(method, { cursors: new Set(), pages: 1 });
      return;
    }
    const cursor = String(params.cursor);
    const walk = this.#walks.get(method) ?? { cursors: new Set<string>(), pages: 1 };
    this.#walks.set(method, walk);
    if (walk.cursors.has(cursor)) {
      this.#walks.delete(method);
      throw new PaginationError(
        `The server's ${method} returned the cursor ${
          JSON.stringify(cursor.length > 60 ? `${cursor.slice(0, 60)}…` : cursor)
        } a second time (after ${walk.pages} pages); listing stopped`,
      );
    }
    if (walk.pages >= this.#maxPages) {
      this.#walks.delete(method);
      throw new PaginationError(
        `The server's ${method} did not end after ${this.#maxPages} pages; listing stopped`,
      );
    }
    walk.cursors.add(cursor);
    walk.pages++;
  }
}

/** The send side of a transport. */
interface Sender {
  send(message: JSONRPCMessage, options?: never): Promise<void>;
}

/** Makes `transport` refuse list requests that {@linkcode CursorWatch} stops; returns it. */
export function watchCursors<T extends Sender>(transport: T, watch = new CursorWatch()): T {
  const send = transport.send.bind(transport);
  transport.send = ((message: JSONRPCMessage, options?: never) => {
    try {
      watch.note(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return send(message, options);
  }) as T["send"];
  return transport;
}
