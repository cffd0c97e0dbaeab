/**
 * Watches the first exchange with a server: until the `initialize` request
 * is answered, a server that sends that request back (`cat`) or answers a
 * request that was never sent is not an MCP server, and waiting for its
 * answer would only end in a timeout. Used by the stdio transport and, as a
 * wrapper, for Streamable HTTP.
 *
 * Layer: edge (wraps a transport; the guard itself is pure).
 * @module
 */

import { SdkHttpError } from "./sdk.ts";
import type { JSONRPCMessage } from "./types.ts";

/** Why the first answer shows the peer is not an MCP server. */
export type HandshakeFailureReason = "echo" | "not-a-response";

/** The peer's first answer shows it is not an MCP server; waiting will not help. */
export class HandshakeError extends Error {
  /** Why. */
  readonly reason: HandshakeFailureReason;

  constructor(reason: HandshakeFailureReason, message: string) {
    super(message);
    this.name = "HandshakeError";
    this.reason = reason;
  }
}

/** The first bytes of a message or of stray output, quoted for a one-line message. */
export function quoteBytes(text: string, limit = 120): string {
  return JSON.stringify(text.length > limit ? `${text.slice(0, limit)}…` : text);
}

/** The requests that open a connection: the 2026-07-28 probe, and the 2025-era handshake. */
const HANDSHAKE_METHODS = new Set(["server/discover", "initialize"]);

/** Options for {@linkcode HandshakeGuard}. */
export interface HandshakeGuardOptions {
  /**
   * The connection needs no handshake (a 2026-07-28 session restored from a
   * stored `server/discover` result): the guard starts out answered and open.
   */
  handshakeDone?: boolean;
}

/**
 * Follows one handshake; `who` names the peer in messages (`The server command "x"`).
 * The handshake is `server/discover`, then (from a 2025-era server) `initialize`:
 * the guard follows whichever was sent last.
 */
export class HandshakeGuard {
  readonly #who: string;
  #handshakeId?: string | number;
  #method?: string;
  #answered: boolean;
  /** The connection is open (initialize answered, or discover answered with a result). */
  #open: boolean;

  constructor(who: string, options: HandshakeGuardOptions = {}) {
    this.#who = who;
    this.#answered = this.#open = options.handshakeDone === true;
  }

  /** Whether the last handshake request has been answered. */
  get answered(): boolean {
    return this.#answered;
  }

  /** The handshake request sent last (`server/discover` or `initialize`), if any. */
  get method(): string | undefined {
    return this.#method;
  }

  /** Whether `initialize` was sent and is not answered yet (a probe may fail: that is no answer). */
  get waiting(): boolean {
    return this.#method === "initialize" && !this.#answered;
  }

  /** Notes a message sent to the peer. */
  sent(message: JSONRPCMessage): void {
    // Later `server/discover` requests (liveness checks) are ordinary requests.
    if (this.#open) return;
    if ("method" in message && HANDSHAKE_METHODS.has(message.method) && "id" in message) {
      this.#handshakeId = message.id;
      this.#method = message.method;
      this.#answered = false;
    }
  }

  /** Checks a message from the peer; returns why it disqualifies the peer, if it does. */
  received(message: JSONRPCMessage): HandshakeError | undefined {
    if (this.#answered || this.#handshakeId === undefined) return undefined;
    const method = this.#method;
    if ("method" in message) {
      if (message.method !== method) return undefined;
      return new HandshakeError(
        "echo",
        `${this.#who} sent the ${method} request back instead of answering it. ` +
          "Is it an MCP server?",
      );
    }
    if ("id" in message && message.id === this.#handshakeId) {
      this.#answered = true;
      // A 2025-era server answers the probe with an error; `initialize` follows.
      this.#open = method === "initialize" || "result" in message;
      return undefined;
    }
    return new HandshakeError(
      "not-a-response",
      `${this.#who} answered with a message that is not a response to ${method}: ` +
        quoteBytes(JSON.stringify(message)),
    );
  }
}

/** The parts of a client transport the MCP client uses (the SDK's `Transport` contract). */
export interface GuardableTransport {
  onmessage?: (message: JSONRPCMessage, extra?: unknown) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  start(): Promise<void>;
  send(message: JSONRPCMessage, options?: unknown): Promise<void>;
  close(): Promise<void>;
  readonly sessionId?: string;
  readonly hasPerRequestStream?: boolean;
  setProtocolVersion?: (version: string) => void;
}

/**
 * A transport that passes everything to `inner`, except that a handshake
 * the guard refuses records the failure and closes the transport, so the
 * pending `initialize` fails at once (the caller reports {@linkcode failure}).
 */
export class GuardedTransport implements GuardableTransport {
  onmessage?: (message: JSONRPCMessage, extra?: unknown) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  readonly #inner: GuardableTransport;
  readonly #guard: HandshakeGuard;
  #failure?: Error;

  constructor(inner: GuardableTransport, who: string) {
    this.#inner = inner;
    this.#guard = new HandshakeGuard(who);
    inner.onmessage = (message, extra) => {
      const failure = this.#guard.received(message);
      if (failure) this.fail(failure);
      else this.onmessage?.(completeByDefault(message), extra);
    };
    inner.onerror = (error) => {
      // Before the handshake is answered, a transport error (an unreadable answer, a dropped
      // stream) means no answer is coming: fail now instead of at the timeout. An HTTP status
      // answering the probe is the SDK's to judge: a 2025-era server refuses `server/discover`.
      const probing = this.#guard.method === "server/discover" && !this.#guard.answered;
      if (this.#guard.waiting || (probing && !(error instanceof SdkHttpError))) this.fail(error);
      this.onerror?.(error);
    };
    inner.onclose = () => this.onclose?.();
  }

  /** Why the handshake was refused, once it was. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Whether the last handshake request has been answered (the guard then lets everything pass). */
  get answered(): boolean {
    return this.#guard.answered;
  }

  /** The handshake request sent last, if any. */
  get handshakeMethod(): string | undefined {
    return this.#guard.method;
  }

  /** Whether requests are answered on their own HTTP streams (the SDK cancels by aborting them). */
  get hasPerRequestStream(): boolean | undefined {
    return this.#inner.hasPerRequestStream;
  }

  /** The inner transport's session id. */
  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  /** Refuses the peer for `failure` (also for failures seen outside the message flow). */
  fail(failure: Error): void {
    if (this.#failure) return;
    this.#failure = failure;
    this.#inner.close().catch(() => {});
  }

  /** Starts the inner transport. */
  start(): Promise<void> {
    return this.#inner.start();
  }

  /** Sends through the inner transport, noting the `initialize` request. */
  send(message: JSONRPCMessage, options?: unknown): Promise<void> {
    this.#guard.sent(message);
    return this.#inner.send(message, options);
  }

  /** Closes the inner transport. */
  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Passes the negotiated protocol version on to the inner transport. */
  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }
}

/**
 * A result without `resultType` is a complete one (SEP-2322: the client
 * assumes `complete` when it is not given). The SDK rejects such a result
 * from a 2026-07-28 server; earlier revisions have no `resultType`, and the
 * SDK drops it from their results, so stating it changes nothing there.
 */
export function completeByDefault(message: JSONRPCMessage): JSONRPCMessage {
  if (!("result" in message) || !("id" in message)) return message;
  const result = message.result as unknown;
  if (typeof result !== "object" || result === null || Array.isArray(result)) return message;
  if ("resultType" in result) return message;
  return { ...message, result: { ...result, resultType: "complete" } } as JSONRPCMessage;
}
