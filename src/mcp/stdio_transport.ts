/**
 * The stdio transport of the bridge: runs the server command in its own
 * process group, speaks newline-delimited JSON-RPC on its stdin/stdout, and
 * watches the handshake so a command that is not an MCP server fails fast
 * with a typed reason instead of a timeout (decisions.md §3.15, §3.17).
 *
 * It implements the SDK's `Transport` contract structurally, so the client
 * uses it like the SDK's own stdio transport.
 *
 * Layer: edge (spawns and signals processes).
 * @module
 */

import {
  GROUP_MARKER_VARIABLE,
  type ProcessGroupIdentity,
  processStartTime,
  stopProcessGroup,
} from "../platform/process.ts";
import { HandshakeGuard, quoteBytes } from "./handshake_guard.ts";
import { settleWithin } from "../platform/settle.ts";
import { checkResponse, invalidResponseError, looksLikeResponse } from "./response_check.ts";
import type { JSONRPCMessage } from "./types.ts";

/**
 * How long a server may write only non JSON-RPC output before it is refused
 * (ms), unless that output is one short banner line.
 */
export const NON_JSON_RPC_GRACE_MS = 5_000;
/** A banner longer than this (characters) is not a banner but garbage. */
const BANNER_MAX_CHARS = 4_096;
/** Longest line accepted from the server (characters); more is treated as garbage. */
const MAX_LINE_CHARS = 64 * 1024 * 1024;

/** What to run. */
export interface StdioServerCommand {
  command: string;
  args: string[];
  /** The server's complete environment. */
  env: Record<string, string>;
  cwd?: string;
}

/** Why a stdio server could not be used; every reason is permanent (waiting will not help). */
export type StdioFailureReason =
  | "not-found"
  | "not-executable"
  | "exited"
  | "not-json-rpc"
  | "echo"
  | "not-a-response";

/** The server command cannot serve MCP; the message says why in the user's terms. */
export class StdioServerError extends Error {
  /** Why. */
  readonly reason: StdioFailureReason;

  constructor(reason: StdioFailureReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StdioServerError";
    this.reason = reason;
  }
}

/** Options for {@linkcode StdioProcessTransport}. */
export interface StdioTransportOptions {
  /** Each non-empty line the server writes to stderr. */
  onStderrLine?: (line: string) => void;
  /** Called once the process runs, with what identifies its group later. */
  onSpawn?: (group: ProcessGroupIdentity) => void;
  /** Called once the group is gone after {@linkcode StdioProcessTransport.close}. */
  onStopped?: () => void;
  /** Grace period for non JSON-RPC output (default {@linkcode NON_JSON_RPC_GRACE_MS}). */
  nonJsonRpcGraceMs?: number;
  /** Each step of the stop sequence (default 2 s). */
  stopStepMs?: number;
  /** Runs the server with its stderr discarded (`onStderrLine` is then never called). */
  discardStderr?: boolean;
  /**
   * The connection needs no handshake (a 2026-07-28 session restored from a
   * stored verdict): the server's exit is an ordinary close, and responses
   * are checked from the first one.
   */
  handshakeDone?: boolean;
}

/** A stdio MCP server in its own process group. */
export class StdioProcessTransport {
  /** Set by the MCP client. */
  onmessage?: (message: JSONRPCMessage) => void;
  /** Set by the MCP client. */
  onerror?: (error: Error) => void;
  /** Set by the MCP client. */
  onclose?: () => void;

  readonly #spec: StdioServerCommand;
  readonly #options: StdioTransportOptions;
  #child?: Deno.ChildProcess;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #failure?: StdioServerError;
  #guard: HandshakeGuard;
  #sawValidMessage = false;
  #firstStray?: string;
  #strayLines = 0;
  #stray = new StrayOutput((message) => this.onerror?.(new Error(message)));
  #partial = "";
  /** Length of the unfinished line when the grace period ended. */
  #partialAtGrace?: number;
  #startedAt = 0;
  #graceTimer?: ReturnType<typeof setTimeout>;
  #closing?: Promise<void>;
  #closed = false;
  #exited?: Promise<Deno.CommandStatus>;
  #protocolVersion?: string;
  /** Requests sent and not answered yet: id → method. */
  #pending = new Map<string | number, string>();

