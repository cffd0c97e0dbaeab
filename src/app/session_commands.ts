/**
 * MCP commands on a session (`mcpc @s ...`): each opens the session's bridge,
 * sends one request and returns a value to render.
 *
 * Layer: use case.
 * @module
 */

import { advertisedCommands } from "../cli/command_table.ts";
import { requireToolName } from "../cli/tool_args.ts";
import type { AppContext } from "../context.ts";
import { McpcError, networkError, usageError } from "../errors.ts";
import { appendLogHint, expiredDetectedMessage, toolNotFoundMessage } from "../render/hints.ts";
import { renderPing } from "../render/human/misc.ts";
import { renderServerDetails } from "../render/human/server_details.ts";
import { renderToolCallResult } from "../render/human/tool_result.ts";
import { renderToolGet, renderToolsCompact, renderToolsFull } from "../render/human/tools.ts";
import { serverDetailsJson } from "../render/json.ts";
import type { SessionRecord } from "../session/session.ts";
import { deriveDisplayStatus, isTransient } from "../session/status.ts";
import type { CommandOutput } from "./output.ts";
import { authFailure, type OpenSession, openSession } from "./session_bridge.ts";
import type { MethodName, ParamsOf, ResultOf, ServerDetails } from "../bridge/protocol.ts";
import { applyStringSchema } from "../mcp/argument_coercion.ts";
import type { CallToolResult, Tool } from "../mcp/types.ts";
import { type InputFlags, startActivity } from "./activity.ts";
import {
  followsTaskSupport,
  runTaskToEnd,
  startDetachedTask,
  type TaskMode,
  taskPlan,
} from "./task_commands.ts";
import { type SchemaFlags, toolSchemaCheck } from "./schema_option.ts";
import { BridgeConnectionLostError, type RequestOptions } from "../bridge/client.ts";

/** Runs `fn` with the session's bridge and words errors consistently (log hint, auth hint). */
export async function withSession<T>(
  ctx: AppContext,
  name: string,
  fn: (session: OpenSession) => Promise<T>,
): Promise<T> {
  const session = await openSession(ctx, name);
  try {
    return await fn(session);
  } catch (error) {
    if (error instanceof BridgeConnectionLostError) {
      throw await explainLostConnection(ctx, session.record, error);
    }
    // The bridge records `expired` before it answers: word that case as the original does.
    if (error instanceof McpcError && error.kind === "usage") {
      const stored = await ctx.sessions.get(name).catch(() => undefined);
      if (stored?.status === "expired" && session.record.status !== "expired") {
        throw usageError(expiredDetectedMessage(name, session.logPath), { cause: error });
      }
    }
    throw explainSessionError(error, session.record, session.logPath);
  } finally {
    session.client.close();
  }
}

/**
 * Words a bridge connection that dropped while a request ran after what the
 * session record says happened meanwhile: the session was closed (record gone,
 * or replaced by a new session of that name) or restarted (another bridge, or
 * one starting). The request was sent once and is not re-sent, so its result
 * is unknown. Anything else keeps the original error.
 */
export async function explainLostConnection(
  ctx: AppContext,
  record: SessionRecord,
  error: BridgeConnectionLostError,
): Promise<McpcError> {
  const name = record.name;
  let stored: SessionRecord | undefined;
  try {
    stored = await ctx.sessions.get(name);
  } catch {
    return error;
  }
  if (!stored || stored.createdAt !== record.createdAt) {
    return usageError(
      `Session ${name} was closed while the request was running; its result is unknown`,
      { cause: error },
    );
  }
  const replaced = stored.pid !== undefined
    ? stored.pid !== record.pid
    : isTransient(stored.status);
  if (replaced) {
    return networkError(
      `Session ${name} was restarted while the request was running; ` +
        "its result is unknown and it was not re-sent",
      { cause: error },
    );
  }
  return error;
}

