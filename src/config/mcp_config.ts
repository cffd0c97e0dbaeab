/**
 * MCP config files (`mcpServers`, or VS Code's `servers`): parsing, and turning
 * one entry into a {@linkcode ServerConfig} with `${VAR}` substitution
 * (reference.md §8.5). Substituted values may be secrets (decisions.md §2): no
 * message built here contains them.
 *
 * Layer: pure.
 * @module
 */

import { usageError } from "../errors.ts";
import type { McpcError } from "../errors.ts";
import { MAX_TIMEOUT_SECONDS, type ServerConfig } from "../session/session.ts";
import { headerValueProblem, isHeaderName, parseServerUrl } from "./server_target.ts";
import {
  hasVariableReference,
  substituteEnv,
  SubstitutionTooLargeError,
} from "./env_substitution.ts";
import { redactUrl } from "./redact_url.ts";

/** A parsed config file: its server entries by name, not yet validated. */
export interface McpConfig {
  /** Entry name → the entry as written in the file. */
  servers: Readonly<Record<string, unknown>>;
}

/** Options for {@linkcode resolveConfigEntry}. */
export interface ResolveConfigEntryOptions {
  /** Absolute path of the config file, for messages. */
  filePath: string;
  /** Reads an environment variable for `${VAR}` substitution. */
  lookupEnv: (name: string) => string | undefined;
  /** Prints a warning (once per unknown variable). */
  warn: (message: string) => void;
}

const FORMAT_HINT = 'Expected {"mcpServers": {"<name>": {"url": "https://..."}}} ' +
  'or {"mcpServers": {"<name>": {"command": "...", "args": ["..."]}}}';

/** Parses the text of a config file; requires an object under `mcpServers` or `servers`. */
export function parseMcpConfig(text: string, filePath: string): McpConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // No cause: the parser's message (and so its stack) quotes the file, which may hold secrets.
    throw usageError(`Invalid JSON in config file: ${filePath}\n${jsonErrorDetail(error)}`);
  }
  const servers = isPlainObject(parsed)
    ? [parsed.mcpServers, parsed.servers].find(isPlainObject)
    : undefined;
  if (servers === undefined) {
    throw usageError(
      `Invalid config file format: missing or invalid "mcpServers" (or "servers") field.\n${FORMAT_HINT}`,
    );
  }
  return { servers };
}

/**
 * Validates the entry `entry` of a parsed config and returns its server config,
 * with `${VAR}` substituted and the URL normalised.
 */
export function resolveConfigEntry(
  config: McpConfig,
  entry: string,
  options: ResolveConfigEntryOptions,
): ServerConfig {
  if (!Object.hasOwn(config.servers, entry)) {
    const names = Object.keys(config.servers);
    const available = names.length > 0 ? names.join(", ") : "(none)";
    throw usageError(
      `Server "${entry}" not found in config file.\nAvailable servers: ${available}`,
    );
  }
  const raw = config.servers[entry];
  const invalid = (detail: string): McpcError =>
    usageError(`Invalid config for server "${entry}" in ${options.filePath}: ${detail}`);
  if (!isPlainObject(raw)) throw invalid("the entry must be a JSON object");

  const hasUrl = raw.url !== undefined && raw.url !== null;
  const hasCommand = raw.command !== undefined && raw.command !== null;
  if (hasUrl && hasCommand) throw invalid('set either "url" or "command", not both');
  if (!hasUrl && !hasCommand) throw invalid('missing "url" or "command"');
  checkTransportType(raw.type, hasUrl, invalid, (message) => options.warn(`${message} "${entry}"`));

  const warned = new Set<string>();
  const substitute = (value: string, field: string): string => {
    try {
      return substituteEnv(value, options.lookupEnv, {
        onMissing(name) {
          if (warned.has(name)) return;
          warned.add(name);
          options.warn(`Environment variable not found: ${name}, using empty string`);
        },
      });
    } catch (error) {
      if (!(error instanceof SubstitutionTooLargeError)) throw error;
      const limit = `${error.maxBytes / (1024 * 1024)} MiB`;
      throw invalid(
        error.bound === "value"
          ? `environment variable ${error.variable} (used in ${field}) is over the ${limit} limit`
          : `${field} is over the ${limit} limit after substituting \${${error.variable}}`,
      );
    }
  };
  const home = options.lookupEnv("HOME");
  const tools = { substitute, invalid, warn: options.warn, entry, home };
  return hasUrl ? httpServer(raw, tools) : stdioServer(raw, tools);
}

