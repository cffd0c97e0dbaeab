/**
 * The address `connect --proxy [host:]port` serves a session on, as typed
 * and as shown (`127.0.0.1:8080`, `[::1]:8080`).
 *
 * Layer: pure.
 * @module
 */

/** Where a session's proxy MCP server listens. */
export interface ProxyAddress {
  /** The interface: a name or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

/** The interface a proxy listens on when `--proxy` names only a port. */
export const DEFAULT_PROXY_HOST = "127.0.0.1";

/**
 * Parses `--proxy`: `port`, `host:port` or `[v6]:port` (split at the last
 * colon). Throws `TypeError` with the message to show.
 */
export function parseProxyAddress(text: string): ProxyAddress {
  const colon = text.lastIndexOf(":");
  const portText = colon === -1 ? text : text.slice(colon + 1);
  let host = colon === -1 ? DEFAULT_PROXY_HOST : text.slice(0, colon).trim();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  else if (host.includes(":")) {
    throw new TypeError(
      `Invalid --proxy format: "${text}". Put an IPv6 address in brackets, e.g. [::1]:8080`,
    );
  }
  if (host === "") throw new TypeError(`Invalid --proxy format: "${text}". Host cannot be empty.`);
  const port = /^\d{1,5}$/.test(portText.trim()) ? Number(portText.trim()) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new TypeError(
      `Invalid --proxy port: "${portText}". Must be a number between 1 and 65535.`,
    );
  }
  return { host, port };
}

/** `host:port`, an IPv6 host in brackets. */
export function formatProxyAddress(address: ProxyAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}

/** What `connect` and the bridge say when the proxy's port cannot be bound. */
export function portInUseMessage(address: ProxyAddress): string {
  return `Port ${address.port} is already in use on ${address.host}. ` +
    "Choose a different port with --proxy [host:]port";
}

/** Whether the two name the same address. */
export function sameProxyAddress(
  a: ProxyAddress | undefined,
  b: ProxyAddress | undefined,
): boolean {
  return a?.host === b?.host && a?.port === b?.port;
}
