/**
 * Tasks (reference.md §8.3, 2025-11-25 revision): `tools-call --task` and
 * `--detach`, a `taskSupport: required` tool run as a task on its own, and
 * `tasks-list`, `tasks-get`, `tasks-result`, `tasks-cancel`. While a task
 * runs, Ctrl+C (and Esc on a terminal) detaches: the task goes on and mcpc
 * prints how to follow it. If the bridge dies meanwhile, mcpc restarts it and
 * waits for the same task's real outcome (`tasks/result`).
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import { taskSupportOf, TERMINAL_STATUSES } from "../mcp/task_status.ts";
import type { CallToolResult, Task, Tool } from "../mcp/types.ts";
import { renderToolCallResult } from "../render/human/tool_result.ts";
import {
  formatElapsed,
  renderTask,
  renderTaskCancelled,
  renderTaskDetached,
  renderTaskList,
  renderTaskStarted,
} from "../render/human/tasks.ts";
import { isModernRevision, type SessionRecord } from "../session/session.ts";
import { BridgeConnectionLostError } from "../bridge/client.ts";
import { type InputFlags, startActivity } from "./activity.ts";
import type { CommandOutput } from "./output.ts";
import { type OpenSession, openSession } from "./session_bridge.ts";
import { call, withSession } from "./session_commands.ts";
import { watchEscape } from "../cli/terminal_input.ts";

/** How `tools-call` was asked to run the tool. */
export interface TaskMode {
  /** `--task`: run as a task and wait for its outcome. */
  task?: boolean;
  /** `--detach`: run as a task and return at once. */
  detach?: boolean;
}

/**
 * Whether the session's server runs `tools/call` as tasks: the 2025-11-25
 * `tasks` capability, or on a 2026-era session the Tasks extension.
 */
export function runsToolTasks(record: SessionRecord): boolean {
  return taskSupportOf(record.initializeResult?.capabilities ?? {}, isModernSession(record))
    .toolCall;
}

/**
 * Whether a tool's `execution.taskSupport` decides how it runs: on a
 * 2025-era server with tasks (a 2026-era server decides itself).
 */
export function followsTaskSupport(record: SessionRecord): boolean {
  return !isModernSession(record) && runsToolTasks(record);
}

/** Whether the session speaks 2026-07-28 (or later). */
function isModernSession(record: SessionRecord): boolean {
  return record.era?.kind === "modern" ||
    (record.protocolVersion !== undefined && isModernRevision(record.protocolVersion));
}

/**
 * Decides how a tool call runs: `"task"` or `"detach"`, or `undefined` for a
 * plain call. A tool whose `taskSupport` is `required` runs as a task (with a
 * note); a task asked of a server without tasks runs as a plain call (with a
 * warning).
 */
export function taskPlan(
  ctx: AppContext,
  record: SessionRecord,
  mode: TaskMode,
  tool: Tool | undefined,
): "task" | "detach" | undefined {
  const asked = mode.detach ? "detach" : mode.task ? "task" : undefined;
  const supported = runsToolTasks(record);
  // Notes for a person: a --json run keeps stderr for errors.
  const note = (text: string) => {
    if (!ctx.output.json) ctx.stderr(`${text}\n`);
  };
  if (asked && !supported) {
    note("⚠ Server does not support tasks, falling back to synchronous execution");
    return undefined;
  }
  if (asked) return asked;
  if (followsTaskSupport(record) && tool?.execution?.taskSupport === "required") {
    note(`ℹ Tool ${tool.name} must run as a task; running it as one (Ctrl+C detaches)`);
    return "task";
  }
  return undefined;
}

/** The parameters of the tool call to run as a task. */
export interface TaskCall {
  tool: string;
  arguments: Record<string, unknown>;
  typedText?: Record<string, string>;
  input?: InputFlags;
}

/** `tools-call --detach`: the task id and how to follow it. */
export async function startDetachedTask(
  ctx: AppContext,
  session: OpenSession,
  request: TaskCall,
): Promise<CommandOutput> {
  const started = ctx.now();
  const { task, result } = await call(ctx, session, "callToolTask", {
    name: request.tool,
    arguments: request.arguments,
    ...(request.typedText ? { typedText: request.typedText } : {}),
    detach: true,
  });
  if (!task) {
    // The server ran the call at once: its result, as a plain call shows it.
    noteNoTask(ctx, request.tool);
    return timedToolResult(ctx, result!, request.tool, session.record.name, started);
  }
  return {
    json: { taskId: task.taskId, status: task.status },
    human: (theme) => renderTaskStarted(task, session.record.name, theme),
  };
}

