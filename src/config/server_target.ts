/**
 * Reads the `<server>` argument of `connect` / `login` / `logout`: a URL, a
 * config file entry (`file:entry`) or a whole config file (reference.md §1.7),
 * plus URL normalisation and the `-H "Key: Value"` header flag (§2).
 *
 * Layer: pure.
 * @module
 */

import { usageError } from "../errors.ts";

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
  return `Invalid server: "${arg}"\n\n` +
    "Expected a URL (e.g. mcp.apify.com) or a config file entry " +
    "(e.g. ~/.vscode/mcp.json:filesystem)";
}

/**
 * Normalises a server URL: adds `http://` for localhost and `https://` otherwise,
 * requires http(s), drops credentials and fragment, and drops a bare trailing `/`.
 */
export function normalizeServerUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = trimmed.includes("://") ? trimmed : `${defaultScheme(trimmed)}${trimmed}`;
  const url = URL.parse(withScheme);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.port === "0") {
    throw usageError(`Invalid MCP server URL: ${input}`);
  }
  url.username = "";
  url.password = "";
  url.hash = "";
  const href = url.href;
  return url.pathname === "/" && url.search === "" ? href.slice(0, -1) : href;
}

/** The host of a server URL, with the port when it is not the default (`host` or `host:port`). */
export function getServerHost(url: string): string {
  return new URL(normalizeServerUrl(url)).host;
}

/** Splits a `-H` value `Key: Value` at the first colon into a trimmed `[key, value]` pair. */
export function parseHeader(value: string): [string, string] {
  const colon = value.indexOf(":");
  const key = colon < 1 ? "" : value.slice(0, colon).trim();
  if (key === "") throw usageError(`Invalid header format: ${value}. Use "Key: Value"`);
  return [key, value.slice(colon + 1).trim()];
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
