/**
 * What an HTTP endpoint answered when it did not speak MCP: a fetch wrapper
 * that remembers the last unusable response (status, content type, the first
 * bytes of the body), a summary of it in one line (HTML pages by their
 * `<title>`, never dumped), and a probe for the legacy HTTP+SSE transport.
 *
 * Layer: edge (wraps `fetch`; the summaries are pure).
 * @module
 */

import { quoteBytes } from "./handshake_guard.ts";
import { checkedAnswer, postedRequest } from "./http_response_check.ts";

/** A `fetch`-compatible function. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** An HTTP response that was not a usable MCP answer. */
export interface HttpResponseFacts {
  /** Request method. */
  method: string;
  status: number;
  /** `Content-Type` without parameters, lower-case ("" when absent). */
  contentType: string;
  /** The first bytes of the body. */
  body: string;
}

/** How many body bytes are kept for a summary. */
const BODY_BYTES = 16 * 1024;
/** Bound on the legacy SSE probe (ms). */
const SSE_PROBE_MS = 3_000;

const MCP_CONTENT_TYPES = new Set(["application/json", "text/event-stream"]);

/** A `fetch` that records the last response that is an error or not MCP content. */
export interface RecordingFetch {
  fetch: FetchLike;
  /** The last such response. */
  last(): HttpResponseFacts | undefined;
}

/**
 * Wraps `base` so unusable responses are remembered (the response itself is
 * passed on unchanged). `onNoAnswer` hears of a POST that carried a request
 * but was accepted with 202 and no body: no answer will ever come for it.
 * The answer to a request other than `initialize` is checked: a response in
 * the wrong shape is replaced by an error for that request (see
 * `http_response_check.ts`), so it fails at once instead of timing out.
 */
export function recordingFetch(
  base: FetchLike = fetch,
  options: {
    onNoAnswer?: (facts: HttpResponseFacts) => void;
    /** While true, a JSON answer to a request is also checked to hold a response. */
    checkAnswers?: () => boolean;
  } = {},
): RecordingFetch {
  let last: HttpResponseFacts | undefined;
  return {
    fetch: async (url, init) => {
      const response = await base(url, init);
      const method = (init?.method ?? "GET").toUpperCase();
      const contentType = mediaType(response.headers.get("content-type"));
      const request = method === "POST" && carriesRequest(init?.body);
      if (request && response.status === 202) {
        last = { method, status: 202, contentType, body: "" };
        options.onNoAnswer?.(last);
        return response;
      }
      if (
        request && response.status === 200 && contentType === "application/json" &&
        options.checkAnswers?.()
      ) {
        const body = await readPrefix(response.clone(), BODY_BYTES);
        if (!holdsResponse(body)) {
          last = { method, status: 200, contentType, body };
          options.onNoAnswer?.(last);
        }
        return response;
      }
      const unusable = response.status >= 300 ||
        (method === "POST" && response.status === 200 && !MCP_CONTENT_TYPES.has(contentType));
      if (unusable) {
        last = {
          method,
          status: response.status,
          contentType,
          body: await readPrefix(response.clone(), BODY_BYTES),
        };
      }
      const posted = request ? postedRequest(init?.body) : undefined;
      return posted ? await checkedAnswer(response, posted) : response;
    },
    last: () => last,
  };
}

/** Whether a JSON body holds a JSON-RPC response (an object with an id and a result or error). */
function holdsResponse(body: string): boolean {
  try {
    const parsed = JSON.parse(body);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages.some((message) =>
      typeof message === "object" && message !== null && "id" in message &&
      ("result" in message || "error" in message)
    );
  } catch {
    // Unparsable JSON fails in the SDK with its own clear error.
    return true;
  }
}

/** Whether a POST body holds a JSON-RPC request (something that expects an answer). */
function carriesRequest(body: unknown): boolean {
  if (typeof body !== "string") return false;
  try {
    const parsed = JSON.parse(body);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages.some((message) =>
      typeof message?.method === "string" && message.id !== undefined && message.id !== null
    );
  } catch {
    return false;
  }
}

function mediaType(header: string | null): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/** Bound on reading the start of an error body (ms): a body that never ends must not hold the request. */
const BODY_READ_MS = 2_000;