/**
 * `tools-call --task`: runs the tool as a task and waits for its outcome,
 * showing its status. Ctrl+C or Esc, once the task exists, detaches.
 */
export async function runTaskToEnd(
  ctx: AppContext,
  session: OpenSession,
  request: TaskCall,
): Promise<CommandOutput> {
  const name = session.record.name;
  const started = ctx.now();
  const detached = Promise.withResolvers<Task>();
  let release: (() => void) | undefined;
  // On a terminal Esc detaches too (the keyboard is watched once the task exists).
  const escapes = ctx.stdinIsTerminal && ctx.stderrIsTerminal;
  let unwatch: (() => void) | undefined;
  let restoreOnExit: (() => void) | undefined;
  let isDetached = false;
  const detach = (task: Task) => {
    isDetached = true;
    detached.resolve(task);
  };
  const activity = startActivity(ctx, {
    label: `Running tool ${request.tool}`,
    hint: escapes ? "(Ctrl+C or Esc to detach)" : "(Ctrl+C to detach)",
    input: request.input,
    onTask: (task) => {
      release ??= ctx.takeInterrupt(() => detach(task));
      if (escapes && !unwatch) {
        unwatch = watchEscape(() => detach(activity.task ?? task));
        // A second Ctrl+C exits from the signal handler: leave the terminal as it was.
        restoreOnExit = ctx.onInterrupt(() => unwatch?.());
      }
    },
  });
  try {
    type Outcome = { kind: "result"; result: CallToolResult } | { kind: "detached"; task: Task };
    const outcome: Outcome = await Promise.race([
      call(ctx, session, "callToolTask", {
        name: request.tool,
        arguments: request.arguments,
        ...(request.typedText ? { typedText: request.typedText } : {}),
        detach: false,
      }, activity.hooks).then((answer) => {
        if (!answer.task) noteNoTask(ctx, request.tool);
        return answer.result!;
      }).catch(async (error) => {
        const task = activity.task;
        if (task && error instanceof McpcError && !(error instanceof BridgeConnectionLostError)) {
          // Waiting stopped (a timeout, a server error on the wait): the task itself goes on.
          // A usage error once the task exists is an --input answer the form refused: the
          // bridge keeps the question for the next command waiting on the task.
          const hint = error.kind === "usage"
            ? `Task ${task.taskId} still waits for that answer; give it with ` +
              `mcpc ${name} tasks-result ${task.taskId} --input '<json>'`
            : `Task ${task.taskId} may still be running; follow it with ` +
              `mcpc ${name} tasks-get ${task.taskId} or tasks-result ${task.taskId}`;
          throw new McpcError(error.kind, error.message, {
            cause: error,
            hint,
            userInput: error.userInput,
          });
        }
        // Detached: the CLI let go of the wait, nothing to resume.
        if (isDetached || !(error instanceof BridgeConnectionLostError) || !task) throw error;
        // The bridge died while the task ran: a new bridge waits for the same task.
        ctx.debug(`The bridge went away during task ${task.taskId}; waiting through a new one`);
        return await awaitThroughNewBridge(ctx, name, task.taskId, activity.hooks);
      }).then((result): Outcome => ({ kind: "result", result })),
      detached.promise.then((task): Outcome => ({ kind: "detached", task: activity.task ?? task })),
    ]);
    if (outcome.kind === "detached") {
      const task = outcome.task;
      activity.stop();
      return {
        json: { taskId: task.taskId, status: task.status, detached: true },
        human: (theme) => renderTaskDetached(task.taskId, name, theme),
      };
    }
    return timedToolResult(ctx, outcome.result, request.tool, name, started);
  } finally {
    release?.();
    unwatch?.();
    restoreOnExit?.();
    activity.stop();
  }
}

