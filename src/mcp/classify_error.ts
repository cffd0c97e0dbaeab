/**
 * Turns whatever the MCP SDK, `fetch` or a stdio child throws into mcpc's
 * error taxonomy, and says whether it changes the session's status.
 * Typed checks first (SDK error classes, HTTP status codes); message
 * matching only as a last resort, and only here.
 *
 * Layer: edge (imports the SDK's error classes).
 * @module
 */

import { RefreshUnavailableError } from "../auth/refresh_unavailable.ts";
import { ScopeRequiredError } from "../auth/scope_required.ts";
import { causeOfType, type ErrorKind } from "../errors.ts";
import { redactUrlsIn } from "../config/redact_url.ts";
import { ServerSilentError, SessionNotResumedError, UnsupportedRevisionError } from "./client.ts";
import { HandshakeError, quoteBytes } from "./handshake_guard.ts";
import { describeBody, HttpEndpointError, isTransientStatus } from "./http_diagnostics.ts";
import { PaginationError } from "./pagination_watch.ts";
import { invalidResponseText } from "./response_check.ts";
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError, UnauthorizedError } from "./sdk.ts";
import { StdioServerError } from "./stdio_transport.ts";
import type { ProxyInUse } from "../config/proxy_env.ts";

/** A classified failure: exit-code kind, user message, and its effect on the session. */
export interface ClassifiedError {
  kind: ErrorKind;
  message: string;
  /** The session status this failure implies, if any. */
  sessionStatus?: "expired" | "unauthorized";
}

/** What the failing operation was talking to. */
export interface ClassifyContext {
  /** Server URL (HTTP sessions), for messages. */
  url?: string;
  /** Whether an MCP session id was in use (a 404 then means the session expired). */
  hadSession: boolean;
  /** Prefix naming the operation, e.g. `Failed to call tool "x"`. */
  operation?: string;
  /**
   * `connect`: the failure ended a connect, where a server that answers with a
   * JSON-RPC error (or breaks the protocol) will do so again: a usage error.
   */
  phase?: "connect";
  /** The outbound proxy the server's requests go through (`HTTP(S)_PROXY`), if any. */
  proxy?: ProxyInUse;
}

/** Classifies an error thrown while talking to an MCP server. */
export function classifyMcpError(error: unknown, context: ClassifyContext): ClassifiedError {
  // fetch's errors quote the full URL: its query values may be secrets (decisions.md §3.20).
  const found = classify(error, context);
  const classified = { ...found, message: redactUrlsIn(found.message) };
  return context.phase === "connect" && classified.kind === "server"
    ? { ...classified, kind: "usage" }
    : classified;
}

