/**
 * Turns the arguments of `tools-call` / `prompts-get` into an MCP `arguments`
 * value: positional `key:=value` pairs, one inline JSON argument, or the text
 * read from stdin (reference.md §1.6). Reading stdin is the caller's job.
 *
 * Layer: pure.
 * @module
 */

import { usageError } from "../errors.ts";

const PAIR_SEPARATOR = ":=";

const FORMAT_HINT = "Use key:=value pairs or inline JSON.\n" +
  `Examples: name:=hello count:=10 enabled:=true '{"key":"value"}'`;

/**
 * Parses positional tool arguments: `key:=value` pairs (values JSON-decoded when
 * they parse, else kept as strings) or a single inline JSON object or array.
 */
export function parseToolArgs(args: readonly string[]): Record<string, unknown> | unknown[] {
  if (args.length === 0) return {};
  const first = args[0];
  if (first.startsWith("{") || first.startsWith("[")) return parseInlineJson(args);

  const entries = new Map<string, unknown>();
  for (const arg of args) {
    const at = arg.indexOf(PAIR_SEPARATOR);
    if (at === -1) throw usageError(`Invalid argument format: "${arg}". ${FORMAT_HINT}`);
    if (at === 0) throw usageError(`Invalid argument: "${arg}" - missing key before :=`);
    entries.set(arg.slice(0, at), decodeValue(arg.slice(at + PAIR_SEPARATOR.length)));
  }
  // Object.fromEntries defines own properties, so a key like "__proto__" stays plain data.
  return Object.fromEntries(entries);
}

/**
 * For `key:=value` arguments whose value reads as a JSON number, boolean or
 * null: the text as typed, so the bridge can send it where the tool's schema
 * wants a string (decisions.md §3.18). Empty for inline JSON.
 */
export function typedTextOf(args: readonly string[]): Record<string, string> {
  const texts = new Map<string, string>();
  if (args.length === 0 || args[0].startsWith("{") || args[0].startsWith("[")) return {};
  for (const arg of args) {
    const at = arg.indexOf(PAIR_SEPARATOR);
    if (at <= 0) continue;
    const key = arg.slice(0, at);
    const raw = arg.slice(at + PAIR_SEPARATOR.length);
    const value = decodeValue(raw);
    if (value === null || typeof value === "number" || typeof value === "boolean") {
      texts.set(key, raw);
    } else texts.delete(key);
  }
  return Object.fromEntries(texts);
}

/** Options for {@linkcode requireToolName}. */
export interface RequireToolNameOptions {
  /** The command that takes the name (`tools-get`, `tools-call`). */
  command: string;
  /** The session (`@name`), for the example in the hint. */
  session?: string;
}

/** Refuses an empty or whitespace-only tool name (a usage error, before any bridge is asked). */
export function requireToolName(name: string, options: RequireToolNameOptions): void {
  if (name.trim() !== "") return;
  const session = options.session ?? "@session";
  throw usageError(
    `Invalid tool name for ${options.command}: ${JSON.stringify(name)} is empty or only whitespace`,
    {
      hint: `List the tools with: mcpc ${session} tools-list
` +
        `Example: mcpc ${session} ${options.command} <name>`,
    },
  );
}

/** Parses the text read from stdin: blank means `{}`, anything else must be a JSON object. */
export function parseStdinArgs(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`Invalid JSON from stdin: ${errorMessage(error)}`, { cause: error });
  }
  if (!isPlainObject(parsed)) throw usageError("Stdin must contain a JSON object");
  return parsed;
}

function parseInlineJson(args: readonly string[]): Record<string, unknown> | unknown[] {
  if (args.length > 1) throw usageError("When using inline JSON, only one argument is allowed");
  let parsed: unknown;
  try {
    parsed = JSON.parse(args[0]);
  } catch (error) {
    throw usageError(`Invalid JSON: ${errorMessage(error)}`, { cause: error });
  }
  // Text starting with `{` or `[` that parses is always an object or array; this narrows the type.
  if (Array.isArray(parsed) || isPlainObject(parsed)) return parsed;
  throw usageError("Inline JSON must be an object or array");
}

function decodeValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // Not JSON: the value is the literal text (reference.md §1.6).
    return raw;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
