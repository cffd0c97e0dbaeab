/**
 * Tasks of the 2026-07-28 revision: the Tasks extension (SEP-2663,
 * `io.modelcontextprotocol/tasks`). mcpc declares it on every request of a
 * 2026-era connection; the server alone decides whether a `tools/call`
 * becomes a task, answering with `resultType: "task"`. The task is then
 * polled with `tasks/get`, whose answer carries the outcome inline (the
 * result, or the JSON-RPC error) and, while it is `input_required`, the
 * server's questions, answered with `tasks/update`; `tasks/cancel` asks the
 * server to stop it. There is no `tasks/list` and no `tasks/result`.
 *
 * The SDK's v2 client has no runtime for the extension, and its decoder
 * rejects a `resultType` it does not know. So the `tools/call` answer that
 * made a task is turned into an error carrying the task before the SDK
 * decodes it ({@linkcode takeTaskCreation}), and `tasks/*` requests are sent
 * on the client's transport directly ({@linkcode RawRequests}): a private
 * id space, with their answers taken off the transport before the SDK sees
 * them. Requests sent this way get the connection's `_meta` envelope, and
 * the Streamable HTTP transport derives the standard headers (`Mcp-Method`,
 * and `Mcp-Name` from `params.taskId`) from the body as for any other.
 *
 * Layer: edge (the SDK's error types; timers).
 * @module
 */

import { McpcError } from "../errors.ts";
import { CLIENT_CAPABILITIES_META_KEY, ProtocolError, SdkError, SdkErrorCode } from "./sdk.ts";
import {
  MIN_POLL_MS,
  pollDelay,
  sleep,
  TASKS_EXTENSION_ID,
  TERMINAL_STATUSES,
} from "./task_status.ts";
import type { CallToolResult, ElicitRequestParams, ElicitResult, Task } from "./types.ts";
import { UnansweredError } from "./input_router.ts";

/** The `_meta` envelope of a request, with the Tasks extension added to its client capabilities. */
export function withTasksExtension(
  envelope: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const capabilities = asRecord(envelope[CLIENT_CAPABILITIES_META_KEY]) ?? {};
  const extensions = asRecord(capabilities.extensions) ?? {};
  return {
    ...envelope,
    [CLIENT_CAPABILITIES_META_KEY]: {
      ...capabilities,
      extensions: { ...extensions, [TASKS_EXTENSION_ID]: {} },
    },
  };
}

/** One question of an `input_required` task (a server-to-client request). */
export interface InputRequest {
  method: string;
  params?: Record<string, unknown>;
}

/** A task as `tasks/get` (or the call that made it) reports it, with what its status carries. */
export interface ModernTask {
  task: Task;
  /** `completed`: the tool's result. */
  result?: Record<string, unknown>;
  /** `failed`: the JSON-RPC error the request ended with. */
  error?: { code: number; message: string; data?: unknown };
  /** `input_required`: the questions still open, by key. */
  inputRequests?: Record<string, InputRequest>;
}

const STATUSES = ["working", "input_required", "completed", "cancelled", "failed"] as const;

/**
 * Reads a 2026-era task (`CreateTaskResult` or `tasks/get` result) into the
 * task mcpc shows (the 2025 field names: `ttl`, `pollInterval`) and its
 * payload; throws the SDK's invalid-result error, naming the field, when it
 * is not one. Only `tasks/get` must carry what its status implies (the
 * result, the error, the questions): the `CreateTaskResult` of a
 * `tools/call` is a bare task.
 */
