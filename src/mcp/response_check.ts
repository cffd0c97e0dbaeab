/**
 * Strict checks of what a server sends as a response, so that a broken one
 * fails the request it answers at once ("Server sent an invalid response to
 * tools/call: ...") instead of being dropped, which leaves the request waiting
 * for its timeout. The transport turns a refused response into a JSON-RPC
 * error for the pending request (see {@linkcode invalidResponseError}).
 *
 * Layer: pure.
 * @module
 */

import type { JSONRPCMessage } from "./types.ts";

/** JSON-RPC error code mcpc gives a request whose response the server got wrong. */
export const INVALID_RESPONSE_CODE = -32_099;

/** Marker in the error's `data`, so classification does not depend on the code alone. */
export const INVALID_RESPONSE_MARKER = "mcpc-invalid-response";

/** A request sent and not yet answered. */
export type PendingRequests = ReadonlyMap<string | number, string>;

/** What was wrong with a response, and which pending requests it fails. */
export interface InvalidResponse {
  /** The ids of the requests that fail (the one answered, else every pending one). */
  ids: (string | number)[];
  /** Why, in a few words (`error has no message`). */
  reason: string;
}

/**
 * Whether `value` (one parsed JSON value from the server) is meant as a
 * response: an object without a `method` that has `result`, `error` or an
 * `id` and speaks JSON-RPC 2.0 or looks like a response.
 */
export function looksLikeResponse(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  if ("method" in message) return false;
  return "result" in message || "error" in message ||
    (message.jsonrpc === "2.0" && "id" in message);
}

/**
 * Checks a response against the JSON-RPC 2.0 and MCP rules; `undefined` when
 * it is valid and answers a pending request.
 */
export function checkResponse(
  message: Record<string, unknown>,
  pending: PendingRequests,
): InvalidResponse | undefined {
  const id = message.id;
  const known = (typeof id === "string" || typeof id === "number") && pending.has(id);
  const reason = invalidReason(message, id, known);
  if (reason === undefined) return undefined;
  if (known) return { ids: [id as string | number], reason };
  return { ids: [...pending.keys()], reason };
}

function invalidReason(
  message: Record<string, unknown>,
  id: unknown,
  known: boolean,
): string | undefined {
  if (message.jsonrpc !== "2.0") return `"jsonrpc" is ${describe(message.jsonrpc)}, not "2.0"`;
  const hasResult = "result" in message;
  const hasError = "error" in message;
  if (hasResult && hasError) return "it has both a result and an error";
  if (!hasResult && !hasError) return "it has neither a result nor an error";
  if (id === undefined) return "it has no id";
  if (id === null) return "its id is null";
  if (typeof id !== "string" && typeof id !== "number") return `its id is ${describe(id)}`;
  if (!known) return `its id ${JSON.stringify(id)} matches no request`;
  if (hasResult) {
    const result = message.result;
    if (typeof result !== "object" || result === null || Array.isArray(result)) {
      return `the result is ${describe(result)}, not an object`;
    }
    return undefined;
  }
  const error = message.error;
  if (error === null) return "the error is null";
  if (typeof error !== "object" || Array.isArray(error)) {
    return `the error is ${describe(error)}, not an object`;
  }
  const { code, message: text } = error as Record<string, unknown>;
  if (!Number.isInteger(code)) return `the error code is ${describe(code)}, not an integer`;
  if (typeof text !== "string") return "the error has no message";
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return `a string (${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)})`;
  }
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/**
 * The JSON-RPC error response that fails request `id` (a `method` request)
 * whose answer was invalid; the message is what the user sees.
 */
export function invalidResponseError(
  id: string | number,
  method: string,
  reason: string,
): JSONRPCMessage {
  const text = `Server sent an invalid response to ${method}: ${reason}`;
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: INVALID_RESPONSE_CODE,
      message: text,
      data: { [INVALID_RESPONSE_MARKER]: text },
    },
  } as JSONRPCMessage;
}

/** The user-facing text of an error made by {@linkcode invalidResponseError}, if it is one. */
export function invalidResponseText(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const text = (data as Record<string, unknown>)[INVALID_RESPONSE_MARKER];
  return typeof text === "string" ? text : undefined;
}
