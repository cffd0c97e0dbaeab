/**
 * The logic behind `--schema <file>` and `--schema-mode` on `tools-get`,
 * `tools-call` and `prompts-get` (reference.md §8.4): parse a saved tool or
 * prompt definition, compare it with the server's current one, and check the
 * arguments of a call against the current input schema.
 *
 * The caller reads the schema file and fetches the current definition (from
 * the full tool or prompt list); this module only judges. It loads `ajv` but
 * never the MCP SDK, so it is imported lazily, only when `--schema` is given.
 *
 * JSON Schemas are compiled with ajv's 2020-12 dialect. A top-level `$schema`
 * naming another dialect (servers built on zod often declare draft-07) is set
 * aside before compiling, so such a schema is checked as 2020-12; formats are
 * not validated.
 *
 * Layer: pure.
 * @module
 */

import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import { type McpcError, usageError } from "../errors.ts";
import type { Tool } from "../mcp/types.ts";

/** How strictly `--schema` compares the saved definition with the server's. */
export type SchemaMode = "strict" | "compatible" | "ignore";

/** The valid `--schema-mode` values, in the order help and errors list them. */
export const SCHEMA_MODES: readonly SchemaMode[] = ["strict", "compatible", "ignore"];

/** One argument of a prompt, as `prompts/list` describes it. */
export interface PromptArgument {
  /** The argument's name. */
  name: string;
  /** What the argument is for. */
  description?: string;
  /** Whether `prompts/get` must be given this argument. */
  required?: boolean;
}

/** A prompt definition, as one entry of `prompts-list --json`. */
export interface Prompt {
  /** The prompt's name. */
  name: string;
  /** What the prompt does. */
  description?: string;
  /** The arguments the prompt takes. */
  arguments?: PromptArgument[];
}

/** The outcome of a schema check: any error fails the command, warnings only inform. */
export interface SchemaCheck {
  /** Differences that break the caller. */
  errors: string[];
  /** Differences worth knowing that do not break the caller. */
  warnings: string[];
}

/** Options for {@linkcode checkTool} and {@linkcode checkPrompt}. */
export interface CheckOptions {
  /** How strictly to compare. */
  mode: SchemaMode;
  /** The arguments of the call about to be made (`tools-call`, `prompts-get`). */
  args?: Record<string, unknown>;
}

const DIALECT_2020 = "https://json-schema.org/draft/2020-12/schema";

type JsonObject = Record<string, unknown>;

const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  validateFormats: false,
  addUsedSchema: false,
  logger: false,
});

const compiled = new WeakMap<object, ValidateFunction | Error>();

/** Parses a `--schema-mode` value; anything else is a usage error. */
export function parseSchemaMode(text: string): SchemaMode {
  const mode = SCHEMA_MODES.find((candidate) => candidate === text);
  if (mode === undefined) {
    throw usageError(
      `Invalid --schema-mode value: "${text}". Valid modes are: ${SCHEMA_MODES.join(", ")}`,
      { userInput: true },
    );
  }
  return mode;
}

/** The usage error for a `--schema` file that does not exist. */
export function schemaFileNotFound(path: string): McpcError {
  return usageError(`Schema file not found: ${path}`, { userInput: true });
}

/** The usage error for a `--schema` file that exists but cannot be read. */
export function schemaFileUnreadable(path: string, error: unknown): McpcError {
  const message = error instanceof Error ? error.message : String(error);
  return usageError(`Failed to read schema file: ${message}`, {
    userInput: true,
    cause: error,
    details: { path },
  });
}

/**
 * Parses the text of a saved tool definition (`tools-get <name> --json`).
 * Its `inputSchema` and `outputSchema` must compile as JSON Schemas.
 */