  constructor(spec: StdioServerCommand, options: StdioTransportOptions = {}) {
    this.#spec = spec;
    this.#options = options;
    this.#guard = new HandshakeGuard(`The server command "${spec.command}"`, {
      handshakeDone: options.handshakeDone,
    });
  }

  /** Why the server was refused, once it was. */
  get failure(): StdioServerError | undefined {
    return this.#failure;
  }

  /** The protocol version the client negotiated (the SDK tells its transport). */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  /** Called by the MCP client once the handshake settled the protocol version. */
  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  /** The PID of the server process (its group id), once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The handshake request sent last (`server/discover` or `initialize`), if any. */
  get handshakeMethod(): string | undefined {
    return this.#guard.method;
  }

  /** Spawns the server. Throws {@linkcode StdioServerError} when the command cannot run. */
  start(): Promise<void> {
    const marker = crypto.randomUUID();
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#spec.command, {
        args: this.#spec.args,
        env: { ...this.#spec.env, [GROUP_MARKER_VARIABLE]: marker },
        clearEnv: true,
        cwd: this.#spec.cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: this.#options.discardStderr ? "null" : "piped",
        // Its own session and process group: stopping it never touches the bridge.
        detached: true,
      }).spawn();
    } catch (error) {
      return Promise.reject(spawnFailure(this.#spec.command, error));
    }
    this.#child = child;
    this.#startedAt = Date.now();
    this.#writer = child.stdin.getWriter();
    this.#options.onSpawn?.({
      pgid: child.pid,
      startTime: processStartTime(child.pid),
      marker,
    });
    this.#readStdout(child.stdout);
    if (!this.#options.discardStderr) this.#readStderr(child.stderr);
    this.#exited = child.status;
    child.status.then((status) => this.#onExit(status), () => this.#onExit(undefined));
    const grace = this.#options.nonJsonRpcGraceMs ?? NON_JSON_RPC_GRACE_MS;
    this.#graceTimer = setTimeout(() => {
      this.#partialAtGrace = this.#partial.length;
      this.#checkStrayOutput();
    }, grace);
    return Promise.resolve();
  }

  /** Writes one message as a line on the server's stdin. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.#writer || this.#closed) throw new Error("Not connected");
    this.#guard.sent(message);
    if (
      this.#guard.answered && "method" in message && "id" in message && message.id !== undefined
    ) {
      this.#pending.set(message.id, message.method);
    } else if ("method" in message && message.method === "notifications/cancelled") {
      // The client gave up on that request (timeout, Ctrl+C): its answer is no longer awaited.
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === "string" || typeof id === "number") this.#pending.delete(id);
    }
    try {
      await this.#writer.write(new TextEncoder().encode(`${JSON.stringify(message)}\n`));
    } catch (error) {
      // The server is gone (broken pipe): say why it went, once its exit is seen.
      await settleWithin(this.#exited ?? Promise.resolve(), 1_000);
      throw this.#failure ?? error;
    }
  }

  /**
   * Stops the server: closes its stdin, then ends its whole process group
   * (2 s, SIGTERM, 2 s, SIGKILL). Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#stray.flush();
    clearTimeout(this.#graceTimer);
    const child = this.#child;
    if (child) {
      await this.#writer?.close().catch(() => {});
      await stopProcessGroup(child.pid, { stepMs: this.#options.stopStepMs });
      await this.#exited?.catch(() => {});
      this.#options.onStopped?.();
    }
    this.#finish();
  }

  #finish(): void {
    const onclose = this.onclose;
    this.onclose = undefined;
    onclose?.();
  }

  #fail(failure: StdioServerError): void {
    if (this.#failure || this.#closed) return;
    this.#failure = failure;
    this.onerror?.(failure);
    // Reporting the close now rejects the pending handshake (the caller reports `failure`);
    // the process group is stopped in the background, and close() waits for that.
    this.#finish();
    this.close().catch(() => {});
  }

  #onExit(status: Deno.CommandStatus | undefined): void {
    clearTimeout(this.#graceTimer);
    if (this.#closed) return;
    if (!this.#guard.answered) {
      const how = status?.signal
        ? `was killed by ${status.signal}`
        : `exited with code ${status?.code ?? "unknown"}`;
      const stray = this.#firstStray ? ` after writing ${quoteBytes(this.#firstStray)}` : "";
      this.#fail(
        new StdioServerError(
          "exited",
          `The server command "${this.#spec.command}" ${how}${stray} before answering ${
            this.#guard.method ?? "initialize"
          }`,
        ),
      );
      return;
    }
    this.#closed = true;
    this.#finish();
  }

  /**
   * Refuses a server that has written only output that is not JSON-RPC: more
   * than one line of it, or one line longer than a banner, once the grace
   * period is over. A single short banner line is waited out.
   */
  #checkStrayOutput(): void {
    if (this.#sawValidMessage || this.#failure || this.#closed) return;
    // An unfinished line counts once, and once more if it still grows after the grace period.
    const growing = this.#partialAtGrace !== undefined &&
      this.#partial.length > this.#partialAtGrace;
    const lines = this.#strayLines + (this.#partial === "" ? 0 : 1) + (growing ? 1 : 0);
    const stray = this.#firstStray ?? this.#partial;
    const long = stray.length > BANNER_MAX_CHARS || this.#partial.length > BANNER_MAX_CHARS;
    if (lines === 0 || (lines === 1 && !long)) return;
    this.#fail(
      new StdioServerError(
        "not-json-rpc",
        `The server command "${this.#spec.command}" wrote output that is not JSON-RPC ` +
          `and nothing else for ${Math.round((Date.now() - this.#startedAt) / 1000)} s: ${
            quoteBytes(stray)
          }. Is it an MCP stdio server?`,
      ),
    );
  }

  #onLine(line: string): void {
    this.#partial = "";
    if (line.trim() === "") return;
    if (this.#refusedResponse(line)) return;
    const message = parseJsonRpc(line);
    if (!message) {
      this.#firstStray ??= line;
      // JSON that is not JSON-RPC is an answer in the wrong shape, never a banner.
      this.#strayLines += isJsonValue(line) ? 2 : 1;
      this.#stray.add(line, Date.now());
      if (!this.#sawValidMessage && this.#graceOver()) this.#checkStrayOutput();
      return;
    }
    if (!this.#sawValidMessage) this.#stray.flush();
    this.#sawValidMessage = true;
    if (!this.#guard.answered) {
      const failure = this.#guard.received(message);
      if (failure) {
        this.#fail(new StdioServerError(failure.reason, failure.message));
        return;
      }
    }
    this.onmessage?.(message);
  }

  /**
   * Fails the requests a response in the wrong shape answers (the one with its
   * id, else every pending one) at once, instead of leaving them to time out.
   */
  #refusedResponse(line: string): boolean {
    const trimmed = line.trimStart();
    // During the handshake the guard judges the answer (a stray id means "not an MCP server").
    if (!trimmed.startsWith("{") || this.#pending.size === 0 || !this.#guard.answered) {
      return false;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return false;
    }
    if (!looksLikeResponse(value)) return false;
    const invalid = checkResponse(value, this.#pending);
    if (!invalid) {
      this.#pending.delete(value.id as string | number);
      return false;
    }
    this.#sawValidMessage = true;
    this.onerror?.(
      new Error(`Refused an invalid response (${invalid.reason}): ${quoteBytes(line)}`),
    );
    for (const id of invalid.ids) {
      const method = this.#pending.get(id) ?? "a request";
      this.#pending.delete(id);
      this.onmessage?.(invalidResponseError(id, method, invalid.reason));
    }
    return true;
  }

  #graceOver(): boolean {
    return Date.now() - this.#startedAt >=
      (this.#options.nonJsonRpcGraceMs ?? NON_JSON_RPC_GRACE_MS);
  }

  async #readStdout(stream: ReadableStream<Uint8Array>): Promise<void> {
    await readLines(stream, (line) => this.#onLine(line), {
      onPartial: (partial) => {
        this.#partial = partial;
        if (!this.#sawValidMessage && this.#graceOver()) this.#checkStrayOutput();
      },
      onOverflow: () => {
        this.#firstStray ??= "(a line over 64 MiB)";
        this.#strayLines += 2;
        this.#checkStrayOutput();
      },
    });
  }

  async #readStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    await readLines(stream, (line) => {
      if (line.trim() !== "") this.#options.onStderrLine?.(line);
    }, {});
  }
}

