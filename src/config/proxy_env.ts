/**
 * Which outbound proxy the environment gives a URL (`HTTP_PROXY`,
 * `HTTPS_PROXY`, `NO_PROXY`, in either case), as Deno's fetch applies them:
 * for messages that must name the proxy a request went through. The proxy's
 * URL is shown without its credentials.
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

/** The proxy `target` goes through with the variables in `env`, or `undefined` (none, or bypassed). */
export function proxyFor(
  target: string,
  env: Readonly<Record<string, string | undefined>>,
): ProxyInUse | undefined {
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
  return { variable, url: withoutCredentials(env[variable]!.trim()) };
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

function withoutCredentials(proxy: string): string {
  try {
    const url = new URL(proxy.includes("://") ? proxy : `http://${proxy}`);
    url.username = "";
    url.password = "";
    return redactUrl(url.toString().replace(/\/$/, ""));
  } catch {
    return "(an invalid proxy URL)";
  }
}
