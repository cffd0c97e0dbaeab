/**
 * Strict checks of the answer to a Streamable HTTP POST: a response in the
 * wrong shape (see `response_check.ts`) is replaced by an error for the
 * request the POST carried, because the SDK would drop it and leave the
 * request waiting for its timeout. A JSON body is checked whole; an SSE body
 * is rewritten event by event, and every event that needs no change passes
 * byte for byte, as soon as it is complete.
 *
 * Layer: pure (transforms `Response` objects and streams; no I/O of its own).
 * @module
 */

import { checkResponse, invalidResponseError, looksLikeResponse } from "./response_check.ts";
import type { JSONRPCMessage } from "./types.ts";

/** The one request a POST carried, which its answer must answer. */
export interface PostedRequest {
  id: string | number;
  method: string;
}

/**
 * The request in a POST body, when the body is one JSON-RPC request other
 * than `initialize` (the handshake guard judges that answer). Batches and
 * notifications give `undefined`.
 */
export function postedRequest(body: unknown): PostedRequest | undefined {
  if (typeof body !== "string") return undefined;
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return undefined;
  const { id, method } = message as Record<string, unknown>;
  if (typeof method !== "string" || method === "initialize") return undefined;
  if (typeof id !== "string" && typeof id !== "number") return undefined;
  return { id, method };
}

/**
 * Follows the answer to one request: the first message that looks like a
 * response is its answer, checked; later ones pass unchecked.
 */
class AnswerCheck {
  readonly #request: PostedRequest;
  #answered = false;

  constructor(request: PostedRequest) {
    this.#request = request;
  }

  /** The message that replaces `value`, or `undefined` to keep it. */
  replacement(value: unknown): JSONRPCMessage | undefined {
    if (this.#answered || !looksLikeResponse(value)) return undefined;
    this.#answered = true;
    const { id, method } = this.#request;
    const invalid = checkResponse(value, new Map([[id, method]]));
    return invalid ? invalidResponseError(id, method, invalid.reason) : undefined;
  }
}

/**
 * `response` (a 200 answer to `request`) with an invalid response in its body
 * replaced; other responses, and bodies that need no change, are returned
 * as they are.
 */
export async function checkedAnswer(
  response: Response,
  request: PostedRequest,
): Promise<Response> {
  if (response.status !== 200 || !response.body) return response;
  const type = mediaType(response.headers.get("content-type"));
  if (type === "text/event-stream") {
    return rebuilt(response, response.body.pipeThrough(checkedEventStream(request)));
  }
  if (type !== "application/json") return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  const replaced = checkedJsonBody(new TextDecoder().decode(bytes), request);
  return rebuilt(response, replaced ?? bytes, replaced === undefined);
}

/**
 * The JSON body that replaces `text` (the JSON answer to `request`), or
 * `undefined` when it needs no change. Unparsable JSON is left to the SDK,
 * which fails the request with its own error.
 */
export function checkedJsonBody(text: string, request: PostedRequest): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const check = new AnswerCheck(request);
  if (!Array.isArray(value)) {
    const replacement = check.replacement(value);
    return replacement ? JSON.stringify(replacement) : undefined;
  }
  let changed = false;
  const messages = value.map((message) => {
    const replacement = check.replacement(message);
    if (replacement) changed = true;
    return replacement ?? message;
  });
  return changed ? JSON.stringify(messages) : undefined;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * A stream transform for the SSE answer to `request`: each event is held
 * until its blank line arrives, then passed on unchanged, or, when it
 * carries an invalid response, rewritten with the error in its `data` (its
 * other fields kept).
 */
export function checkedEventStream(
  request: PostedRequest,
): TransformStream<Uint8Array, Uint8Array> {
  const check = new AnswerCheck(request);
  /** The bytes of the event not yet complete. */
  let held: Uint8Array[] = [];
  /** Whether the current line has characters (a line without any ends the event). */
  let lineHasText = false;
  /** Whether the last byte was a CR, so an LF next is part of a CRLF. */
  let afterCr = false;
  /** Whether an LF next completes the CRLF of an event that was rewritten (and goes with it). */
  let dropLf = false;
  return new TransformStream({
    transform(chunk, controller) {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === LF && afterCr) {
          afterCr = false;
          if (dropLf) start = i + 1;
          dropLf = false;
          continue;
        }
        dropLf = false;
        afterCr = byte === CR;
        if (byte !== LF && byte !== CR) {
          lineHasText = true;
          continue;
        }
        if (lineHasText) {
          lineHasText = false;
          continue;
        }
        const event = concat([...held, chunk.subarray(start, i + 1)]);
        held = [];
        start = i + 1;
        const rewritten = rewrittenEvent(event, check);
        controller.enqueue(rewritten ?? event);
        dropLf = rewritten !== undefined && byte === CR;
      }
      if (start < chunk.length) held.push(chunk.slice(start));
    },
    flush(controller) {
      // An event cut short is never dispatched by an SSE parser: pass it on as it is.
      if (held.length > 0) controller.enqueue(concat(held));
    },
  });
}

/** The bytes that replace one complete SSE event, or `undefined` to keep it. */
function rewrittenEvent(event: Uint8Array, check: AnswerCheck): Uint8Array | undefined {
  const kept: string[] = [];
  const data: string[] = [];
  let type = "";
  for (const line of new TextDecoder().decode(event).split(/\r\n|\r|\n/)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== "data") {
      kept.push(line);
      if (field === "event") type = fieldValue(line, colon);
      continue;
    }
    data.push(fieldValue(line, colon));
  }
  // The SDK reads only `message` events (the default type) that have data.
  if (data.length === 0 || (type !== "" && type !== "message")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data.join("\n"));
  } catch {
    return undefined;
  }
  const replacement = check.replacement(value);
  if (!replacement) return undefined;
  const lines = [...kept, `data: ${JSON.stringify(replacement)}`];
  return new TextEncoder().encode(`${lines.join("\n")}\n\n`);
}

function fieldValue(line: string, colon: number): string {
  if (colon === -1) return "";
  const value = line.slice(colon + 1);
  return value.startsWith(" ") ? value.slice(1) : value;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A copy of `response` with another body; the length header goes unless the body is the same. */
function rebuilt(
  response: Response,
  body: BodyInit,
  sameBody = false,
): Response {
  const headers = new Headers(response.headers);
  if (!sameBody) headers.delete("content-length");
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

function mediaType(header: string | null): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}