/** How often ignored output is summarised in the log at most (ms). */
const STRAY_SUMMARY_EVERY_MS = 10_000;

/**
 * Reports output that is not JSON-RPC without flooding the log: the first
 * line as it is, then at most one summary (count and size) every
 * {@linkcode STRAY_SUMMARY_EVERY_MS}, and a last one on {@linkcode flush}.
 */
export class StrayOutput {
  readonly #report: (message: string) => void;
  #reportedFirst = false;
  #lines = 0;
  #chars = 0;
  #lastReportAt = 0;

  constructor(report: (message: string) => void) {
    this.#report = report;
  }

  /** Counts one ignored line, reporting now if it is the first or a summary is due. */
  add(line: string, now: number): void {
    if (!this.#reportedFirst) {
      this.#reportedFirst = true;
      this.#lastReportAt = now;
      this.#report(`Ignored output that is not JSON-RPC: ${quoteBytes(line)}`);
      return;
    }
    this.#lines++;
    this.#chars += line.length + 1;
    if (now - this.#lastReportAt >= STRAY_SUMMARY_EVERY_MS) this.flush(now);
  }

  /** Reports what was counted since the last report, if anything. */
  flush(now = Date.now()): void {
    if (this.#lines === 0) return;
    this.#report(
      `Ignored ${this.#lines} more line${this.#lines === 1 ? "" : "s"} (${
        formatSize(this.#chars)
      }) of output that is not JSON-RPC`,
    );
    this.#lines = 0;
    this.#chars = 0;
    this.#lastReportAt = now;
  }
}

function formatSize(chars: number): string {
  if (chars < 1024) return `${chars} characters`;
  if (chars < 1024 * 1024) return `${(chars / 1024).toFixed(1)} KiB`;
  return `${(chars / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Reads `stream` as lines (LF or CRLF), calling `onLine` for each and
 * `onPartial` with the start of a line not yet ended; ends quietly on errors.
 */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  hooks: { onPartial?: (partial: string) => void; onOverflow?: () => void },
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      // Only the new text is searched, so a long line costs linear time.
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        onLine(`${pending}${text.slice(start, end)}`.replace(/\r$/, ""));
        pending = "";
        start = end + 1;
      }
      pending += text.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        pending = "";
        hooks.onOverflow?.();
      } else if (pending !== "") hooks.onPartial?.(pending.slice(0, BANNER_MAX_CHARS + 1));
    }
    if (pending !== "") onLine(pending);
  } catch {
    // The pipe closed with the process.
  }
}

/** Whether a line is a JSON object or array. */
function isJsonValue(line: string): boolean {
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}

/** Parses a line as one JSON-RPC 2.0 message; `undefined` when it is anything else. */
export function parseJsonRpc(line: string): JSONRPCMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== "2.0") return undefined;
  const id = message.id;
  const validId = typeof id === "string" || typeof id === "number";
  if (typeof message.method === "string") {
    return id === undefined || validId ? (value as JSONRPCMessage) : undefined;
  }
  if (!validId && id !== null) return undefined;
  const hasResult = "result" in message;
  const error = message.error;
  const hasError = typeof error === "object" && error !== null &&
    typeof (error as Record<string, unknown>).code === "number" &&
    typeof (error as Record<string, unknown>).message === "string";
  return hasResult !== hasError ? (value as JSONRPCMessage) : undefined;
}

function spawnFailure(command: string, error: unknown): StdioServerError {
  if (error instanceof Deno.errors.NotFound) {
    return new StdioServerError(
      "not-found",
      `Cannot start the server command "${command}": command not found`,
      { cause: error },
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new StdioServerError(
      "not-executable",
      `Cannot start the server command "${command}": permission denied (is it executable?)`,
      { cause: error },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new StdioServerError(
    "not-executable",
    `Cannot start the server command "${command}": ${detail}`,
    { cause: error },
  );
}