function classify(error: unknown, context: ClassifyContext): ClassifiedError {
  const message = rootMessage(error);
  const where = context.url ?? "the server";
  const prefixed = (text: string) => context.operation ? `${context.operation}: ${text}` : text;
  if (context.proxy && /connection refused|ECONNREFUSED|tcp connect error/i.test(message)) {
    // The connection that failed was the one to the proxy.
    return {
      kind: "network",
      message: prefixed(
        `Cannot reach the proxy ${context.proxy.url} (${context.proxy.variable}) for ${where}. ` +
          `Is the proxy running?\n  Original error: ${message}`,
      ),
    };
  }
  // Deno's client and undici (--insecure) word a 407 to CONNECT differently.
  if (context.proxy && /proxy authentication required|proxy response \(407\)/i.test(message)) {
    const { url, variable } = context.proxy;
    return {
      kind: "network",
      message: prefixed(
        `The proxy ${url} (${variable}) refused the request for ${where}: 407 Proxy ` +
          `Authentication Required. Put its user name and password in the URL in ${variable}.` +
          `\n  Original error: ${message}`,
      ),
    };
  }

  const pagination = causeOfType(error, PaginationError);
  if (pagination) return { kind: "server", message: prefixed(pagination.message) };
  const scope = causeOfType(error, ScopeRequiredError);
  if (scope) return { kind: "auth", message: prefixed(scope.message) };
  const unavailable = causeOfType(error, RefreshUnavailableError);
  if (unavailable) return { kind: "network", message: prefixed(unavailable.message) };
  if (error instanceof SessionNotResumedError) {
    return { kind: "usage", message: error.message, sessionStatus: "expired" };
  }
  if (error instanceof ServerSilentError) return { kind: "network", message: error.message };
  if (error instanceof UnsupportedRevisionError) return { kind: "usage", message: error.message };
  if (error instanceof StdioServerError || error instanceof HandshakeError) {
    return { kind: "usage", message: error.message };
  }
  if (error instanceof HttpEndpointError) {
    return { kind: error.transient ? "network" : "usage", message: error.message };
  }
  if (error instanceof UnauthorizedError) {
    return { kind: "auth", message: prefixed(message), sessionStatus: "unauthorized" };
  }
  if (error instanceof SdkHttpError) {
    const status = error.status;
    if (status === 401 || status === 403) {
      return {
        kind: "auth",
        message: prefixed(`Server returned HTTP ${status} at ${where}`),
        sessionStatus: "unauthorized",
      };
    }
    if (context.hadSession && (status === 404 || (status === 400 && saysSessionLost(message)))) {
      return {
        kind: "usage",
        message: prefixed(
          `Session expired: the server rejected the MCP session ID (HTTP ${status})`,
        ),
        sessionStatus: "expired",
      };
    }
    if (status === 404) {
      return {
        kind: "usage",
        message: `Server returned 404 Not Found at ${where}. Check the endpoint URL.`,
      };
    }
    if (status >= 300 && status < 400) {
      return {
        kind: "usage",
        message: `Server returned a redirect at ${where}. This does not look like an MCP endpoint.`,
      };
    }
    const body = describeBody({
      method: "POST",
      status,
      contentType: "",
      body: typeof error.data.text === "string" ? error.data.text : responseText(error.message),
    });
    return {
      kind: status >= 400 && !isTransientStatus(status) ? "usage" : "network",
      message: prefixed(`Server returned HTTP ${status} at ${where}: ${body}`),
    };
  }
  if (error instanceof SdkError) {
    if (
      error.code === SdkErrorCode.RequestTimeout || error.code === SdkErrorCode.ConnectionClosed
    ) {
      return { kind: "network", message: prefixed(message) };
    }
    if (
      error.code === SdkErrorCode.InvalidResult || error.code === SdkErrorCode.UnsupportedResultType
    ) {
      return { kind: "server", message: prefixed(invalidResult(error.message, where)) };
    }
  }
  if (error instanceof ProtocolError) {
    const invalid = invalidResponseText(error.data);
    if (invalid !== undefined) {
      // The server breaks the protocol: waiting at connect will not help; later, exit 3.
      return { kind: context.phase === "connect" ? "usage" : "network", message: invalid };
    }
    return { kind: "server", message: prefixed(message) };
  }
  if (isAbort(error)) return { kind: "network", message: prefixed("Request cancelled") };
  const violation = protocolViolation(error, where);
  if (violation) return { kind: "server", message: prefixed(violation) };
  return classifyByMessage(message, where, prefixed);
}

/**
 * One line for a result the SDK found in the wrong shape. Its message ends
 * in the schema issues as JSON (`Invalid result for initialize: [...]`); the
 * first issue is shown.
 */
function invalidResult(message: string, where: string): string {
  const detail = message.replace(/^Invalid result for [^:]+: /, "");
  let issues: unknown;
  try {
    issues = JSON.parse(detail);
  } catch {
    return `${where} sent an answer that is not a valid MCP message (${detail})`;
  }
  const first = Array.isArray(issues)
    ? issues[0] as { path?: unknown[]; message?: string } | undefined
    : undefined;
  const path = first?.path?.length ? `${first.path.join(".")}: ` : "";
  return `${where} sent an answer that is not a valid MCP message (${path}${
    first?.message ?? detail
  })`;
}

/**
 * One line for an answer that breaks the protocol (the server misbehaves;
 * waiting will not help): a message that fails the SDK's schema, JSON that
 * does not parse, or a protocol version the SDK does not speak.
 */