export function parseToolSchemaFile(text: string, path: string): Tool {
  const value = parseJsonFile(text, path);
  if (!isObject(value) || typeof value.name !== "string" || !isObject(value.inputSchema)) {
    throw usageError(
      `Schema file ${path} is not a tool definition (expected an object with "name" and "inputSchema")`,
      { userInput: true },
    );
  }
  for (const key of ["inputSchema", "outputSchema"] as const) {
    if (!(key in value)) continue;
    const outcome = compileSchema(value[key]);
    if (outcome instanceof Error) {
      throw usageError(
        `Schema file ${path}: ${key} is not a valid JSON Schema: ${outcome.message}`,
        { userInput: true },
      );
    }
  }
  return value as unknown as Tool;
}

/** Parses the text of a saved prompt definition (one entry of `prompts-list --json`). */
export function parsePromptSchemaFile(text: string, path: string): Prompt {
  const value = parseJsonFile(text, path);
  if (!isObject(value) || typeof value.name !== "string") {
    throw usageError(
      `Schema file ${path} is not a prompt definition (expected an object with "name")`,
      { userInput: true },
    );
  }
  const args = value.arguments;
  if (
    args !== undefined &&
    !(Array.isArray(args) && args.every((arg) => isObject(arg) && typeof arg.name === "string"))
  ) {
    throw usageError(
      `Schema file ${path}: "arguments" must be an array of objects with a "name"`,
      { userInput: true },
    );
  }
  return value as unknown as Prompt;
}

/**
 * Compares the saved tool `expected` with the server's current tool `actual`.
 *
 * - `ignore`: always clean.
 * - `strict`: name, description, `inputSchema` and `outputSchema` must be
 *   deep-equal (object key order does not matter, array order does).
 * - `compatible`: the name must match and a description change is a warning.
 *   A field the current schema newly requires is an error unless `args` pass
 *   it. With non-empty `args`, only the passed arguments are compared: each
 *   one the saved schema declared must still exist with the same `type`.
 *   Without `args` (or with `{}`), every saved property must still exist with
 *   the same `type` and every saved required field must stay required. New
 *   optional fields are warnings; a removed input schema is an error. Every
 *   saved output field must still exist with the same `type`; a removed
 *   output schema is an error; an added output schema, new output fields and
 *   required/optional changes of output fields are warnings. Only top-level
 *   properties are compared.
 *
 * In `strict` and `compatible` mode, given `args` (even `{}`) are also
 * validated with ajv against the current `inputSchema`, one error per
 * problem (`Argument "count" must be integer`).
 */
export function checkTool(expected: Tool, actual: Tool, options: CheckOptions): SchemaCheck {
  const check: SchemaCheck = { errors: [], warnings: [] };
  if (options.mode === "ignore") return check;
  if (actual.name !== expected.name) {
    check.errors.push(`Tool name mismatch: expected "${expected.name}", got "${actual.name}"`);
  }
  const skip = { required: new Set<string>(), unknown: new Set<string>() };
  if (options.mode === "strict") {
    compareDescriptions(expected, actual, check, "strict");
    compareSchemaStrictly("Input", expected.inputSchema, actual.inputSchema, check);
    compareSchemaStrictly("Output", expected.outputSchema, actual.outputSchema, check);
  } else {
    compareDescriptions(expected, actual, check, "compatible");
    compareInputSchemas(expected.inputSchema, actual.inputSchema, options.args, check, skip);
    compareOutputSchemas(expected.outputSchema, actual.outputSchema, check);
  }
  if (options.args !== undefined) validateArgs(actual, options.args, check, skip);
  return check;
}

/**
 * Compares the saved prompt `expected` with the server's current prompt `actual`.
 *
 * - `ignore`: always clean.
 * - `strict`: name, description and arguments must be equal. Arguments are
 *   compared by name, in any order; a missing `arguments` equals `[]` and a
 *   missing `required` equals `false`.
 * - `compatible`: the name must match and a description change is a warning.
 *   An argument the current prompt newly requires is an error unless `args`
 *   pass it. Without `args` (or with `{}`), every saved argument must still
 *   exist; a required argument that became optional is only a warning, since
 *   relaxing a requirement breaks no caller. New optional arguments are
 *   warnings.
 *
 * In `strict` and `compatible` mode, given `args` must also fit the current
 * prompt: each passed argument must exist (`no longer exists` if the saved
 * prompt had it) and each currently required argument must be passed.
 */