interface EntryTools {
  /** `${VAR}` substitution; `field` names the value in messages (`header "X-Key"`). */
  substitute: (value: string, field: string) => string;
  invalid: (detail: string) => McpcError;
  warn: (message: string) => void;
  entry: string;
  /** `HOME`, for a leading `~/` in `command` and `args`. */
  home: string | undefined;
}

/** The `"type"` values of config files that name Streamable HTTP. */
const HTTP_TYPES = new Set(["http", "streamable-http", "streamableHttp", "streamable_http"]);

/**
 * Checks an entry's `"type"` (VS Code, Cursor and Claude write one) against
 * what it holds: `stdio` wants a command, `http`/`streamable-http` a URL;
 * legacy HTTP+SSE (`sse`) is refused with the reason; another value is
 * ignored with a warning (reference.md §8.5: other keys are ignored).
 */
function checkTransportType(
  type: unknown,
  hasUrl: boolean,
  invalid: (detail: string) => McpcError,
  warn: (message: string) => void,
): void {
  if (type === undefined || type === null) return;
  if (typeof type !== "string") throw invalid('"type" must be a string');
  if (type === "sse") {
    throw invalid(
      'legacy SSE ("type": "sse") is not supported, only Streamable HTTP: give the ' +
        'server\'s Streamable HTTP endpoint with "type": "http"',
    );
  }
  if (type === "stdio") {
    if (hasUrl) throw invalid('"type" is "stdio" but the entry has a "url"');
    return;
  }
  if (HTTP_TYPES.has(type)) {
    if (!hasUrl) throw invalid(`"type" is "${type}" but the entry has no "url"`);
    return;
  }
  // Other tools write their own values: the entry's url or command decides.
  warn(`Ignoring the unknown "type" ${JSON.stringify(type)} of this server entry`);
}

/** `value` with a leading `~/` (or a lone `~`) made `HOME`. */
function expandHome(value: string, home: string | undefined): string {
  if (!home) return value;
  if (value === "~") return home;
  return value.startsWith("~/") ? `${home.replace(/\/$/, "")}/${value.slice(2)}` : value;
}

function httpServer(raw: Record<string, unknown>, tools: EntryTools): ServerConfig {
  if (typeof raw.url !== "string") throw tools.invalid('"url" must be a string');
  const written = raw.url;
  const substituted = tools.substitute(written, '"url"');
  let parsed: ReturnType<typeof parseServerUrl>;
  try {
    parsed = parseServerUrl(substituted);
  } catch {
    // The message names the value as written (redacted), never the substituted one.
    throw tools.invalid(`"url" must be an http:// or https:// URL, got "${redactUrl(written)}"`);
  }
  const server: ServerConfig = { url: parsed.url };
  const headers = stringRecord(raw.headers, "header", tools);
  if (headers) {
    for (const [key, value] of Object.entries(headers)) {
      if (!isHeaderName(key)) {
        throw tools.invalid(`${JSON.stringify(key)} in "headers" is not a valid header name`);
      }
      const problem = headerValueProblem(value);
      if (problem) throw tools.invalid(`the value of header "${key}" cannot be sent: ${problem}`);
    }
  }
  // The URL's userinfo becomes a Basic Authorization header, unless one is set explicitly.
  const explicit = Object.keys(headers ?? {}).some((key) => key.toLowerCase() === "authorization");
  if (parsed.authorization !== undefined && explicit) {
    tools.warn(
      `Ignoring the user name and password in the URL of server "${tools.entry}": ` +
        'its "headers" set Authorization',
    );
  }
  if (parsed.authorization !== undefined && !explicit) {
    server.headers = { ...(headers ?? {}), Authorization: parsed.authorization };
  } else if (headers) {
    server.headers = headers;
  }
  if (raw.timeout !== undefined) {
    const timeout = raw.timeout;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
      throw tools.invalid('"timeout" must be a positive number of seconds');
    }
    if (timeout > MAX_TIMEOUT_SECONDS) {
      throw tools.invalid(`"timeout" must be at most ${MAX_TIMEOUT_SECONDS} seconds (24 hours)`);
    }
    server.timeout = timeout;
  }
  return server;
}