async function readPrefix(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), BODY_READ_MS);
  });
  try {
    while (text.length < limit) {
      const chunk = await Promise.race([reader.read(), timeUp]);
      if (chunk === undefined || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } catch {
    // A body cut short still tells what it was.
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  return text.slice(0, limit);
}

/** Whether a body is an HTML document. */
export function isHtml(facts: Pick<HttpResponseFacts, "contentType" | "body">): boolean {
  return facts.contentType === "text/html" || /^\s*(<!doctype html|<html)/i.test(facts.body);
}

/** The text of an HTML `<title>`, whitespace collapsed, if there is one. */
export function htmlTitle(html: string): string | undefined {
  const match = html.match(/<title[^>]*>([\s\S]*?)<\/title>/i);
  const title = match?.[1].replace(/\s+/g, " ").trim();
  return title ? decodeEntities(title).slice(0, 120) : undefined;
}

function decodeEntities(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name] ?? "",
  );
}

/** The `error.message` of a JSON-RPC error body, if the body is one. */
export function jsonRpcErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    return typeof parsed?.error?.message === "string" ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}

/** One line describing what the body was: `an HTML page ("Not Found")`, a JSON-RPC error, or its first bytes. */
export function describeBody(facts: HttpResponseFacts): string {
  if (isHtml(facts)) {
    const title = htmlTitle(facts.body);
    return title ? `an HTML page ("${title}")` : "an HTML page";
  }
  const rpc = jsonRpcErrorMessage(facts.body);
  if (rpc) return `"${rpc}"`;
  const text = facts.body.replace(/\s+/g, " ").trim();
  return text === "" ? "an empty body" : quoteBytes(text);
}

/** Whether an HTTP status means waiting may help (5xx, 408 Request Timeout, 429 Too Many Requests). */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Whether `url` is a legacy HTTP+SSE endpoint: a GET for `text/event-stream`
 * opens a stream whose first event is `endpoint`. Bounded; never throws.
 */
export async function isLegacySseEndpoint(
  url: string,
  options: { headers?: Record<string, string>; fetch?: FetchLike } = {},
): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SSE_PROBE_MS);
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: "GET",
      headers: { ...(options.headers ?? {}), Accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (!response.ok || mediaType(response.headers.get("content-type")) !== "text/event-stream") {
      await response.body?.cancel().catch(() => {});
      return false;
    }
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (text.length < 4096) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (/\n\n|\r\n\r\n/.test(text)) break;
    }
    reader.cancel().catch(() => {});
    return /^event:\s*endpoint\s*$/m.test(text);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** A connect failed because the endpoint did not answer as an MCP server. */
export class HttpEndpointError extends Error {
  /** What it answered. */
  readonly facts: HttpResponseFacts;
  /** Whether it is a legacy HTTP+SSE endpoint. */
  readonly legacySse: boolean;

  constructor(url: string, facts: HttpResponseFacts, legacySse: boolean, options?: ErrorOptions) {
    super(endpointMessage(url, facts, legacySse), options);
    this.name = "HttpEndpointError";
    this.facts = facts;
    this.legacySse = legacySse;
  }

  /** Whether waiting may help (a 5xx and the like). */
  get transient(): boolean {
    return !this.legacySse && isTransientStatus(this.facts.status);
  }
}

/** The one-line message for {@linkcode HttpEndpointError}. */
export function endpointMessage(url: string, facts: HttpResponseFacts, legacySse: boolean): string {
  if (legacySse) {
    return `${url} is a legacy HTTP+SSE endpoint, which mcpc does not support. ` +
      "Use the server's Streamable HTTP endpoint (often /mcp)";
  }
  const { status } = facts;
  if (status === 202 && facts.body === "") {
    return `Server at ${url} accepted the initialize request (HTTP 202) without answering it, ` +
      "which is not how an MCP server answers. Check the endpoint URL";
  }
  if (status >= 200 && status < 300) {
    const type = facts.contentType || "none";
    return `Server at ${url} answered with ${describeBody(facts)} (content type ${type}), ` +
      "which is not an MCP response. Check the endpoint URL";
  }
  if (status >= 300 && status < 400) {
    return `Server returned a redirect (HTTP ${status}) at ${url}. ` +
      "This does not look like an MCP endpoint";
  }
  const hint = isTransientStatus(status) ? "" : ". Check the endpoint URL";
  return `Server returned HTTP ${status} at ${url}: ${describeBody(facts)}${hint}`;
}
