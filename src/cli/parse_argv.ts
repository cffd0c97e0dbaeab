/**
 * argv → a typed invocation. Finds the command position (skipping option
 * values), routes to the top-level or session program, and turns commander's
 * outcomes (help, errors) into values.
 *
 * Layer: pure.
 * @module
 */

import { CommanderError } from "commander";
import { McpcError, usageError } from "../errors.ts";
import { commandsFor, findCommand, GLOBAL_OPTIONS, VALUE_OPTIONS } from "./command_table.ts";
import { buildProgram, type ParsedCommand } from "./commander_program.ts";
import { commandHelp, sessionHelp, topHelp } from "./help.ts";
import { shellQuote } from "../render/shell_quote.ts";
import { suggestCommand } from "../render/suggest.ts";
import { MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS } from "../session/session.ts";
import { requireToolName } from "./tool_args.ts";

/** Output-related flags, known even when parsing fails. */
export interface GlobalFlags {
  json: boolean;
  verbose: boolean;
  /** `--timeout` in seconds. */
  timeout?: number;
  /** `--max-chars`. */
  maxChars?: number;
}

/** A parsed command line. */
export type Invocation =
  | { kind: "version"; flags: GlobalFlags }
  | { kind: "help"; text: string; flags: GlobalFlags }
  | { kind: "list"; flags: GlobalFlags }
  | {
    kind: "top";
    command: string;
    args: unknown[];
    options: Record<string, unknown>;
    flags: GlobalFlags;
  }
  | {
    kind: "session";
    session: string;
    /** `undefined`: show server details. */
    command?: string;
    args: unknown[];
    options: Record<string, unknown>;
    flags: GlobalFlags;
  };

/** Environment-derived defaults for the output flags. */
export interface EnvFlags {
  json: boolean;
  verbose: boolean;
}

/** Whether an env value means "on" (`1`, `true`, `yes`, trimmed, any case). */
export function envFlag(value: string | undefined): boolean {
  return ["1", "true", "yes"].includes((value ?? "").trim().toLowerCase());
}

/** Whether errors should be JSON, judged before parsing (so parse errors honour `--json`). */
export function wantsJson(argv: readonly string[], env: EnvFlags): boolean {
  const end = argv.indexOf("--");
  const options = end === -1 ? argv : argv.slice(0, end);
  return env.json || options.includes("--json") || options.includes("-j");
}

/** Index of the first token that is not an option or an option's value, or -1. */
export function commandPosition(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index];
    if (token === "--") return index + 1 < argv.length ? index + 1 : -1;
    if (!token.startsWith("-") || token === "-") return token === "" ? -1 : index;
    if (VALUE_OPTIONS.has(token)) index++;
  }
  return -1;
}

/** The names of the global options (those the program itself takes before a command word). */
const GLOBAL_FLAGS: ReadonlySet<string> = new Set(
  GLOBAL_OPTIONS.flatMap((option) =>
    option.flags.split(/[ ,]+/).filter((flag) => flag.startsWith("-"))
  ),
);

/** Options that may come before the command word. */
const LEADING_OPTIONS: ReadonlySet<string> = new Set([
  ...GLOBAL_FLAGS,
  ...VALUE_OPTIONS,
  // The original's global flag: `mcpc --insecure connect <url>` (its command still decides).
  "--insecure",
]);

/**
 * Refuses an unknown option before the command word, before it can make the
 * next word look like the command (`mcpc --profile x` is about `--profile`, not `x`).
 */
function rejectUnknownLeadingOptions(args: readonly string[], position: number): void {
  const end = position === -1 ? args.length : position;
  for (let index = 0; index < end; index++) {
    const token = args[index];
    if (token === "--") return;
    if (!token.startsWith("-") || token === "-") continue;
    const flag = token.split("=")[0];
    if (!LEADING_OPTIONS.has(flag)) {
      throw usageError(`Unknown option: ${flag}`, {
        hint: 'Run "mcpc --help" for usage information.',
      });
    }
    if (VALUE_OPTIONS.has(token)) index++;
  }
}

/**
 * Moves a command's own options that came before its word after it
 * (`mcpc --insecure connect <url>`, `mcpc --profile work login <url>`), where
 * the command parses them; the globals stay where they are.
 */
function commandOptionsAfterCommand(args: string[], position: number): string[] {
  if (position <= 0) return args;
  const globals: string[] = [];
  const moved: string[] = [];
  for (let index = 0; index < position; index++) {
    const token = args[index];
    const target = GLOBAL_FLAGS.has(token.split("=")[0]) ? globals : moved;
    target.push(token);
    if (VALUE_OPTIONS.has(token) && index + 1 < position) target.push(args[++index]);
  }
  return [...globals, args[position], ...moved, ...args.slice(position + 1)];
}

/** Drops empty words where the command would be, so `mcpc ""` behaves like `mcpc`. */
function withoutEmptyCommand(args: string[]): string[] {
  for (let index = 0; index < args.length; index++) {
    const token = args[index];
    if (token === "--") return args;
    if (token === "") {
      return withoutEmptyCommand([...args.slice(0, index), ...args.slice(index + 1)]);
    }
    if (!token.startsWith("-") || token === "-") return args;
    if (VALUE_OPTIONS.has(token)) index++;
  }
  return args;
}