function stdioServer(raw: Record<string, unknown>, tools: EntryTools): ServerConfig {
  const command = typeof raw.command === "string"
    ? expandHome(tools.substitute(raw.command, '"command"'), tools.home)
    : "";
  if (command.trim() === "") throw tools.invalid('"command" must be a non-empty string');
  // A NUL byte cannot be passed to a process; spawning would fail later, in the bridge.
  if (command.includes("\0")) throw tools.invalid('"command" contains a NUL character');
  const server: ServerConfig = { command };
  if (raw.args !== undefined && raw.args !== null) {
    const message = '"args" must be an array of strings';
    if (!Array.isArray(raw.args)) throw tools.invalid(message);
    const args: unknown[] = raw.args;
    server.args = args.map((arg, index) => {
      if (typeof arg !== "string") throw tools.invalid(message);
      const value = expandHome(tools.substitute(arg, `"args" item ${index + 1}`), tools.home);
      if (value.includes("\0")) {
        throw tools.invalid(`"args" item ${index + 1} contains a NUL character`);
      }
      return value;
    });
  }
  const env = stringRecord(raw.env, "env", tools);
  if (env) {
    for (const [key, value] of Object.entries(env)) {
      if (key === "" || key.includes("=") || key.includes("\0")) {
        throw tools.invalid(
          `${JSON.stringify(key)} in "env" is not a valid variable name (empty, or has "=" or NUL)`,
        );
      }
      if (value.includes("\0")) {
        throw tools.invalid(
          `the value of env "${key}" cannot be passed to the server: it contains a NUL character`,
        );
      }
    }
    server.env = env;
  }
  return server;
}

/**
 * Validates an object of string values (`"headers"`, `"env"`) and substitutes
 * `${VAR}` in the values; `kind` (`header`, `env`) names them in messages.
 */
function stringRecord(
  value: unknown,
  kind: string,
  tools: EntryTools,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const message = `"${kind === "header" ? "headers" : kind}" must be an object with string values`;
  if (!isPlainObject(value)) throw tools.invalid(message);
  const entries: [string, string][] = [];
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") throw tools.invalid(message);
    entries.push([key, tools.substitute(item, `${kind} "${key}"`)]);
  }
  // Object.fromEntries defines own properties, so a key like "__proto__" stays plain data.
  return Object.fromEntries(entries);
}

/**
 * The parser's message without the excerpt of the file it may quote
 * (`Unexpected token 'x', "..." is not valid JSON`): the file may hold secrets.
 */
function jsonErrorDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const withoutExcerpt = message.replace(/, .*is not valid JSON$/s, "");
  return withoutExcerpt.includes('"') ? "The file is not valid JSON" : withoutExcerpt;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The fields of a server config that may carry `${VAR}` references. */
export type TemplatedFields = Pick<ServerConfig, "url" | "command" | "args">;

/**
 * The `url`, `command` and `args` of entry `entry` as written, for those that
 * reference `${VAR}`: their substituted values may be secrets, so records,
 * logs and output show these instead. Call after {@linkcode resolveConfigEntry}
 * succeeded for the same entry.
 */
export function templatedFields(config: McpConfig, entry: string): TemplatedFields {
  const raw = config.servers[entry];
  if (!isPlainObject(raw)) return {};
  const templated = (value: unknown): value is string =>
    typeof value === "string" && hasVariableReference(value);
  const fields: TemplatedFields = {};
  if (templated(raw.url)) fields.url = raw.url;
  if (templated(raw.command)) fields.command = raw.command;
  if (Array.isArray(raw.args) && raw.args.some(templated)) fields.args = raw.args.map(String);
  return fields;
}
