/**
 * Prompt and logging commands on a session: `prompts-list`, `prompts-get`
 * and `logging-set-level`.
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { usageError } from "../errors.ts";
import { LOG_LEVELS } from "../mcp/log_levels.ts";
import type { Prompt } from "../mcp/types.ts";
import { renderLogLevelSet } from "../render/human/misc.ts";
import { renderPromptGet, renderPrompts } from "../render/human/prompts.ts";
import { suggestCommand } from "../render/suggest.ts";
import type { CommandOutput } from "./output.ts";
import { promptSchemaCheck, type SchemaFlags } from "./schema_option.ts";
import { call, withSession } from "./session_commands.ts";

/** `prompts-list`: every prompt, refreshed from the server. */
export function promptsList(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const { prompts } = await call(ctx, session, "listPrompts", { refresh: true });
    return {
      json: prompts,
      human: (theme) => renderPrompts(prompts, name, theme),
      truncatable: true,
    };
  });
}

/** What `prompts-get` was asked for. */
export interface PromptRequest {
  /** The prompt's name. */
  prompt: string;
  /** The arguments as parsed (`key:=value`, inline JSON or stdin). */
  arguments: Record<string, unknown>;
  /** For `key:=value` arguments, the value as typed. */
  typedText?: Record<string, string>;
  /** `--schema` / `--schema-mode`. */
  schema?: SchemaFlags;
}

/** `prompts-get <name> [args]`. */
export async function promptsGet(
  ctx: AppContext,
  name: string,
  request: PromptRequest,
): Promise<CommandOutput> {
  if (request.prompt.trim() === "") {
    throw usageError(
      `Missing prompt name\n\nExample: mcpc ${name} prompts-get <name> [arg:=value ...]`,
    );
  }
  const args = promptArguments(request.arguments, request.typedText ?? {});
  const check = await promptSchemaCheck(ctx, request.schema ?? {});
  return await withSession(ctx, name, async (session) => {
    if (check) {
      const prompt = await findPrompt(ctx, session, name, request.prompt);
      check(prompt, request.arguments);
    }
    const result = await call(ctx, session, "getPrompt", {
      name: request.prompt,
      arguments: args,
    });
    return {
      json: result,
      human: (theme) => renderPromptGet(result, { name: request.prompt, sessionName: name, theme }),
      truncatable: true,
    };
  });
}

/**
 * Prompt arguments are strings (MCP): a `key:=value` argument is sent as
 * typed, a string as it is, anything else (from inline JSON or stdin) as
 * its JSON text.
 */
export function promptArguments(
  args: Record<string, unknown>,
  typedText: Record<string, string>,
): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) {
    strings[key] = typedText[key] ?? (typeof value === "string" ? value : JSON.stringify(value));
  }
  return strings;
}

async function findPrompt(
  ctx: AppContext,
  session: Parameters<typeof call>[1],
  sessionName: string,
  promptName: string,
): Promise<Prompt> {
  let { prompts } = await call(ctx, session, "listPrompts", { refresh: false });
  let prompt = prompts.find((candidate) => candidate.name === promptName);
  if (!prompt) {
    ({ prompts } = await call(ctx, session, "listPrompts", { refresh: true }));
    prompt = prompts.find((candidate) => candidate.name === promptName);
  }
  if (!prompt) {
    const suggestion = suggestCommand(promptName, prompts.map((candidate) => candidate.name));
    throw usageError(`Prompt not found: ${promptName}`, {
      userInput: true,
      hint: [
        ...(suggestion ? [`Did you mean: ${suggestion}`] : []),
        `List the prompts with: mcpc ${sessionName} prompts-list`,
      ].join("\n"),
    });
  }
  return prompt;
}

/** `logging-set-level <level>`. */
export function loggingSetLevel(
  ctx: AppContext,
  name: string,
  level: string,
): Promise<CommandOutput> {
  const chosen = LOG_LEVELS.find((candidate) => candidate === level.trim().toLowerCase());
  if (!chosen) {
    throw usageError(
      `Invalid log level: ${level}. Must be one of: ${LOG_LEVELS.join(", ")}`,
      { userInput: true },
    );
  }
  return withSession(ctx, name, async (session) => {
    const capabilities = session.record.initializeResult?.capabilities;
    if (capabilities && !capabilities.logging) {
      throw usageError(`The server of ${name} does not support logging`, { userInput: true });
    }
    await call(ctx, session, "setLogLevel", { level: chosen });
    return { json: { level: chosen }, human: (theme) => renderLogLevelSet(chosen, theme) };
  });
}