export function parseModernTask(value: unknown, method: string): ModernTask {
  const bare = method !== "tasks/get";
  const invalid = (detail: string) =>
    new SdkError(SdkErrorCode.InvalidResult, `Invalid result for ${method}: ${detail}`);
  const raw = asRecord(value);
  if (!raw) throw invalid("expected a task object");
  const { taskId, status, statusMessage, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs } = raw;
  if (typeof taskId !== "string" || taskId === "") throw invalid("taskId: expected a string");
  if (!(STATUSES as readonly unknown[]).includes(status)) {
    throw invalid(`status: expected one of ${STATUSES.join(", ")}`);
  }
  if (typeof createdAt !== "string") throw invalid("createdAt: expected an ISO 8601 string");
  if (lastUpdatedAt !== undefined && typeof lastUpdatedAt !== "string") {
    throw invalid("lastUpdatedAt: expected an ISO 8601 string");
  }
  if (ttlMs !== undefined && ttlMs !== null && typeof ttlMs !== "number") {
    throw invalid("ttlMs: expected a number or null");
  }
  if (pollIntervalMs !== undefined && typeof pollIntervalMs !== "number") {
    throw invalid("pollIntervalMs: expected a number");
  }
  if (statusMessage !== undefined && typeof statusMessage !== "string") {
    throw invalid("statusMessage: expected a string");
  }
  const task: Task = {
    taskId,
    status: status as Task["status"],
    ...(statusMessage !== undefined ? { statusMessage } : {}),
    createdAt,
    lastUpdatedAt: lastUpdatedAt ?? createdAt,
    ttl: ttlMs ?? null,
    ...(pollIntervalMs !== undefined ? { pollInterval: pollIntervalMs } : {}),
  };
  const parsed: ModernTask = { task };
  if (status === "completed") {
    const result = asRecord(raw.result);
    if (!result && !(bare && raw.result === undefined)) {
      throw invalid("result: a completed task must carry its result");
    }
    if (result) parsed.result = result;
  } else if (status === "failed") {
    const error = asRecord(raw.error);
    if (bare && raw.error === undefined) return parsed;
    if (!error || typeof error.code !== "number" || typeof error.message !== "string") {
      throw invalid("error: a failed task must carry its JSON-RPC error");
    }
    parsed.error = { code: error.code, message: error.message, data: error.data };
  } else if (status === "input_required") {
    const requests = asRecord(raw.inputRequests);
    if (bare && raw.inputRequests === undefined) return parsed;
    if (!requests) throw invalid("inputRequests: an input_required task must carry its requests");
    parsed.inputRequests = {};
    for (const [key, entry] of Object.entries(requests)) {
      const request = asRecord(entry);
      if (!request || typeof request.method !== "string") {
        throw invalid(`inputRequests.${key}: expected a request with a method`);
      }
      const params = asRecord(request.params);
      parsed.inputRequests[key] = { method: request.method, ...(params ? { params } : {}) };
    }
  }
  return parsed;
}

/** Where a rewritten `tools/call` answer keeps the task it made. */
const CREATED_TASK_KEY = "mcpc/createdTask";
/** Where a rewritten `tools/call` answer keeps why its task was not one. */
const INVALID_TASK_KEY = "mcpc/invalidCreatedTask";
/**
 * The code of the error a rewritten `tools/call` answer becomes (never on
 * the wire; the rewrite is told by its `data` keys, not by this code).
 */
const CREATED_TASK_CODE = -32603;

/**
 * A `tools/call` answer that made a task (`resultType: "task"`), as the
 * error response the SDK hands back to the caller instead (its decoder would
 * refuse the answer); any other message is returned as it is. The task is
 * checked here: a malformed one becomes the error the SDK gives an invalid
 * result.
 */
export function takeTaskCreation<T>(message: T): T {
  const response = message as { jsonrpc?: string; id?: unknown; result?: unknown };
  const result = asRecord(response.result);
  if (response.id === undefined || result?.resultType !== "task") return message;
  let data: Record<string, unknown>;
  try {
    data = { [CREATED_TASK_KEY]: parseModernTask(result, "tools/call") };
  } catch (error) {
    const message = (error as Error).message;
    return {
      jsonrpc: "2.0",
      id: response.id,
      error: { code: CREATED_TASK_CODE, message, data: { [INVALID_TASK_KEY]: message } },
    } as T;
  }
  return {
    jsonrpc: "2.0",
    id: response.id,
    error: { code: CREATED_TASK_CODE, message: "The server made a task", data },
  } as T;
}

/** The task a rewritten `tools/call` answer carries, if `error` is one. */
export function createdTaskOf(error: unknown): ModernTask | undefined {
  if (!(error instanceof ProtocolError)) return undefined;
  return taskOfAnswer({ error: { data: error.data } });
}

/** The task an answer rewritten by {@linkcode takeTaskCreation} carries, if any. */
export function taskOfAnswer(message: unknown): ModernTask | undefined {
  const error = asRecord(asRecord(message)?.error);
  const task = asRecord(error?.data)?.[CREATED_TASK_KEY];
  return asRecord(task)?.task ? task as ModernTask : undefined;
}