/** Parses argv (without the program name). Throws a usage error for bad input. */
export function parseArgv(argv: readonly string[], env: EnvFlags): Invocation {
  const args = withoutEmptyCommand(argv.map((token) => token === "-j" ? "--json" : token));
  const position = commandPosition(args);
  rejectUnknownLeadingOptions(args, position);
  const token = position === -1 ? undefined : args[position];
  if (token?.startsWith("@")) {
    const rest = [...args.slice(0, position), ...args.slice(position + 1)];
    return parseSession(token, rest, env);
  }
  if (token !== undefined && !findCommand("top", token)) {
    const sessionCommand = findCommand("session", token);
    if (sessionCommand && (args.includes("--help") || args.includes("-h"))) {
      return { kind: "help", text: commandHelp(sessionCommand, "session"), flags: envOnly(env) };
    }
    throw unknownTopCommand(token, args.slice(position + 1));
  }
  if (token === "help") return helpFor(args.slice(position + 1), env);
  const parsed = runProgram("top", commandOptionsAfterCommand(args, position), env);
  if ("kind" in parsed) return parsed;
  const flags = globalFlags(parsed.options, env);
  if (flags.version) return { kind: "version", flags };
  if (!parsed.command) return { kind: "list", flags };
  return {
    kind: "top",
    command: parsed.command,
    args: parsed.args,
    options: parsed.options,
    flags,
  };
}

function parseSession(session: string, rest: string[], env: EnvFlags): Invocation {
  const position = commandPosition(rest);
  rejectUnknownLeadingOptions(rest, position);
  const token = position === -1 ? undefined : rest[position];
  if (token === "help") return { kind: "help", text: sessionHelp(), flags: envOnly(env) };
  if (token !== undefined && !findCommand("session", token)) {
    const suggestion = suggestCommand(token, commandsFor("session").map((spec) => spec.name));
    throw usageError(`Unknown command: ${token}`, {
      hint: [
        ...(suggestion ? [`Did you mean: mcpc ${session} ${suggestion}`] : []),
        `Run "mcpc ${session} --help" for available commands.`,
      ].join("\n"),
    });
  }
  if (token === "tools-call") {
    const toolsGet = toolsCallHelpAsToolsGet(session, rest, position, env);
    if (toolsGet) return toolsGet;
  }
  const parsed = runProgram("session", rest, env, session);
  if ("kind" in parsed) return parsed;
  const flags = globalFlags(parsed.options, env);
  if (flags.version) return { kind: "version", flags };
  if (parsed.command === "tools-get" || parsed.command === "tools-call") {
    requireToolName(String(parsed.args[0] ?? ""), { command: parsed.command, session });
  }
  return {
    kind: "session",
    session,
    command: parsed.command,
    args: parsed.args,
    options: parsed.options,
    flags,
  };
}

function helpFor(topic: string[], env: EnvFlags): Invocation {
  const flags = envOnly(env);
  const name = topic.find((token) => !token.startsWith("-"));
  if (!name) return { kind: "help", text: topHelp(), flags };
  const top = findCommand("top", name);
  if (top) return { kind: "help", text: commandHelp(top, "top"), flags };
  const session = findCommand("session", name);
  if (session) return { kind: "help", text: commandHelp(session, "session"), flags };
  const suggestion = suggestCommand(name, allNames());
  throw usageError(`Unknown command: ${name}`, {
    hint: [
      ...(suggestion ? [`Did you mean: mcpc help ${suggestion}`] : []),
      'Run "mcpc --help" for usage information.',
    ].join("\n"),
  });
}

function runProgram(
  scope: "top" | "session",
  args: string[],
  env: EnvFlags,
  session?: string,
): ParsedCommand | Invocation {
  const result: ParsedCommand = { args: [], options: {} };
  const sink = { out: "" };
  const program = buildProgram(scope, result, sink);
  try {
    program.parse(args, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === "commander.helpDisplayed" || error.code === "commander.help") {
      return { kind: "help", text: helpText(scope, args), flags: envOnly(env) };
    }
    const position = commandPosition(args);
    const spec = position === -1 ? undefined : findCommand(scope, args[position]);
    const example = spec?.example && error.code === "commander.missingArgument"
      ? `\n\nExample: ${spec.example}`
      : "";
    throw usageError(`${commanderMessage(error.message)}${example}`, {
      hint: `Run "mcpc${session ? ` ${session}` : ""} --help" for usage information.`,
    });
  }
  return result;
}

function helpText(scope: "top" | "session", args: string[]): string {
  const position = commandPosition(args);
  const spec = position === -1 ? undefined : findCommand(scope, args[position]);
  if (spec) return commandHelp(spec, scope);
  return scope === "top" ? topHelp() : sessionHelp();
}

/**
 * `tools-call <name> --help` shows the tool (like `tools-get <name>`); without
 * a name, `--help` shows the command's help.
 */