function protocolViolation(error: unknown, where: string): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    const issues = (current as { issues?: unknown }).issues;
    // Classic zod throws `ZodError`; the SDK's zod-mini checks give `$ZodError`.
    if (/ZodError$/.test(current.name) && Array.isArray(issues)) {
      const first = issues[0] as { path?: unknown[]; message?: string } | undefined;
      const path = first?.path?.length ? `${first.path.join(".")}: ` : "";
      return `${where} sent an answer that is not a valid MCP message (${path}${
        first?.message ?? "invalid"
      })`;
    }
    if (current instanceof SyntaxError) {
      return `${where} sent an answer that is not valid JSON (${current.message})`;
    }
    const version = current.message.match(/protocol version is not supported: (.*)$/)?.[1];
    if (version !== undefined) {
      return `${where} speaks MCP protocol version ${quoteBytes(version, 40)}, ` +
        "which mcpc does not support";
    }
    current = current.cause;
  }
  return undefined;
}

/** The response text inside an `SdkHttpError` message (after the SDK's prefixes). */
function responseText(message: string): string {
  return message.replace(/^Streamable HTTP error: /, "")
    .replace(
      /^(Error POSTing to endpoint|Failed to open SSE stream|Failed to terminate session)(: )?/,
      "",
    );
}

/**
 * Whether an HTTP 400 body says the MCP session id is missing, unknown or
 * invalid (the SDK servers' wording: "No valid session ID provided",
 * "Mcp-Session-Id header is required", "Server not initialized", ...).
 */
export function saysSessionLost(body: string): boolean {
  return /server not initiali[sz]ed/i.test(body) ||
    (/session/i.test(body) &&
      /(no valid|invalid|unknown|not found|missing|required|expired|not initiali[sz]ed)/i.test(
        body,
      ));
}

/** The resolver's answer for a name that does not exist (not a temporary failure). */
const NO_SUCH_HOST =
  /Name or service not known|nodename nor servname provided|No address associated with hostname|EAI_NONAME/i;

function classifyByMessage(
  message: string,
  where: string,
  prefixed: (text: string) => string,
): ClassifiedError {
  if (/connection refused|ECONNREFUSED|tcp connect error/i.test(message)) {
    return {
      kind: "network",
      message:
        `Cannot reach server at ${where}. Is the server running?\n  Original error: ${message}`,
    };
  }
  if (NO_SUCH_HOST.test(message)) {
    // The name does not exist (NXDOMAIN): waiting will not make it resolve.
    return {
      kind: "usage",
      message: `Cannot resolve hostname at ${where}: no such host. Check the server URL.`,
    };
  }
  if (/dns error|failed to lookup|ENOTFOUND|getaddrinfo|EAI_AGAIN/i.test(message)) {
    return {
      kind: "network",
      message:
        `Cannot resolve hostname at ${where}. Check the server URL.\n  Original error: ${message}`,
    };
  }
  if (
    /certificate|TLS|SSL|corrupt message|InvalidContentType|wrong version number/i.test(message)
  ) {
    // An untrusted or invalid certificate stays so until someone changes it.
    return {
      kind: "usage",
      message: `TLS/SSL error at ${where}. Check the server's certificate` +
        (/UnknownIssuer/i.test(message)
          ? " (signed by a private CA? trust it with connect --ca-file <pem>, or DENO_CERT=<pem>)"
          : "") +
        `.\n  Original error: ${message}`,
    };
  }
  if (/timed? ?out/i.test(message)) {
    return {
      kind: "network",
      message: `Connection timed out at ${where}. The server may be slow or unreachable.\n` +
        `  Original error: ${message}`,
    };
  }
  if (/\b401\b|\b403\b|unauthorized|invalid_token/i.test(message)) {
    return { kind: "auth", message: prefixed(message), sessionStatus: "unauthorized" };
  }
  return { kind: "network", message: prefixed(message) };
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException &&
    (error.name === "AbortError" || error.name === "TimeoutError");
}

/** The message of the deepest `cause` in an error chain. */
export function rootMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 10; depth++) {
    if (!(current instanceof Error) || current.cause === undefined) break;
    current = current.cause;
  }
  const top = error instanceof Error ? error.message : String(error);
  if (current === error) return top;
  const deepest = current instanceof Error ? current.message : String(current);
  return top.includes(deepest) ? top : `${top}: ${deepest}`;
}