/**
 * The error of a rewritten `tools/call` answer whose task was malformed, as
 * the SDK's own invalid-result error (so it reads like any other).
 */
export function invalidCreatedTask(error: unknown): SdkError | undefined {
  if (!(error instanceof ProtocolError)) return undefined;
  const message = asRecord(error.data)?.[INVALID_TASK_KEY];
  return typeof message === "string"
    ? new SdkError(SdkErrorCode.InvalidResult, message)
    : undefined;
}

/** The transport surface raw requests need (the SDK's `Transport`). */
export interface RawTransport {
  send(message: never, options?: { requestSignal?: AbortSignal }): Promise<void>;
}

/** Bound on a raw request without a timeout of its own (ms), the SDK's default. */
const DEFAULT_RAW_TIMEOUT_MS = 60_000;

/** Options of one raw request. */
export interface RawRequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: unknown) => void;
}

/**
 * JSON-RPC requests mcpc sends on a connection's transport itself, with
 * string ids of its own (the SDK numbers its requests), answered through
 * {@linkcode RawRequests.take}, which the connection calls for each message
 * before the SDK sees it.
 */
export class RawRequests {
  readonly #transport: () => RawTransport | undefined;
  readonly #envelope: () => Readonly<Record<string, unknown>>;
  readonly #prefix = `mcpc-${crypto.randomUUID().slice(0, 8)}-`;
  readonly #pending = new Map<string, Pending>();
  #next = 0;

  /** `envelope` gives the `_meta` each request carries (protocol version, client info, capabilities). */
  constructor(
    transport: () => RawTransport | undefined,
    envelope: () => Readonly<Record<string, unknown>>,
  ) {
    this.#transport = transport;
    this.#envelope = envelope;
  }

