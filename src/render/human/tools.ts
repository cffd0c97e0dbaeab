/**
 * Human output of `tools-list`, `tools-list --full` and `tools-get`
 * (reference §3.2.4): compact signatures, detail views and call examples.
 *
 * Layer: pure.
 * @module
 */

import type { Tool } from "../../mcp/types.ts";
import type { Theme } from "../theme.ts";
import { fence } from "./misc.ts";
import { isShellSafe, shellQuote } from "../shell_quote.ts";

type Schema = Record<string, unknown>;

interface Param {
  name: string;
  schema: Schema;
  required: boolean;
}

const MAX_INLINE_PARAMS = 3;
const MAX_ENUM_VALUES = 5;

function asSchema(value: unknown): Schema | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return value as Schema;
}

/** Properties of an object schema: required ones first, then optional, each in declaration order. */
function orderedParams(schema: unknown): Param[] {
  const object = asSchema(schema);
  const properties = asSchema(object?.properties);
  if (!object || !properties) return [];
  const required = new Set(
    Array.isArray(object.required) ? object.required.filter((r) => typeof r === "string") : [],
  );
  const params = Object.entries(properties).map(([name, value]) => ({
    name,
    schema: asSchema(value) ?? {},
    required: required.has(name),
  }));
  return [...params.filter((p) => p.required), ...params.filter((p) => !p.required)];
}

function shortTypeName(type: string, schema: Schema): string {
  switch (type) {
    case "string":
      return "str";
    case "number":
      return "num";
    case "integer":
      return "int";
    case "boolean":
      return "bool";
    case "object":
      return "obj";
    case "array": {
      const items = asSchema(schema.items);
      return `[${items ? shortType(items) : "any"}]`;
    }
    default:
      return type;
  }
}

function joinUnion(parts: string[]): string {
  const unique = [...new Set(parts)];
  return unique.length === 0 ? "any" : unique.join(" | ");
}

/** The short type of a parameter (`str`, `num`, `int`, `bool`, `obj`, `[T]`, `enum`, `any`). */
function shortType(schema: Schema): string {
  if (Array.isArray(schema.enum)) return "enum";
  const type = schema.type;
  if (Array.isArray(type)) {
    const names = type.filter((t): t is string => typeof t === "string" && t !== "null");
    return joinUnion(names.map((t) => shortTypeName(t, schema)));
  }
  if (typeof type === "string") return shortTypeName(type, schema);
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) {
    const schemas = variants.map(asSchema).filter((v): v is Schema => v !== undefined);
    return joinUnion(schemas.filter((v) => v.type !== "null").map(shortType));
  }
  return "any";
}

/** The full type of a parameter in the detail view (`string`, `array<number>`, `"a" | "b"`, ...). */
function fullType(schema: Schema): string {
  const type = schema.type;
  if (Array.isArray(type)) return type.join(" | ");
  if (type === "array") {
    const items = asSchema(schema.items);
    return items ? `array<${fullType(items)}>` : "array";
  }
  if (type === "object" && asSchema(schema.properties)) return "object";
  if (Array.isArray(schema.enum)) {
    return schema.enum.length <= MAX_ENUM_VALUES
      ? schema.enum.map((v) => JSON.stringify(v)).join(" | ")
      : `enum(${schema.enum.length} values)`;
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants)) {
    return variants.map((v) => fullType(asSchema(v) ?? {})).join(" | ");
  }
  return typeof type === "string" ? type : "any";
}

/** ` [read-only, idempotent, ...]` from the tool annotations and task support, or "". */
function hintsSuffix(tool: Tool, theme: Theme): string {
  const hints: string[] = [];
  const annotations = tool.annotations;
  if (annotations?.readOnlyHint) hints.push("read-only");
  else if (annotations?.destructiveHint) hints.push(theme.red("destructive"));
  if (annotations?.idempotentHint) hints.push("idempotent");
  if (annotations?.openWorldHint) hints.push("open-world");
  const taskSupport = tool.execution?.taskSupport;
  if (taskSupport === "required" || taskSupport === "optional") hints.push(`task:${taskSupport}`);
  return hints.length === 0 ? "" : ` [${hints.join(", ")}]`;
}

function compactSignature(tool: Tool): string {
  const params = orderedParams(tool.inputSchema);
  const shown = params.slice(0, MAX_INLINE_PARAMS).map((p) =>
    `${p.name}${p.required ? "" : "?"}:${shortType(p.schema)}`
  );
  if (params.length > MAX_INLINE_PARAMS) shown.push("…");
  return `${tool.name} (${shown.join(", ")})`;
}

/** The compact bullet of one tool: `` * `name (params)` [hints] ``. */
export function renderToolLine(tool: Tool, theme: Theme): string {
  return `* ${theme.grey(`\`${compactSignature(tool)}\``)}${hintsSuffix(tool, theme)}`;
}

/** `Tools (N):` and one `` * `name (params)` [hints] `` bullet per tool, without the footer. */
export function renderToolsSummary(tools: readonly Tool[], theme: Theme): string {
  const lines = [theme.bold(`Tools (${tools.length}):`)];
  for (const tool of tools) lines.push(renderToolLine(tool, theme));
  return lines.join("\n");
}

/** `tools-list`: the summary plus the hint on how to see full details. */
export function renderToolsCompact(
  tools: readonly Tool[],
  sessionName: string,
  theme: Theme,
): string {
  const listFull = theme.grey(`\`mcpc ${sessionName} tools-list --full\``);
  const get = theme.grey(`\`mcpc ${sessionName} tools-get <name>\``);
  return [
    renderToolsSummary(tools, theme),
    "",
    `For full tool details and schema, run ${listFull} or ${get}`,
  ].join("\n");
}

