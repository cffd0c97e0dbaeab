/**
 * Which outbound proxy the environment gives a URL (`HTTP_PROXY`,
 * `HTTPS_PROXY`, `NO_PROXY`, in either case), as Deno's fetch applies them:
 * the route an HTTP client takes (with the proxy's credentials apart from its
 * address), and for messages the proxy's URL without its credentials.
 *
 * Layer: pure.
 * @module
 */

import { redactUrl } from "./redact_url.ts";

/** The proxy a URL's requests go through. */
export interface ProxyInUse {
  /** The variable that set it, e.g. `HTTPS_PROXY`. */
  variable: string;
  /** Its URL, without user name and password (query values redacted). */
  url: string;
}

/** The variables that choose a proxy, in the order they are looked up. */
export const PROXY_VARIABLES: readonly string[] = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
];

/** The proxy variables of `env` (the others left out). */
export function proxyVariables(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PROXY_VARIABLES) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** How an HTTP client reaches a URL through its proxy. */
export interface ProxyRoute {
  /** What messages may show of it. */
  shown: ProxyInUse;
  /** The proxy's URL without user name and password (`http://` added when it has no scheme). */
  address: string;
  /** Its user name and password, percent-decoded, when the URL has them. */
  credentials?: { username: string; password: string };
}

/** The proxy `target` goes through with the variables in `env`, or `undefined` (none, or bypassed). */
export function proxyFor(
  target: string,
  env: Readonly<Record<string, string | undefined>>,
): ProxyInUse | undefined {
  return proxyRouteFor(target, env)?.shown;
}

/** The route of {@linkcode proxyFor}, credentials included; `undefined` when the request goes direct. */
export function proxyRouteFor(
  target: string,
  env: Readonly<Record<string, string | undefined>>,
): ProxyRoute | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const names = url.protocol === "https:"
    ? ["HTTPS_PROXY", "https_proxy"]
    : ["HTTP_PROXY", "http_proxy"];
  const variable = names.find((name) => env[name]?.trim());
  if (variable === undefined) return undefined;
  if (bypassed(url, env.NO_PROXY ?? env.no_proxy ?? "")) return undefined;
  const raw = env[variable]!.trim();
  let proxy: URL;
  try {
    proxy = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    // Left to the HTTP client, which refuses it with its own error.
    return { shown: { variable, url: "(an invalid proxy URL)" }, address: raw };
  }
  const credentials = proxy.username || proxy.password
    ? { username: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) }
    : undefined;
  proxy.username = "";
  proxy.password = "";
  const address = proxy.toString().replace(/\/$/, "");
  return {
    shown: { variable, url: redactUrl(address) },
    address,
    ...(credentials ? { credentials } : {}),
  };
}

/** Whether `NO_PROXY` (`*`, hosts, `.domain` suffixes, `host:port`) exempts `url`. */
function bypassed(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    // `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (several colons).
    const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
    const colons = entry.split(":").length - 1;
    const [name, entryPort] = bracketed
      ? [bracketed[1], bracketed[2]]
      : colons === 1 && /:\d+$/.test(entry)
      ? entry.split(":")
      : [entry, undefined];
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*?\./, "");
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}
