/**
 * `--schema <file>` and `--schema-mode <mode>` of `tools-get`, `tools-call`
 * and `prompts-get`: reads the saved definition and checks the server's
 * current one against it. The checking module (and with it ajv) is loaded
 * only when `--schema` is given.
 *
 * Layer: use case (reads the schema file).
 * @module
 */

import { resolve } from "node:path";
import type { AppContext } from "../context.ts";
import { usageError } from "../errors.ts";
import type { Prompt, Tool } from "../mcp/types.ts";

/** The options as parsed. */
export interface SchemaFlags {
  /** `--schema`. */
  schema?: string;
  /** `--schema-mode`. */
  schemaMode?: string;
}

/** Checks a current definition; throws the validation failure, prints warnings. */
export type DefinitionCheck<T> = (actual: T, args?: Record<string, unknown>) => void;

/**
 * Reads `--schema` for a tool; `undefined` when it is not given (or the mode
 * is `ignore`). A bad mode or file fails before anything is sent.
 */
export async function toolSchemaCheck(
  ctx: AppContext,
  flags: SchemaFlags,
): Promise<DefinitionCheck<Tool> | undefined> {
  const loaded = await load(ctx, flags);
  if (!loaded) return undefined;
  const { module, text, path, mode } = loaded;
  const expected = module.parseToolSchemaFile(text, path);
  return (actual, args) => {
    const check = module.checkTool(expected, actual, { mode, ...(args ? { args } : {}) });
    if (check.errors.length > 0) throw module.schemaFailure("tool", actual.name, check);
    warn(ctx, module.schemaWarningLines(check));
  };
}

/** The same for a prompt (`prompts-get --schema`). */
export async function promptSchemaCheck(
  ctx: AppContext,
  flags: SchemaFlags,
): Promise<DefinitionCheck<Prompt> | undefined> {
  const loaded = await load(ctx, flags);
  if (!loaded) return undefined;
  const { module, text, path, mode } = loaded;
  const expected = module.parsePromptSchemaFile(text, path);
  return (actual, args) => {
    const check = module.checkPrompt(expected, actual, { mode, ...(args ? { args } : {}) });
    if (check.errors.length > 0) throw module.schemaFailure("prompt", actual.name, check);
    warn(ctx, module.schemaWarningLines(check));
  };
}

async function load(ctx: AppContext, flags: SchemaFlags) {
  if (flags.schema === undefined) {
    if (flags.schemaMode !== undefined) {
      throw usageError("--schema-mode needs --schema <file>", { userInput: true });
    }
    return undefined;
  }
  const module = await import("./schema_check.ts");
  const mode = module.parseSchemaMode(flags.schemaMode ?? "compatible");
  if (mode === "ignore") return undefined;
  const path = flags.schema;
  let text: string;
  try {
    text = await Deno.readTextFile(resolve(ctx.cwd, path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw module.schemaFileNotFound(path);
    throw module.schemaFileUnreadable(path, error);
  }
  return { module, text, path, mode };
}

function warn(ctx: AppContext, lines: string[]): void {
  if (ctx.output.json) return;
  for (const line of lines) ctx.stderr(`${line}\n`);
}
