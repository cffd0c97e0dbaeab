/**
 * `mcpc grep <pattern>` (every live session, queried in parallel) and
 * `mcpc @s grep <pattern>` (one session): asks each bridge for its cached
 * catalog and matches it with {@linkcode grepSessions}.
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import { renderGrepAll, renderGrepSession } from "../render/human/grep.ts";
import type { DisplayStatus } from "../session/session.ts";
import {
  compileMatcher,
  exitCodeOf,
  grepJson,
  type GrepOptions,
  grepSessions,
  grepTypes,
  type SessionCatalog,
  type SessionOutcome,
} from "./grep_match.ts";
import { listSessions } from "./list_sessions.ts";
import type { CommandOutput } from "./output.ts";
import { call, withSession } from "./session_commands.ts";

/** What `grep` was asked, as parsed. */
export interface GrepRequest {
  pattern: string;
  regex: boolean;
  caseSensitive: boolean;
  tools: boolean;
  resources: boolean;
  prompts: boolean;
  instructions: boolean;
  /** `-m/--max-results` as typed. */
  maxResults?: string;
}

/** Statuses whose bridge runs and can be asked. */
const SEARCHABLE: ReadonlySet<DisplayStatus> = new Set([
  "live",
  "disconnected",
  "connecting",
  "reconnecting",
]);

/** `mcpc @s grep <pattern>`. */
export async function grepSession(
  ctx: AppContext,
  name: string,
  request: GrepRequest,
): Promise<CommandOutput> {
  const options = grepOptions(request);
  const catalog = await fetchCatalog(ctx, name, options);
  const result = grepSessions([{ kind: "searched", catalog }], options);
  return {
    json: grepJson(result),
    human: (theme) => renderGrepSession(result, theme),
    exitCode: exitCodeOf(result),
    truncatable: true,
  };
}

/** `mcpc grep <pattern>`: every session whose bridge runs, in parallel. */
export async function grepAll(ctx: AppContext, request: GrepRequest): Promise<CommandOutput> {
  const options = grepOptions(request);
  const { sessions } = await listSessions(ctx);
  const outcomes = await Promise.all(
    sessions.map(async ({ record, status }): Promise<SessionOutcome> => {
      if (!SEARCHABLE.has(status)) return { kind: "skipped", name: record.name, status };
      try {
        return { kind: "searched", catalog: await fetchCatalog(ctx, record.name, options) };
      } catch (error) {
        return { kind: "error", name: record.name, error: firstLine(error) };
      }
    }),
  );
  const result = grepSessions(outcomes, options);
  return {
    json: grepJson(result),
    human: (theme) => renderGrepAll(result, theme),
    exitCode: exitCodeOf(result),
    truncatable: true,
  };
}

/** Checks the request (a bad pattern fails before any bridge is asked). */
function grepOptions(request: GrepRequest): GrepOptions {
  const options: GrepOptions = {
    pattern: request.pattern,
    regex: request.regex,
    caseSensitive: request.caseSensitive,
    types: grepTypes(request),
    ...(request.maxResults !== undefined ? { maxResults: maxResults(request.maxResults) } : {}),
  };
  compileMatcher(options);
  return options;
}

function maxResults(text: string): number {
  const number = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(number)) {
    throw usageError(
      `Invalid --max-results value: "${text.slice(0, 40)}". Must be a whole number.`,
      { userInput: true },
    );
  }
  return number;
}

async function fetchCatalog(
  ctx: AppContext,
  name: string,
  options: GrepOptions,
): Promise<SessionCatalog> {
  return await withSession(ctx, name, async (session) => {
    const catalog = await call(ctx, session, "catalog", {
      tools: options.types.tools,
      resources: options.types.resources,
      prompts: options.types.prompts,
    });
    return {
      name,
      ...(options.types.instructions && catalog.instructions !== undefined
        ? { instructions: catalog.instructions }
        : {}),
      ...(catalog.tools ? { tools: catalog.tools } : {}),
      ...(catalog.resources ? { resources: catalog.resources } : {}),
      ...(catalog.prompts ? { prompts: catalog.prompts } : {}),
    };
  });
}

function firstLine(error: unknown): string {
  const message = error instanceof McpcError || error instanceof Error
    ? error.message
    : String(error);
  return message.split("\n")[0];
}