  /** Sends `method`; resolves with its result, rejects with the server's error or a timeout. */
  async request(
    method: string,
    params: Record<string, unknown>,
    options: RawRequestOptions = {},
  ): Promise<Record<string, unknown>> {
    const transport = this.#transport();
    if (!transport) throw new SdkError(SdkErrorCode.NotConnected, "Not connected");
    const id = `${this.#prefix}${++this.#next}`;
    const { promise, resolve, reject } = Promise.withResolvers<Record<string, unknown>>();
    const sending = new AbortController();
    const stop = (reason: unknown) => {
      if (!this.#pending.delete(id)) return;
      sending.abort(reason);
      reject(reason);
    };
    this.#pending.set(id, { resolve, reject });
    const timeoutMs = options.timeoutMs ?? DEFAULT_RAW_TIMEOUT_MS;
    const timer = setTimeout(
      () => stop(new SdkError(SdkErrorCode.RequestTimeout, "Request timed out", { timeoutMs })),
      timeoutMs,
    );
    const onAbort = () => stop(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (options.signal?.aborted) onAbort();
      else {
        const message = {
          jsonrpc: "2.0",
          id,
          method,
          params: { ...params, _meta: { ...this.#envelope() } },
        };
        transport.send(message as never, { requestSignal: sending.signal }).catch(stop);
      }
      return await promise;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      this.#pending.delete(id);
    }
  }

  /** Settles the request `message` answers; returns whether it was one of ours. */
  take(message: unknown): boolean {
    const response = asRecord(message);
    const id = response?.id;
    if (typeof id !== "string" || !id.startsWith(this.#prefix)) return false;
    if (!("result" in response!) && !("error" in response!)) return false;
    const pending = this.#pending.get(id);
    if (!pending) return true; // Answered after it timed out or was cancelled.
    this.#pending.delete(id);
    const error = asRecord(response!.error);
    if (error) {
      const code = typeof error.code === "number" ? error.code : -32603;
      const text = typeof error.message === "string" ? error.message : "Unknown error";
      pending.reject(ProtocolError.fromError(code, text, error.data));
      return true;
    }
    const result = asRecord(response!.result);
    if (result) pending.resolve(result);
    else pending.reject(new SdkError(SdkErrorCode.InvalidResult, "Invalid result: not an object"));
    return true;
  }

  /** Rejects every request still waiting (the connection closed). */
  failAll(error: unknown): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(error);
  }
}

/** Bound on one `tasks/get` of a wait (ms). */
const POLL_REQUEST_TIMEOUT_MS = 30_000;
/** Bound on the `tasks/cancel` sent when a call that made a task is given up (ms). */
const CANCEL_ON_STOP_TIMEOUT_MS = 5_000;
/** Failed polls in a row (network trouble) after which a wait gives up. */
const MAX_POLL_FAILURES = 3;
/** Tasks whose answered question keys are remembered (oldest forgotten first). */
const MAX_REMEMBERED_TASKS = 1_000;
/** A signal that never aborts (a wait nobody can stop but its deadline). */
const NEVER = new AbortController().signal;

/** How {@linkcode ModernTasks.follow} waits. */
export interface FollowOptions {
  /** Stops the wait. */
  signal?: AbortSignal;
  /** Bound on the whole wait (ms). */
  timeoutMs?: number;
  /** Each status change, and the task as it was at the start. */
  onTask?: (task: Task) => void;
  /** Answers a question of the task (an elicitation). */
  ask: (request: ElicitRequestParams) => Promise<ElicitResult>;
  /**
   * Cancel the task (`tasks/cancel`) when the wait stops before its end: a
   * plain call the server chose to run as a task is the caller's to stop;
   * a `--task` wait lets go and the task goes on.
   */
  cancelOnStop: boolean;
}

/** An answer to one of a task's questions, and whether the server has been sent it. */
interface Answer {
  response: ElicitResult;
  sent: boolean;
}

/** The Tasks extension's requests on one 2026-era connection. */
export class ModernTasks {
  readonly #raw: RawRequests;
  /**
   * The answers given, per task and question key: the server may list an
   * answered question until it catches up, and an answer whose `tasks/update`
   * failed is sent again without asking twice.
   */
  readonly #answers = new Map<string, Map<string, Answer>>();

  constructor(raw: RawRequests) {
    this.#raw = raw;
  }

  /** The task's current state (`tasks/get`). */
  async get(taskId: string, options: RawRequestOptions = {}): Promise<ModernTask> {
    return parseModernTask(await this.#raw.request("tasks/get", { taskId }, options), "tasks/get");
  }

  /** Asks the server to cancel the task (`tasks/cancel`: an acknowledgement, honoured in time). */
  async cancel(taskId: string, options: RawRequestOptions = {}): Promise<void> {
    await this.#raw.request("tasks/cancel", { taskId }, options);
    this.#answers.delete(taskId);
  }

  /**
   * Follows the task from `first` to its end, answering its questions, and
   * resolves with the tool's result; rejects with the JSON-RPC error of a
   * failed task, or when it was cancelled.
   */
  async follow(first: ModernTask, options: FollowOptions): Promise<CallToolResult> {
    const taskId = first.task.taskId;
    const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    const timedOut = () => new SdkError(SdkErrorCode.RequestTimeout, "Request timed out");
    let current = first;
    let reported: Task | undefined;
    let failures = 0;
    try {
      for (;;) {
        const { task } = current;
        if (
          !reported || task.status !== reported.status ||
          task.statusMessage !== reported.statusMessage
        ) {
          options.onTask?.(task);
        }
        reported = task;
        if (lacksDetail(current)) {
          // A bare CreateTaskResult already at an end or asking: `tasks/get` says the rest.
          current = await this.get(taskId, {
            signal: options.signal,
            timeoutMs: POLL_REQUEST_TIMEOUT_MS,
          });
          continue;
        }
        const outcome = this.#outcome(current);
        if (outcome) return outcome;
        let answered = false;
        if (task.status === "input_required") {
          const sent = await this.#answer(current, options);
          if ("failed" in sent) {
            if (++failures >= MAX_POLL_FAILURES) throw sent.failed;
          } else answered = sent.count > 0;
        }
        const pause = answered ? MIN_POLL_MS : pollDelay(task);
        const left = deadline === undefined ? Infinity : deadline - Date.now();
        await sleep(Math.max(0, Math.min(pause, left)), options.signal ?? NEVER);
        options.signal?.throwIfAborted();
        if (left <= pause) throw timedOut();
        try {
          current = await this.get(taskId, {
            signal: options.signal,
            timeoutMs: Math.min(POLL_REQUEST_TIMEOUT_MS, left - pause),
          });
          failures = 0;
        } catch (error) {
          // A poll lost to the network only delays the next one; the server's own answers count.
          if (options.signal?.aborted || !transient(error) || ++failures >= MAX_POLL_FAILURES) {
            throw error;
          }
        }
      }
    } catch (error) {
      if (options.cancelOnStop && reported && !TERMINAL_STATUSES.has(reported.status)) {
        await this.cancel(taskId, { timeoutMs: CANCEL_ON_STOP_TIMEOUT_MS }).catch(() => {});
      }
      throw error;
    }
  }

  /** The end of a task that is over: its result, or its failure thrown; `undefined` otherwise. */
  #outcome(current: ModernTask): CallToolResult | undefined {
    const { task } = current;
    if (task.status === "completed") {
      this.#answers.delete(task.taskId);
      const result = current.result!;
      return (Array.isArray(result.content)
        ? result
        : { ...result, content: [] }) as CallToolResult;
    }
    if (task.status === "failed") {
      this.#answers.delete(task.taskId);
      const { code, message, data } = current.error!;
      throw ProtocolError.fromError(code, `Task ${task.taskId} failed: ${message}`, data);
    }
    if (task.status === "cancelled") {
      this.#answers.delete(task.taskId);
      const why = task.statusMessage ? ` (${task.statusMessage})` : "";
      throw new McpcError("server", `Task ${task.taskId} was cancelled${why}`);
    }
    return undefined;
  }

  /**
   * Puts the task's new questions to the user and sends the answers not sent
   * yet (`tasks/update`): the number sent, or the failure of a send that may
   * be tried again (the answers are kept for the next poll). A question its
   * asker left unanswered stays open on the server for the next wait.
   */
  async #answer(
    current: ModernTask,
    options: FollowOptions,
  ): Promise<{ count: number } | { failed: unknown }> {
    const taskId = current.task.taskId;
    const answers = this.#answersFor(taskId);
    const unsent: Record<string, ElicitResult> = {};
    let left: unknown;
    for (const [key, request] of Object.entries(current.inputRequests ?? {})) {
      const known = answers.get(key);
      if (known) {
        if (!known.sent) unsent[key] = known.response;
        continue;
      }
      if (request.method !== "elicitation/create") {
        throw new McpcError(
          "server",
          `Task ${taskId} asks the client for ${request.method}, which mcpc does not offer ` +
            "(a command-line client has no model and shares no roots)",
        );
      }
      try {
        const response = await options.ask(request.params as unknown as ElicitRequestParams);
        answers.set(key, { response, sent: false });
        unsent[key] = response;
      } catch (error) {
        if (!(error instanceof UnansweredError)) throw error;
        left = error;
        break;
      }
    }
    const keys = Object.keys(unsent);
    if (keys.length > 0) {
      try {
        await this.#raw.request("tasks/update", { taskId, inputResponses: unsent }, {
          signal: options.signal,
          timeoutMs: POLL_REQUEST_TIMEOUT_MS,
        });
        for (const key of keys) answers.get(key)!.sent = true;
      } catch (error) {
        // Sent again by the next poll that still lists them (a server ignores a repeat).
        if (left || options.signal?.aborted || !transient(error)) throw error;
        return { failed: error };
      }
    }
    if (left) throw left;
    return { count: keys.length };
  }

  #answersFor(taskId: string): Map<string, Answer> {
    let answers = this.#answers.get(taskId);
    if (!answers) {
      if (this.#answers.size >= MAX_REMEMBERED_TASKS) {
        this.#answers.delete(this.#answers.keys().next().value!);
      }
      answers = new Map();
      this.#answers.set(taskId, answers);
    }
    return answers;
  }
}

/** Whether a task's state lacks what its status implies (a bare CreateTaskResult's may). */
function lacksDetail({ task, result, error, inputRequests }: ModernTask): boolean {
  return (task.status === "completed" && !result) || (task.status === "failed" && !error) ||
    (task.status === "input_required" && !inputRequests);
}

/** Whether a failed poll may succeed if tried again (not an answer of the server's). */
function transient(error: unknown): boolean {
  if (error instanceof ProtocolError) return false;
  if (error instanceof SdkError) {
    return error.code !== SdkErrorCode.InvalidResult && error.code !== SdkErrorCode.NotConnected &&
      error.code !== SdkErrorCode.ConnectionClosed;
  }
  return true;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}