/** Adds the recovery hint and log path to an error from a session's bridge. */
export function explainSessionError(
  error: unknown,
  record: SessionRecord,
  logPath: string,
): unknown {
  if (!(error instanceof McpcError)) return error;
  if (error.kind === "auth" && !error.requestOnly) {
    return authFailure(record, logPath, { cause: error });
  }
  if (error.kind === "network" || error.userInput) return error;
  return new McpcError(error.kind, appendLogHint(error.message, logPath), {
    cause: error,
    ...(error.hint ? { hint: error.hint } : {}),
  });
}

/** The request timeout for a session: `--timeout`, else the config entry's, else the default. */
export function requestTimeoutMs(ctx: AppContext, record: SessionRecord): number {
  if (!ctx.timeoutExplicit && record.server?.timeout) return record.server.timeout * 1000;
  return ctx.timeoutMs;
}

function timeoutLabel(ctx: AppContext, record: SessionRecord): string {
  return `${requestTimeoutMs(ctx, record) / 1000} s (--timeout)`;
}

/** Sends one request with the session's timeout. */
export function call<M extends MethodName>(
  ctx: AppContext,
  session: OpenSession,
  method: M,
  params: ParamsOf<M>,
  hooks: RequestHooks = {},
): Promise<ResultOf<M>> {
  return session.client.request(method, params, {
    timeoutMs: requestTimeoutMs(ctx, session.record),
    timeoutLabel: timeoutLabel(ctx, session.record),
    ...hooks,
  });
}

/** What a command takes while its request runs: progress, the server's questions, task changes. */
export type RequestHooks = Pick<RequestOptions, "onProgress" | "onInput" | "onTask">;

/** `mcpc @s`: server details and the cached tool list. */
export function serverDetails(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const details = await call(ctx, session, "serverDetails", {});
    const record = await currentRecord(ctx, session.record);
    return serverDetailsOutput(record, details, {
      logPath: session.logPath,
      status: liveStatus(ctx, record),
      now: ctx.now(),
    });
  });
}

/** The record as stored now (a bridge updates it while it connects), else `fallback`. */
export async function currentRecord(
  ctx: AppContext,
  fallback: SessionRecord,
): Promise<SessionRecord> {
  return (await ctx.sessions.get(fallback.name).catch(() => undefined)) ?? fallback;
}

/** The display status of a session whose bridge just answered. */
export function liveStatus(ctx: AppContext, record: SessionRecord): string {
  return deriveDisplayStatus(record, { bridgeAlive: true }, ctx.now());
}

/** How {@linkcode serverDetailsOutput} labels the result. */
export interface ServerDetailsOptions {
  /** The bridge log file. */
  logPath: string;
  /** `_mcpc.status`: what `connect` did (`created`, `active`) or the session's display status. */
  status: string;
  /** Now (ms since the epoch), for the times of the last notifications. */
  now?: number;
}

/** Builds the server details output (also used by `connect` and `restart`). */
export function serverDetailsOutput(
  record: SessionRecord,
  details: ServerDetails,
  options: ServerDetailsOptions,
): CommandOutput {
  const logPath = options.logPath;
  return {
    json: serverDetailsJson({
      sessionName: record.name,
      ...(record.profileName ? { profileName: record.profileName } : {}),
      server: record.server,
      status: options.status,
      initialize: details.initialize,
      ...(details.tools ? { toolNames: details.tools.map((tool) => tool.name) } : {}),
      ...(record.notifications ? { notifications: record.notifications } : {}),
    }),
    human: (theme) =>
      renderServerDetails({
        sessionName: record.name,
        initialize: details.initialize,
        tools: details.tools,
        commands: advertisedCommands(details.initialize.capabilities ?? {}),
        logPath,
        ...(record.mcpSessionId ? { mcpSessionId: record.mcpSessionId } : {}),
        ...(record.notifications && options.now !== undefined
          ? { notifications: { summary: record.notifications, now: options.now } }
          : {}),
      }, theme),
  };
}

/** `tools-list [--full]`: every tool, refreshed from the server. */
export function toolsList(
  ctx: AppContext,
  name: string,
  options: { full: boolean },
): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const { tools } = await call(ctx, session, "listTools", { refresh: true });
    return {
      json: tools,
      human: (theme) =>
        options.full ? renderToolsFull(tools, name, theme) : renderToolsCompact(tools, name, theme),
      truncatable: true,
    };
  });
}