export function checkPrompt(expected: Prompt, actual: Prompt, options: CheckOptions): SchemaCheck {
  const check: SchemaCheck = { errors: [], warnings: [] };
  if (options.mode === "ignore") return check;
  if (actual.name !== expected.name) {
    check.errors.push(`Prompt name mismatch: expected "${expected.name}", got "${actual.name}"`);
  }
  const expectedArgs = expected.arguments ?? [];
  const actualArgs = actual.arguments ?? [];
  const newlyRequired = new Set<string>();
  if (options.mode === "strict") {
    compareDescriptions(expected, actual, check, "strict");
    if (!deepEqual(normalizePromptArgs(expectedArgs), normalizePromptArgs(actualArgs))) {
      check.errors.push("Arguments do not match exactly");
    }
  } else {
    compareDescriptions(expected, actual, check, "compatible");
    const passed = passedNames(options.args);
    for (const arg of actualArgs) {
      const before = expectedArgs.find((candidate) => candidate.name === arg.name);
      if (arg.required && !before?.required && !passed.has(arg.name)) {
        newlyRequired.add(arg.name);
        check.errors.push(`New required argument "${arg.name}" added (breaking change)`);
      }
      if (before === undefined && !arg.required) {
        check.warnings.push(`New optional argument "${arg.name}" added`);
      }
    }
    if (passed.size === 0) {
      for (const arg of expectedArgs) {
        const now = actualArgs.find((candidate) => candidate.name === arg.name);
        if (now === undefined) {
          check.errors.push(`Argument "${arg.name}" is missing from prompt`);
        } else if (arg.required && !now.required) {
          check.warnings.push(`Required argument "${arg.name}" is no longer required`);
        }
      }
    }
  }
  if (options.args !== undefined) {
    for (const name of Object.keys(options.args)) {
      if (actualArgs.some((arg) => arg.name === name)) continue;
      const known = expectedArgs.some((arg) => arg.name === name);
      check.errors.push(
        known
          ? `Argument "${name}" no longer exists in prompt`
          : `Argument "${name}" does not exist in prompt`,
      );
    }
    for (const arg of actualArgs) {
      if (arg.required && !(arg.name in options.args) && !newlyRequired.has(arg.name)) {
        check.errors.push(`Argument "${arg.name}" is required by the current prompt`);
      }
    }
  }
  return check;
}

/** The usage error for a failed check, listing its errors and then its warnings. */
export function schemaFailure(
  kind: "tool" | "prompt",
  name: string,
  check: SchemaCheck,
): McpcError {
  const lines = [`Schema validation failed for ${kind} "${name}":`];
  for (const error of check.errors) lines.push(`  - ${error}`);
  if (check.warnings.length > 0) {
    lines.push("Warnings:");
    for (const warning of check.warnings) lines.push(`  - ${warning}`);
  }
  return usageError(lines.join("\n"), { userInput: true, details: check });
}

/** The lines to print on stderr (human mode) for the warnings of a passed check. */
export function schemaWarningLines(check: SchemaCheck): string[] {
  return check.warnings.map((warning) => `⚠ Schema warning: ${warning}`);
}

function parseJsonFile(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw usageError(`Invalid JSON in schema file: ${path}`, { userInput: true });
  }
}

/** A description change is an error in `strict` mode and a warning in `compatible` mode. */
function compareDescriptions(
  expected: { description?: string },
  actual: { description?: string },
  check: SchemaCheck,
  mode: "strict" | "compatible",
): void {
  if (actual.description === expected.description) return;
  const change = `expected ${quoteDescription(expected.description)}, got ${
    quoteDescription(actual.description)
  }`;
  if (mode === "strict") check.errors.push(`Description mismatch: ${change}`);
  else check.warnings.push(`Description changed: ${change}`);
}

function quoteDescription(description: string | undefined): string {
  return description === undefined ? "no description" : JSON.stringify(description);
}

