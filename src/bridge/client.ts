/**
 * The CLI side of the bridge socket: connect, prove the bridge's identity,
 * send requests and match responses. A request is sent at most once.
 *
 * Layer: edge.
 * @module
 */

import { McpcError, networkError, usageError } from "../errors.ts";
import { Channel } from "./channel.ts";
import { FrameTooLargeError, MAX_FRAME_BYTES } from "./framing.ts";
import type { ElicitRequestParams, ElicitResult, Task } from "../mcp/types.ts";
import {
  type BridgeMessage,
  type InputRequestMessage,
  IPC_PROTOCOL_VERSION,
  type MethodName,
  type NotificationMessage,
  type ParamsOf,
  parseBridgeMessage,
  type ProgressMessage,
  type RequestMessage,
  type ResultOf,
} from "./protocol.ts";

/** How long connecting plus the identity check may take (ms). */
export const CONNECT_TIMEOUT_MS = 5_000;

/** Options for {@linkcode BridgeClient.connect}. */
export interface BridgeConnectOptions {
  /** The session the bridge must serve. */
  sessionName: string;
  /** The PID the bridge must have. */
  pid: number;
  /** Bound on connect + hello (default {@linkcode CONNECT_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Called for each server notification the bridge forwards. */
  onNotification?: (notification: NotificationMessage) => void;
}

/** Options for {@linkcode BridgeClient.request}. */
export interface RequestOptions {
  /** Give up after this long: the bridge cancels the request and the call fails with a network error. */
  timeoutMs?: number;
  /** Text naming the timeout in the error message (e.g. `--timeout 5`). */
  timeoutLabel?: string;
  /** Receives the server's progress reports for this request (the bridge sends none otherwise). */
  onProgress?: (progress: Omit<ProgressMessage, "type" | "id">) => void;
  /** Answers the server's questions during this request (the bridge declines them otherwise). */
  onInput?: (request: ElicitRequestParams) => Promise<ElicitResult>;
  /** Receives the task the server made for this request, and its status changes. */
  onTask?: (task: Task) => void;
}

/**
 * Why a bridge could not be used (nothing was sent to it):
 * - `absent`: nothing listens on the socket, or it closed the connection
 *   without answering (the bridge is gone or going);
 * - `foreign`: something answered but it is not this session's bridge;
 * - `unresponsive`: our bridge's socket accepted the connection but the
 *   bridge did not answer in time (busy or hung; it is still alive).
 */
export type UnreachableReason = "absent" | "foreign" | "unresponsive";

/** The bridge could not be used; nothing was sent to it. */
export class BridgeUnreachableError extends Error {
  /** Why. */
  readonly reason: UnreachableReason;

  constructor(message: string, reason: UnreachableReason, options?: ErrorOptions) {
    super(message, options);
    this.name = "BridgeUnreachableError";
    this.reason = reason;
  }
}

/**
 * The bridge hung up while requests were in flight: they were sent, and
 * whether the server carried them out is unknown. Callers that can find out
 * why (the session was closed or restarted meanwhile) say so instead.
 */
export class BridgeConnectionLostError extends McpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("network", message, options);
    this.name = "BridgeConnectionLostError";
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  options: RequestOptions;
}

/** Heartbeats a bridge may miss in a row before the CLI gives up on it. */
const MISSED_HEARTBEATS = 3;

/** A connection to one bridge. */
export class BridgeClient {
  #channel!: Channel;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #onNotification?: (notification: NotificationMessage) => void;
  #sessionName = "";
  /** When the bridge was last heard from (or a request started after a quiet spell). */
  #lastHeard = Date.now();
  /** Longest silence accepted while requests are in flight; unset for bridges sending no heartbeat. */
  #silenceMs?: number;
  #watchdog?: ReturnType<typeof setInterval>;

  private constructor() {}

