/**
 * Reads the `<server>` argument of `connect` / `login` / `logout`: a URL, a
 * config file entry (`file:entry`) or a whole config file (reference.md §1.7),
 * plus URL normalisation (userinfo becomes a Basic `Authorization` value) and
 * the `-H "Key: Value"` header flag (§2). No message built here shows a header
 * value or a URL's password or query values.
 *
 * Layer: pure.
 * @module
 */

import { usageError } from "../errors.ts";
import { redactUrl } from "./redact_url.ts";

/** What a `<server>` argument points at. */
export type ServerTarget =
  | { type: "url"; url: string }
  | { type: "config"; file: string; entry: string }
  | { type: "config-file"; file: string };

const CONFIG_EXTENSION = /\.(json|ya?ml)$/i;
const WINDOWS_DRIVE = /^[a-zA-Z]:[\\/]/;
const EXPLICIT_PATH_PREFIXES = ["/", "~", "./", "../"];
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1"]);

/**
 * Classifies a `<server>` argument as a URL, a `file:entry` config entry or a
 * config file; returns `null` when it is none of them.
 */
export function parseServerArg(arg: string): ServerTarget | null {
  if (hasHost(arg)) return { type: "url", url: arg };
  if (arg.includes("://")) return null;

  const entry = splitConfigEntry(arg);
  const bareHostCandidate = !hasExplicitPathForm(arg) && !CONFIG_EXTENSION.test(arg) &&
    entry === null && !arg.endsWith(":");
  if (bareHostCandidate && hasHost(`https://${arg}`)) return { type: "url", url: arg };
  if (entry !== null) return { type: "config", file: entry.file, entry: entry.entry };
  if (looksLikeFilePath(arg)) return { type: "config-file", file: arg };
  return null;
}

/** The message for a `<server>` argument that {@linkcode parseServerArg} rejects. */
export function invalidServerMessage(arg: string): string {
  return `Invalid server: "${redactUrl(arg)}"\n\n` +
    "Expected a URL (e.g. mcp.apify.com) or a config file entry " +
    "(e.g. ~/.vscode/mcp.json:filesystem)";
}

/**
 * Normalises a server URL: adds `http://` for localhost and `https://` otherwise,
 * requires http(s), drops credentials and fragment, and drops a bare trailing `/`.
 */
export function normalizeServerUrl(input: string): string {
  return parseServerUrl(input).url;
}

/** A server URL split into what is connected to and the credentials it carried. */
export interface ServerUrl {
  /** The normalised URL, without userinfo (see {@linkcode normalizeServerUrl}). */
  url: string;
  /**
   * `Basic <base64>` of the URL's `user:password` (percent-decoded, as fetch
   * does), when the URL had a user name or password.
   */
  authorization?: string;
}

/** Normalises a server URL and turns its userinfo into an `Authorization` value. */
export function parseServerUrl(input: string): ServerUrl {
  const trimmed = input.trim();
  const withScheme = trimmed.includes("://") ? trimmed : `${defaultScheme(trimmed)}${trimmed}`;
  const url = URL.parse(withScheme);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.port === "0") {
    // The input may carry a password or a query secret: only its redacted form is shown.
    throw usageError(`Invalid MCP server URL: ${redactUrl(input)}`);
  }
  const credentials = url.username !== "" || url.password !== ""
    ? basicAuthorization(url.username, url.password)
    : undefined;
  url.username = "";
  url.password = "";
  url.hash = "";
  const href = url.href;
  const normalized = url.pathname === "/" && url.search === "" ? href.slice(0, -1) : href;
  return credentials === undefined
    ? { url: normalized }
    : { url: normalized, authorization: credentials };
}