function toolsCallHelpAsToolsGet(
  session: string,
  rest: string[],
  position: number,
  env: EnvFlags,
): Invocation | undefined {
  const end = rest.indexOf("--");
  const options = end === -1 ? rest : rest.slice(0, end);
  if (!options.includes("--help") && !options.includes("-h")) return undefined;
  const after = rest.slice(position + 1);
  const namePosition = commandPosition(after);
  if (namePosition === -1 || after[namePosition] === "--help" || after[namePosition] === "-h") {
    return undefined;
  }
  const name = after[namePosition];
  const globals: string[] = [];
  const tokens = [
    ...rest.slice(0, position),
    ...after.filter((_, index) => index !== namePosition),
  ];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token === "--") break;
    if (token === "--help" || token === "-h" || !token.startsWith("-")) continue;
    globals.push(token);
    if (VALUE_OPTIONS.has(token) && index + 1 < tokens.length) globals.push(tokens[++index]);
  }
  const parsed = runProgram("session", ["tools-get", name, ...globals], env, session);
  if ("kind" in parsed) return parsed;
  const flags = globalFlags(parsed.options, env);
  return {
    kind: "session",
    session,
    command: "tools-get",
    args: [name],
    options: parsed.options,
    flags,
  };
}

function commanderMessage(message: string): string {
  const text = message.replace(/^error: /, "");
  const missing = text.match(/^missing required argument '(.+)'$/);
  if (missing) return `Missing required argument: ${missing[1]}`;
  const unknown = text.match(/^unknown option '(.+)'$/);
  if (unknown) return `Unknown option: ${unknown[1]}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An unknown first word; `main.ts` may reword it when `@<token>` is a session. */
export class UnknownCommandError extends McpcError {
  /** The unknown word. */
  readonly token: string;
  /** What followed it. */
  readonly rest: readonly string[];

  constructor(token: string, rest: readonly string[], message: string, hint: string) {
    super("usage", message, { hint });
    this.name = "UnknownCommandError";
    this.token = token;
    this.rest = rest;
  }

  /** The same error, suggesting `mcpc @<token> ...` for an existing session. */
  forSession(session: string): UnknownCommandError {
    const suggestion = ["mcpc", session, ...this.rest.map(shellQuote)].join(" ");
    return new UnknownCommandError(
      this.token,
      this.rest,
      this.message,
      `Did you mean: ${suggestion}\nSession names start with @.`,
    );
  }
}

function unknownTopCommand(token: string, rest: readonly string[]) {
  const sessionCommand = findCommand("session", token);
  if (sessionCommand) {
    return new UnknownCommandError(
      token,
      rest,
      `Missing session target for command: ${token}`,
      `Did you mean: mcpc <@session> ${token}\nRun "mcpc --help" for usage information.`,
    );
  }
  const suggestion = suggestCommand(token, allNames());
  const prefix = suggestion && !findCommand("top", suggestion) ? "mcpc <@session>" : "mcpc";
  return new UnknownCommandError(
    token,
    rest,
    `Unknown command: ${token}`,
    [
      ...(suggestion ? [`Did you mean: ${prefix} ${suggestion}`] : []),
      'Run "mcpc --help" for usage information.',
    ].join("\n"),
  );
}

function allNames(): string[] {
  return [...new Set([...commandsFor("top"), ...commandsFor("session")].map((spec) => spec.name))];
}

function envOnly(env: EnvFlags): GlobalFlags {
  return { json: env.json, verbose: env.verbose };
}

function globalFlags(
  options: Record<string, unknown>,
  env: EnvFlags,
): GlobalFlags & { version: boolean } {
  const flags: GlobalFlags & { version: boolean } = {
    json: env.json || options.json === true,
    verbose: env.verbose || options.verbose === true,
    version: options.version === true,
  };
  if (options.timeout !== undefined) flags.timeout = timeoutSeconds(String(options.timeout));
  if (options.maxChars !== undefined) {
    flags.maxChars = positiveInteger(
      options.maxChars,
      (value) => `Invalid --max-chars value: "${value}". Must be a positive number (characters).`,
    );
  }
  return flags;
}

/**
 * A `--timeout` value: a decimal number of seconds (`0.5`, `30`, `2.25`) from
 * {@linkcode MIN_TIMEOUT_SECONDS} to {@linkcode MAX_TIMEOUT_SECONDS} (24 hours).
 */
function timeoutSeconds(text: string): number {
  const number = Number(text);
  const decimal = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) && Number.isFinite(number);
  if (!decimal || number < MIN_TIMEOUT_SECONDS || number > MAX_TIMEOUT_SECONDS) {
    throw usageError(
      `Invalid --timeout value: "${shortened(text)}". Must be a number of seconds from ` +
        `${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS} (24 hours).`,
    );
  }
  return number;
}

/** `text`, cut to its first 40 characters (plus `…`) for messages. */
function shortened(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function positiveInteger(value: unknown, message: (value: string) => string): number {
  const text = String(value);
  const number = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(number) || number <= 0) {
    throw usageError(message(text));
  }
  return number;
}