function compareSchemaStrictly(
  which: "Input" | "Output",
  expected: unknown,
  actual: unknown,
  check: SchemaCheck,
): void {
  const path = firstDifference(expected, actual, []);
  if (path === undefined) return;
  const where = path.length === 0 ? "" : ` (first difference at "${formatPath(path)}")`;
  check.errors.push(`${which} schema does not match exactly${where}`);
}

function compareInputSchemas(
  expected: unknown,
  actual: unknown,
  args: Record<string, unknown> | undefined,
  check: SchemaCheck,
  skip: { required: Set<string>; unknown: Set<string> },
): void {
  if (!isObject(expected)) return;
  if (!isObject(actual)) {
    check.errors.push("Input schema was removed");
    return;
  }
  const before = shapeOf(expected);
  const now = shapeOf(actual);
  const passed = passedNames(args);
  for (const field of now.required) {
    if (before.required.has(field) || passed.has(field)) continue;
    skip.required.add(field);
    check.errors.push(`New required field "${field}" added (breaking change)`);
  }
  if (passed.size > 0) {
    for (const name of passed) {
      if (!(name in before.properties)) continue;
      if (!(name in now.properties)) {
        skip.unknown.add(name);
        check.errors.push(`Argument "${name}" no longer exists in schema`);
        continue;
      }
      const change = typeChange(before.properties[name], now.properties[name]);
      if (change) check.errors.push(`Argument "${name}" type changed: ${change}`);
    }
  } else {
    const missing = new Set<string>();
    for (const name of Object.keys(before.properties)) {
      if (!(name in now.properties)) {
        missing.add(name);
        check.errors.push(`Property "${name}" is missing from input schema`);
        continue;
      }
      const change = typeChange(before.properties[name], now.properties[name]);
      if (change) check.errors.push(`Property "${name}" type changed: ${change}`);
    }
    for (const field of before.required) {
      if (!now.required.has(field) && !missing.has(field)) {
        check.errors.push(`Required field "${field}" is no longer required`);
      }
    }
  }
  for (const name of Object.keys(now.properties)) {
    if (!(name in before.properties) && !now.required.has(name)) {
      check.warnings.push(`New optional field "${name}" added`);
    }
  }
}

function compareOutputSchemas(expected: unknown, actual: unknown, check: SchemaCheck): void {
  if (!isObject(expected)) {
    if (isObject(actual)) check.warnings.push("Output schema was added");
    return;
  }
  if (!isObject(actual)) {
    check.errors.push("Output schema was removed");
    return;
  }
  const before = shapeOf(expected);
  const now = shapeOf(actual);
  for (const name of Object.keys(before.properties)) {
    if (!(name in now.properties)) {
      check.errors.push(`Output field "${name}" was removed (caller expects this field)`);
      continue;
    }
    const change = typeChange(before.properties[name], now.properties[name]);
    if (change) check.errors.push(`Output field "${name}" type changed: ${change}`);
    if (before.required.has(name) && !now.required.has(name)) {
      check.warnings.push(`Output field "${name}" is no longer required`);
    } else if (!before.required.has(name) && now.required.has(name)) {
      check.warnings.push(`Output field "${name}" is now required`);
    }
  }
  for (const name of Object.keys(now.properties)) {
    if (!(name in before.properties)) check.warnings.push(`New output field "${name}" added`);
  }
}

function validateArgs(
  actual: Tool,
  args: Record<string, unknown>,
  check: SchemaCheck,
  skip: { required: Set<string>; unknown: Set<string> },
): void {
  if (!isObject(actual.inputSchema)) return;
  const validate = compileSchema(actual.inputSchema);
  if (validate instanceof Error) {
    check.errors.push(
      `Current inputSchema of tool "${actual.name}" cannot be compiled: ${validate.message}`,
    );
    return;
  }
  if (validate(args)) return;
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const message = describeAjvError(error, skip);
    if (message === undefined || seen.has(message)) continue;
    seen.add(message);
    check.errors.push(message);
  }
}