/** `tools-get <name>`: one tool from the cache, refreshed once on a miss. */
export async function toolsGet(
  ctx: AppContext,
  name: string,
  toolName: string,
  schema: SchemaFlags = {},
): Promise<CommandOutput> {
  requireToolName(toolName, { command: "tools-get", session: name });
  const check = await toolSchemaCheck(ctx, schema);
  return await withSession(ctx, name, async (session) => {
    const found = await findTool(ctx, session, name, toolName, "tools-get");
    check?.(found);
    return { json: found, human: (theme) => renderToolGet(found, name, theme) };
  });
}

/** The tool named `toolName`, from the bridge's cache, refreshed once on a miss. */
async function findTool(
  ctx: AppContext,
  session: OpenSession,
  name: string,
  toolName: string,
  command: "tools-get" | "tools-call",
): Promise<Tool> {
  let { tools } = await call(ctx, session, "listTools", { refresh: false });
  let tool = tools.find((candidate) => candidate.name === toolName);
  if (!tool) {
    ({ tools } = await call(ctx, session, "listTools", { refresh: true }));
    tool = tools.find((candidate) => candidate.name === toolName);
  }
  if (!tool) {
    throw usageError(
      toolNotFoundMessage(name, toolName, {
        known: tools.map((candidate) => candidate.name),
        command,
      }),
      { userInput: true },
    );
  }
  return tool;
}

/** `tools-call <name> [args]`: calls the tool; a result with `isError` exits 2. */
export async function toolsCall(
  ctx: AppContext,
  name: string,
  call_: {
    tool: string;
    arguments: Record<string, unknown>;
    typedText?: Record<string, string>;
    schema?: SchemaFlags;
    /** `--task` / `--detach`. */
    mode?: TaskMode;
    /** `--input`, `--input-file`, `--on-input`. */
    input?: InputFlags;
  },
): Promise<CommandOutput> {
  requireToolName(call_.tool, { command: "tools-call", session: name });
  const check = await toolSchemaCheck(ctx, call_.schema ?? {});
  return await withSession(ctx, name, async (session) => {
    const typedText = call_.typedText ?? {};
    // The tool's definition matters for a schema check and, on a 2025-era server with tasks,
    // for its `taskSupport` (a tool that requires a task runs as one).
    const tool = check || followsTaskSupport(session.record)
      ? await findTool(ctx, session, name, call_.tool, "tools-call")
      : undefined;
    if (check && tool) {
      // Checked against every page of the tool list, with the arguments as they will be sent.
      check(tool, applyStringSchema(call_.arguments, typedText, tool.inputSchema));
    }
    const request = {
      tool: call_.tool,
      arguments: call_.arguments,
      ...(Object.keys(typedText).length > 0 ? { typedText } : {}),
      input: call_.input,
    };
    const plan = taskPlan(ctx, session.record, call_.mode ?? {}, tool);
    if (plan === "detach") return await startDetachedTask(ctx, session, request);
    if (plan === "task") return await runTaskToEnd(ctx, session, request);
    const activity = startActivity(ctx, {
      label: `Running tool ${call_.tool}`,
      input: call_.input,
    });
    let result: CallToolResult;
    try {
      result = await call(ctx, session, "callTool", {
        name: call_.tool,
        arguments: call_.arguments,
        ...(Object.keys(typedText).length > 0 ? { typedText } : {}),
      }, activity.hooks);
    } finally {
      activity.stop();
    }
    return {
      json: result,
      human: (theme) =>
        renderToolCallResult(result, { toolName: call_.tool, sessionName: name, theme }),
      exitCode: result.isError ? 2 : 0,
      truncatable: true,
    };
  });
}

/** `ping`: round trip to the server through the bridge. */
export function ping(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const { durationMs } = await call(ctx, session, "ping", {});
    return {
      json: { success: true, durationMs },
      human: (theme) => renderPing(durationMs, theme),
    };
  });
}