/** `Basic <base64>` of `user:password`, each percent-decoded to bytes (WHATWG percent-decode). */
export function basicAuthorization(user: string, password: string): string {
  const bytes = [...percentDecode(user), 0x3a, ...percentDecode(password)];
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** UTF-8 bytes of `text` with each valid `%XX` turned into its byte; other `%` stay. */
function percentDecode(text: string): number[] {
  const input = new TextEncoder().encode(text);
  const output: number[] = [];
  for (let index = 0; index < input.length; index++) {
    const high = hexValue(input[index + 1]);
    const low = hexValue(input[index + 2]);
    if (input[index] === 0x25 && high !== undefined && low !== undefined) {
      output.push(high * 16 + low);
      index += 2;
    } else {
      output.push(input[index]);
    }
  }
  return output;
}

function hexValue(byte: number | undefined): number | undefined {
  if (byte === undefined) return undefined;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return undefined;
}

/** The host of a server URL, with the port when it is not the default (`host` or `host:port`). */
export function getServerHost(url: string): string {
  return new URL(normalizeServerUrl(url)).host;
}

/** Options for {@linkcode parseHeader}. */
export interface ParseHeaderOptions {
  /** 1-based position among the `-H/--header` values, for messages. */
  position?: number;
}

/** Characters of an HTTP header name (RFC 9110 `token`). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Splits a `-H` value `Key: Value` at the first colon into a trimmed `[key, value]`
 * pair. The value may be a secret: no message shows it, nor text that is not a
 * valid header name (it may be a value typed without its colon).
 */
export function parseHeader(value: string, options: ParseHeaderOptions = {}): [string, string] {
  const where = options.position === undefined ? "--header" : `--header #${options.position}`;
  const colon = value.indexOf(":");
  const key = colon < 1 ? "" : value.slice(0, colon).trim();
  if (key === "") {
    throw usageError(
      `Invalid header in ${where}: expected "Key: Value" ` +
        "(the text given is not shown: it may hold a secret)",
    );
  }
  if (!isHeaderName(key)) {
    throw usageError(
      `Invalid header in ${where}: the text before the first ":" is not a header name ` +
        "(letters, digits and !#$%&'*+-.^_`|~ only; the text given is not shown: " +
        "it may hold a secret)",
    );
  }
  const headerValue = value.slice(colon + 1).trim();
  const problem = headerValueProblem(headerValue);
  if (problem) throw usageError(`Invalid value of header "${key}" in ${where}: ${problem}`);
  return [key, headerValue];
}

/** Whether `name` is a valid HTTP header name. */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

/**
 * Why `value` cannot be sent as an HTTP header value (fetch would refuse it,
 * quoting the value), or `undefined` when it can.
 */
export function headerValueProblem(value: string): string | undefined {
  if (/[\r\n\0]/.test(value)) return "it contains a line break (CR or LF) or a NUL character";
  if ([...value].some((char) => char.codePointAt(0)! > 0xff)) {
    return "it contains a character above U+00FF, which HTTP headers cannot carry";
  }
  return undefined;
}

function hasHost(candidate: string): boolean {
  const url = URL.parse(candidate);
  return url !== null && url.host !== "";
}

function defaultScheme(schemeless: string): string {
  const host = schemeless.split(/[:/]/, 1)[0].toLowerCase();
  return LOCAL_HOSTS.has(host) ? "http://" : "https://";
}

/** Starts like a path (`/ ~ ./ ../`, a Windows drive) or uses backslashes. */
function hasExplicitPathForm(value: string): boolean {
  return EXPLICIT_PATH_PREFIXES.some((prefix) => value.startsWith(prefix)) ||
    WINDOWS_DRIVE.test(value) || value.includes("\\");
}

function looksLikeFilePath(value: string): boolean {
  return hasExplicitPathForm(value) || value.includes("/") || CONFIG_EXTENSION.test(value);
}

/** `file:entry` when the part before the colon looks like a path; drive paths split at the last colon. */
function splitConfigEntry(arg: string): { file: string; entry: string } | null {
  const colon = WINDOWS_DRIVE.test(arg) ? arg.lastIndexOf(":") : arg.indexOf(":");
  if (colon < 1 || colon === arg.length - 1) return null;
  const file = arg.slice(0, colon);
  if (!looksLikeFilePath(file)) return null;
  return { file, entry: arg.slice(colon + 1) };
}