  /** Connects to the socket and checks that it belongs to `sessionName`'s bridge with `pid`. */
  static async connect(socketPath: string, options: BridgeConnectOptions): Promise<BridgeClient> {
    const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path: socketPath });
    } catch (error) {
      throw new BridgeUnreachableError(`Cannot connect to bridge socket ${socketPath}`, "absent", {
        cause: error,
      });
    }
    const client = new BridgeClient();
    client.#onNotification = options.onNotification;
    client.#sessionName = options.sessionName;
    client.#channel = new Channel(conn, {
      onMessage: (message) => client.#handle(message),
      onClose: (error) =>
        client.#failAll(
          new BridgeConnectionLostError(
            `Connection to the bridge closed${error instanceof Error ? `: ${error.message}` : ""}`,
            { cause: error },
          ),
        ),
    });
    try {
      const hello = await client.request("hello", { version: IPC_PROTOCOL_VERSION }, { timeoutMs });
      if (hello.sessionName !== options.sessionName || hello.pid !== options.pid) {
        throw new BridgeUnreachableError(
          `Socket ${socketPath} belongs to another process (${hello.sessionName}, pid ${hello.pid})`,
          "foreign",
        );
      }
      if (typeof hello.heartbeatMs === "number" && hello.heartbeatMs > 0) {
        client.#silenceMs = hello.heartbeatMs * MISSED_HEARTBEATS;
      }
    } catch (error) {
      client.close();
      if (error instanceof BridgeUnreachableError) throw error;
      // An error answer means an incompatible process; silence means a busy bridge. A socket
      // that accepted and then closed without a word belongs to a bridge on its way out (a
      // killed process drops its connections before its listening socket): as good as gone.
      const reason = error instanceof BridgeConnectionLostError
        ? "absent"
        : error instanceof McpcError && error.kind !== "network"
        ? "foreign"
        : "unresponsive";
      throw new BridgeUnreachableError(`Bridge at ${socketPath} did not answer`, reason, {
        cause: error,
      });
    }
    return client;
  }

  /** Sends one request and waits for its response. */
  request<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options: RequestOptions = {},
  ): Promise<ResultOf<M>> {
    const id = this.#nextId++;
    const message = { type: "request", id, method, params } as RequestMessage;
    if (options.timeoutMs !== undefined) message.timeoutMs = options.timeoutMs;
    if (options.onProgress || options.onInput) {
      message.accepts = {
        ...(options.onProgress ? { progress: true } : {}),
        ...(options.onInput ? { input: true } : {}),
      };
    }
    return new Promise<ResultOf<M>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = () => {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#stopWatchdog();
      };
      if (this.#pending.size === 0) this.#lastHeard = Date.now();
      this.#pending.set(id, {
        options,
        resolve: (value) => {
          settle();
          resolve(value as ResultOf<M>);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      this.#startWatchdog();
      const timeoutMs = options.timeoutMs;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          settle();
          this.#channel.send({ type: "cancel", id }).catch(() => {});
          const label = options.timeoutLabel ?? `${timeoutMs / 1000} s`;
          reject(
            networkError(`Request timed out after ${label}; it was cancelled and not retried`),
          );
        }, timeoutMs);
      }
      this.#channel.send(message).catch((error) => {
        const failure = error instanceof FrameTooLargeError
          ? usageError(
            `The request is too large to send to the bridge (${
              (error.size / 1024 / 1024).toFixed(1)
            } MiB; the limit is ${MAX_FRAME_BYTES / 1024 / 1024} MiB)`,
            { userInput: true },
          )
          : networkError("Cannot send request to the bridge", { cause: error });
        this.#pending.get(id)?.reject(failure);
      });
    });
  }

  /** Receives each server notification the bridge forwards from now on (replacing any earlier receiver). */
  onNotification(receiver: (notification: NotificationMessage) => void): void {
    this.#onNotification = receiver;
  }

  /** Closes the connection; pending requests fail. */
  close(): void {
    this.#stopWatchdog();
    this.#channel.close();
  }

  /** While requests are in flight, a bridge silent past its heartbeats has frozen or died. */
  #startWatchdog(): void {
    const silenceMs = this.#silenceMs;
    if (silenceMs === undefined || this.#watchdog !== undefined) return;
    this.#watchdog = setInterval(() => {
      if (Date.now() - this.#lastHeard <= silenceMs) return;
      this.#stopWatchdog();
      // Nothing is re-sent: the request may have reached the server.
      this.#failAll(
        networkError(
          `The bridge of ${this.#sessionName} stopped responding (nothing heard for ${
            Math.round(silenceMs / 1000)
          } s); the request was not re-sent. Check the session with: mcpc ${this.#sessionName}`,
        ),
      );
      this.#channel.close();
    }, Math.min(1_000, silenceMs));
  }

  #stopWatchdog(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  #handle(raw: unknown): void {
    this.#lastHeard = Date.now();
    let message: BridgeMessage;
    try {
      message = parseBridgeMessage(raw);
    } catch {
      return;
    }
    if (message.type === "heartbeat") return;
    if (message.type === "notification") {
      this.#onNotification?.(message);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    if (message.type === "progress") {
      const { type: _, id: __, ...progress } = message;
      pending.options.onProgress?.(progress);
      return;
    }
    if (message.type === "task") {
      pending.options.onTask?.(message.task);
      return;
    }
    if (message.type === "input") {
      this.#answer(message, pending);
      return;
    }
    if ("error" in message) {
      pending.reject(
        new McpcError(message.error.kind, message.error.message, {
          userInput: message.error.userInput,
          requestOnly: message.error.requestOnly,
        }),
      );
    } else pending.resolve(message.result);
  }

  /**
   * Answers question `message` with the request's handler (declined when it has
   * none). A handler that fails ends the request with its error: the question is
   * given up unanswered (the bridge cancels a plain request's question and keeps
   * a task's for whoever waits on the task next) and the request is cancelled.
   */
  #answer(message: InputRequestMessage, pending: Pending): void {
    const { id, inputId } = message;
    const reply = (result?: ElicitResult) =>
      this.#channel.send({
        type: "input-response",
        id,
        inputId,
        ...(result ? { result } : {}),
      }).catch(() => {});
    const handler = pending.options.onInput;
    if (!handler) {
      reply({ action: "decline" });
      return;
    }
    handler(message.request).then(
      (result) => {
        if (this.#pending.has(id)) reply(result);
      },
      (error) => {
        if (!this.#pending.has(id)) return;
        reply();
        this.#channel.send({ type: "cancel", id }).catch(() => {});
        pending.reject(error);
      },
    );
  }

  #failAll(error: McpcError): void {
    for (const pending of [...this.#pending.values()]) pending.reject(error);
  }
}