/** `tools-list --full`: the summary, then `---` and the detail view of every tool. */
export function renderToolsFull(
  tools: readonly Tool[],
  _sessionName: string,
  theme: Theme,
): string {
  const parts = [renderToolsSummary(tools, theme)];
  for (const tool of tools) parts.push("", "---", renderToolDetail(tool, theme));
  return parts.join("\n");
}

const MAX_NESTING = 4;

/** One bullet per property, nested properties of objects and arrays of objects indented below. */
function paramLines(schema: unknown, theme: Theme, depth = 0): string[] {
  const params = orderedParams(schema);
  if (params.length === 0) return depth === 0 ? ["* (none)"] : [];
  const indent = "  ".repeat(depth);
  return params.flatMap((p) => {
    let line = `${indent}* ${theme.grey(`\`${p.name}\``)}: ${fullType(p.schema)}`;
    if (p.required) line += ` ${theme.yellow("[required]")}`;
    if (p.schema.default !== undefined) line += ` (default: ${JSON.stringify(p.schema.default)})`;
    if (typeof p.schema.description === "string" && p.schema.description !== "") {
      line += ` - ${p.schema.description}`;
    }
    const nested = depth < MAX_NESTING ? nestedObject(p.schema) : undefined;
    return [line, ...(nested ? paramLines(nested, theme, depth + 1) : [])];
  });
}

/** The object schema whose properties a parameter contains: itself, or its array items. */
function nestedObject(schema: Schema): Schema | undefined {
  if (asSchema(schema.properties)) return schema;
  const items = asSchema(schema.items);
  return items && asSchema(items.properties) ? items : undefined;
}

/** The detail view of one tool: title, name with hints, Input, Output and Description. */
export function renderToolDetail(tool: Tool, theme: Theme): string {
  const lines: string[] = [];
  const title = tool.annotations?.title ?? tool.title;
  if (title) lines.push(theme.bold(`# ${title}`));
  lines.push(`${theme.bold("Tool:")} ${theme.grey(`\`${tool.name}\``)}${hintsSuffix(tool, theme)}`);
  lines.push("", theme.bold("Input:"), ...paramLines(tool.inputSchema, theme));
  if (tool.outputSchema) {
    lines.push("", theme.bold("Output:"), ...paramLines(tool.outputSchema, theme));
  }
  if (tool.description) {
    lines.push("", theme.bold("Description:"), fence(tool.description));
  }
  return lines.join("\n");
}

/**
 * The example value of a parameter as a person would type it after `:=`:
 * the default, the first enum value, or a value fitting its type. Strings are
 * written bare (the bridge sends them as strings when the schema says so).
 */
function exampleValue(name: string, schema: Schema, depth = 0): string {
  const literal = exampleJson(name, schema, depth);
  return typeof literal === "string" ? literal : JSON.stringify(literal);
}

function exampleJson(name: string, schema: Schema, depth: number): unknown {
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("const" in schema) return schema.const;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== "null") ??
    (Array.isArray(schema.anyOf ?? schema.oneOf)
      ? asSchema(((schema.anyOf ?? schema.oneOf) as unknown[])[0])?.type
      : undefined);
  switch (type) {
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 1;
    case "integer":
      return typeof schema.minimum === "number" ? schema.minimum : 1;
    case "boolean":
      return true;
    case "array": {
      const items = asSchema(schema.items);
      return items && depth < 2 ? [exampleJson(name, items, depth + 1)] : [];
    }
    case "object": {
      const value: Record<string, unknown> = {};
      if (depth < 2) {
        for (const p of orderedParams(schema).filter((p) => p.required)) {
          value[p.name] = exampleJson(p.name, p.schema, depth + 1);
        }
      }
      return value;
    }
    default:
      return exampleText(name, schema);
  }
}

/** A plausible string for a property, from its format or name. */
function exampleText(name: string, schema: Schema): string {
  const format = typeof schema.format === "string" ? schema.format : "";
  const key = name.toLowerCase();
  if (format === "date-time") return "2026-01-31T12:00:00Z";
  if (format === "date") return "2026-01-31";
  if (format === "email" || key.includes("email")) return "user@example.com";
  if (format.startsWith("uri") || /url|uri|link|href|endpoint/.test(key)) {
    return "https://example.com";
  }
  if (/dir|folder/.test(key)) return "./docs";
  if (/path|file/.test(key)) return "notes.txt";
  if (/(^|_)id$|Id$/.test(name)) return "123";
  return "hello";
}

/** The `mcpc @s tools-call ...` example: all required params, then optional ones up to 3 in total. */
function callExample(tool: Tool, sessionName: string): string {
  const params = orderedParams(tool.inputSchema);
  const required = params.filter((p) => p.required);
  const optional = params.filter((p) => !p.required);
  const chosen = [
    ...required,
    ...optional.slice(0, Math.max(0, MAX_INLINE_PARAMS - required.length)),
  ];
  const words = ["mcpc", sessionName, "tools-call", tool.name];
  for (const p of chosen) {
    const value = exampleValue(p.name, p.schema);
    // A key the shell would split is quoted with its value, as one word.
    words.push(
      isShellSafe(p.name) ? `${p.name}:=${shellQuote(value)}` : shellQuote(`${p.name}:=${value}`),
    );
  }
  const taskSupport = tool.execution?.taskSupport;
  if (taskSupport === "required") words.push("--task");
  if (taskSupport === "optional") words.push("[--task]");
  return words.join(" ");
}

/** `tools-get`: the detail view followed by a `Call example:`. */
export function renderToolGet(tool: Tool, sessionName: string, theme: Theme): string {
  return [
    renderToolDetail(tool, theme),
    "",
    theme.bold("Call example:"),
    `* ${theme.grey(`\`${callExample(tool, sessionName)}\``)}`,
  ].join("\n");
}
