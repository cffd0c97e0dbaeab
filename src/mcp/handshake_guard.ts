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

/** Follows one handshake; `who` names the peer in messages (`The server command "x"`). */
export class HandshakeGuard {
  readonly #who: string;
  #initializeId?: string | number;
  #answered = false;

  constructor(who: string) {
    this.#who = who;
  }

  /** Whether the `initialize` request has been answered. */
  get answered(): boolean {
    return this.#answered;
  }

  /** Whether the `initialize` request was sent and is not answered yet. */
  get waiting(): boolean {
    return this.#initializeId !== undefined && !this.#answered;
  }

  /** Notes a message sent to the peer. */
  sent(message: JSONRPCMessage): void {
    if ("method" in message && message.method === "initialize" && "id" in message) {
      this.#initializeId = message.id;
    }
  }

  /** Checks a message from the peer; returns why it disqualifies the peer, if it does. */
  received(message: JSONRPCMessage): HandshakeError | undefined {
    if (this.#answered || this.#initializeId === undefined) return undefined;
    if ("method" in message) {
      if (message.method !== "initialize") return undefined;
      return new HandshakeError(
        "echo",
        `${this.#who} sent the initialize request back instead of answering it. ` +
          "Is it an MCP server?",
      );
    }
    if ("id" in message && message.id === this.#initializeId) {
      this.#answered = true;
      return undefined;
    }
    return new HandshakeError(
      "not-a-response",
      `${this.#who} answered with a message that is not a response to initialize: ` +
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
      else this.onmessage?.(message, extra);
    };
    inner.onerror = (error) => {
      // Before initialize is answered, a transport error (an unreadable answer, a dropped
      // stream) means no answer is coming: fail now instead of at the timeout.
      if (this.#guard.waiting) this.fail(error);
      this.onerror?.(error);
    };
    inner.onclose = () => this.onclose?.();
  }

  /** Why the handshake was refused, once it was. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Whether the `initialize` request has been answered (the guard then lets everything pass). */
  get answered(): boolean {
    return this.#guard.answered;
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