function describeAjvError(
  error: ErrorObject,
  skip: { required: Set<string>; unknown: Set<string> },
): string | undefined {
  const path = pointerSegments(error.instancePath);
  const atRoot = path.length === 0;
  if (error.keyword === "required") {
    const field = String(error.params.missingProperty);
    if (atRoot && skip.required.has(field)) return undefined;
    return `Argument "${formatPath([...path, field])}" is required by the current schema`;
  }
  const extra = error.params.additionalProperty ?? error.params.unevaluatedProperty;
  if (
    (error.keyword === "additionalProperties" || error.keyword === "unevaluatedProperties") &&
    extra !== undefined
  ) {
    const field = String(extra);
    if (atRoot && skip.unknown.has(field)) return undefined;
    return `Argument "${formatPath([...path, field])}" is not allowed by the current schema`;
  }
  let message = error.message ?? `fails the "${error.keyword}" rule`;
  if (error.keyword === "enum" && Array.isArray(error.params.allowedValues)) {
    message += `: ${error.params.allowedValues.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  return atRoot ? `Arguments ${message}` : `Argument "${formatPath(path)}" ${message}`;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((part) =>
    part.replaceAll("~1", "/").replaceAll("~0", "~")
  );
}

function formatPath(segments: string[]): string {
  let text = "";
  for (const segment of segments) {
    if (/^\d+$/.test(segment) && text !== "") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** Compiles `schema` once (cached per object); a schema ajv rejects yields its error. */
function compileSchema(schema: unknown): ValidateFunction | Error {
  const key = typeof schema === "object" && schema !== null ? schema : undefined;
  const cached = key && compiled.get(key);
  if (cached) return cached;
  let outcome: ValidateFunction | Error;
  try {
    outcome = ajv.compile(withoutForeignDialect(schema) as JsonObject);
  } catch (error) {
    outcome = error instanceof Error ? error : new Error(String(error));
  }
  if (key) compiled.set(key, outcome);
  return outcome;
}

function withoutForeignDialect(schema: unknown): unknown {
  if (!isObject(schema) || schema.$schema === undefined || schema.$schema === DIALECT_2020) {
    return schema;
  }
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

interface SchemaShape {
  properties: Record<string, unknown>;
  required: Set<string>;
}

function shapeOf(schema: JsonObject): SchemaShape {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required)
    ? schema.required.filter((field): field is string => typeof field === "string")
    : [];
  return { properties, required: new Set(required) };
}

/** `expected X, got Y` when the saved property had a `type` and the current one differs. */
function typeChange(before: unknown, now: unknown): string | undefined {
  const wanted = isObject(before) ? before.type : undefined;
  if (wanted === undefined) return undefined;
  const found = isObject(now) ? now.type : undefined;
  if (deepEqual(typeSet(wanted), typeSet(found))) return undefined;
  return `expected ${JSON.stringify(wanted)}, got ${
    found === undefined ? "none" : JSON.stringify(found)
  }`;
}

function typeSet(type: unknown): unknown {
  if (Array.isArray(type)) return [...new Set(type.map(String))].sort();
  return type === undefined ? undefined : [String(type)];
}

function passedNames(args: Record<string, unknown> | undefined): Set<string> {
  return new Set(args === undefined ? [] : Object.keys(args));
}

function normalizePromptArgs(args: PromptArgument[]): unknown[] {
  return args
    .map((arg) => ({ name: arg.name, description: arg.description, required: !!arg.required }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function deepEqual(a: unknown, b: unknown): boolean {
  return firstDifference(a, b, []) === undefined;
}

/**
 * The path of the first place where `a` and `b` differ, or `undefined` if
 * they are deep-equal. Object key order is ignored; keys holding `undefined`
 * count as absent.
 */
function firstDifference(a: unknown, b: unknown, path: string[]): string[] | undefined {
  if (Object.is(a, b)) return undefined;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return path;
    if (a.length !== b.length) return path;
    for (let index = 0; index < a.length; index++) {
      const found = firstDifference(a[index], b[index], [...path, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(a) || !isObject(b)) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    if (a[key] === undefined && b[key] === undefined) continue;
    const found = firstDifference(a[key], b[key], [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