async function awaitThroughNewBridge(
  ctx: AppContext,
  name: string,
  taskId: string,
  hooks: ReturnType<typeof startActivity>["hooks"],
): Promise<CallToolResult> {
  const session = await openSession(ctx, name);
  try {
    return await call(ctx, session, "taskResult", { taskId }, hooks);
  } catch (error) {
    // A stdio server is a child of the bridge: it died with it, and its tasks with it.
    if (
      !(error instanceof McpcError) || error.kind !== "server" || !session.record.server.command
    ) {
      throw error;
    }
    throw new McpcError(error.kind, error.message, {
      cause: error,
      hint: `The bridge of ${name} stopped while task ${taskId} ran, and its stdio server ` +
        `stopped with it; the restarted server does not know the task. Run the tool again.`,
    });
  } finally {
    session.client.close();
  }
}

/** Says on stderr (for a person) that the server answered a task call at once. */
function noteNoTask(ctx: AppContext, tool: string): void {
  if (!ctx.output.json) {
    ctx.stderr(`ℹ The server ran tool ${tool} at once, without a task (servers decide that)\n`);
  }
}

/** A tool's result with the time the call took since `started`. */
function timedToolResult(
  ctx: AppContext,
  result: CallToolResult,
  tool: string,
  sessionName: string,
  started: number,
): CommandOutput {
  const elapsed = formatElapsed(ctx.now() - started);
  return toolResultOutput(result, tool, sessionName, {
    successBanner: `✓ Tool ${tool} executed successfully (${elapsed}) with these results:`,
    errorBanner: `✗ Tool ${tool} returned an error (${elapsed})`,
  });
}

function toolResultOutput(
  result: CallToolResult,
  toolName: string,
  sessionName: string,
  banners: { successBanner: string; errorBanner: string },
): CommandOutput {
  return {
    json: result,
    human: (theme) => renderToolCallResult(result, { toolName, sessionName, theme, ...banners }),
    exitCode: result.isError ? 2 : 0,
    truncatable: true,
  };
}

/** `tasks-list`. */
export function tasksList(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const { tasks, source } = await call(ctx, session, "listTasks", {});
    return {
      json: { tasks },
      human: (theme) => renderTaskList(tasks, name, theme, source),
      truncatable: true,
    };
  });
}

/** `tasks-get <taskId>`. */
export function tasksGet(ctx: AppContext, name: string, taskId: string): Promise<CommandOutput> {
  requireTaskId(taskId, name, "tasks-get");
  return withSession(ctx, name, async (session) => {
    const task = await call(ctx, session, "getTask", { taskId });
    return { json: task, human: (theme) => renderTask(task, name, theme) };
  });
}

/** `tasks-result <taskId>`: waits for the task's outcome (bounded by `--timeout`). */
export function tasksResult(
  ctx: AppContext,
  name: string,
  taskId: string,
  input?: InputFlags,
): Promise<CommandOutput> {
  requireTaskId(taskId, name, "tasks-result");
  return withSession(ctx, name, async (session) => {
    const activity = startActivity(ctx, { label: `Waiting for task ${taskId}`, input });
    try {
      const result = await call(ctx, session, "taskResult", { taskId }, activity.hooks);
      return toolResultOutput(result, taskId, name, {
        successBanner: `✓ Task ${taskId} completed with these results:`,
        errorBanner: `✗ Task ${taskId} returned an error`,
      });
    } finally {
      activity.stop();
    }
  });
}

/** `tasks-cancel <taskId>`: exit 1 when the task was already over. */
export function tasksCancel(
  ctx: AppContext,
  name: string,
  taskId: string,
): Promise<CommandOutput> {
  requireTaskId(taskId, name, "tasks-cancel");
  return withSession(ctx, name, async (session) => {
    const task = await call(ctx, session, "cancelTask", { taskId });
    const eventual = isModernSession(session.record);
    return {
      json: task,
      human: (theme) => renderTaskCancelled(task, theme, { eventual }),
      exitCode: task.status === "cancelled" || !TERMINAL_STATUSES.has(task.status) ? 0 : 1,
    };
  });
}

function requireTaskId(taskId: string, session: string, command: string): void {
  if (taskId.trim() === "") {
    throw usageError(`Missing task id. Example: mcpc ${session} ${command} <taskId>`, {
      userInput: true,
    });
  }
}
