/**
 * Human output of `mcpc` (the session and profile listing) and the
 * `@name → target` session line printed before every session command.
 *
 * Layer: pure.
 * @module
 */

import type { DisplayStatus, ServerConfig, SessionRecord } from "../../session/session.ts";
import { STALE_LIVE_MS } from "../../session/status.ts";
import type { Theme } from "../theme.ts";
import { formatTimeAgo } from "../time_ago.ts";
import { loginCommand } from "../../auth/profile_store.ts";
import { reconnectWithTokenCommand } from "../hints.ts";
import { formatProxyAddress, type ProxyAddress } from "../../session/proxy_address.ts";

/** The fields of a session record that the session line shows. */
export interface SessionLineRecord {
  name: string;
  server?: ServerConfig;
  profileName?: string;
  proxy?: ProxyAddress;
}

/** One row of the session listing. */
export interface SessionListEntry {
  record: SessionRecord;
  status: DisplayStatus;
  /** For a `crashed` session: retrying `now`, or when the next automatic retry may start (ms). */
  retry?: "now" | number;
}

/** The fields of a saved OAuth profile that the listing shows. */
export interface ProfileSummary {
  /** Profile name (`default`, `work`, ...). */
  name: string;
  /** Server URL the profile logged in to; its host (non-default port) and path head the line. */
  serverUrl: string;
  userEmail?: string;
  userName?: string;
  /** ISO time the profile was created. */
  createdAt: string;
  /** ISO time of the last interactive login. */
  authenticatedAt?: string;
  /** ISO time the tokens were last refreshed. */
  refreshedAt?: string;
}

/** Options for {@linkcode renderSessionList}. */
export interface SessionListOptions {
  theme: Theme;
  /** Current time in ms, for the time-ago suffixes. */
  now: number;
}

const TARGET_LIMIT = 83;
const TARGET_KEEP = 80;

/** The server of a session as shown to users: its URL, or `command args...` for stdio. */
export function sessionTarget(server: ServerConfig | undefined): string {
  if (server?.url) return server.url;
  if (server?.command) return [server.command, ...(server.args ?? [])].join(" ");
  return "";
}

/** `@name → target (OAuth: p) [proxy: host:port]`; long targets are cut to 80 chars plus `…`. */
export function sessionLine(record: SessionLineRecord, theme: Theme): string {
  let target = sessionTarget(record.server);
  if (target.length > TARGET_LIMIT) target = `${target.slice(0, TARGET_KEEP)}…`;
  let line = `${theme.cyan(record.name)} → ${target}`;
  if (record.server?.url && record.profileName) {
    line += ` ${theme.dim(`(OAuth: ${record.profileName})`)}`;
  }
  if (record.proxy) line += ` ${theme.dim(`[proxy: ${formatProxyAddress(record.proxy)}]`)}`;
  return line;
}

/** `● live` / `○ crashed`, coloured by how usable the session is. */
export function statusBadge(status: DisplayStatus, theme: Theme): string {
  switch (status) {
    case "live":
      return theme.green(`● ${status}`);
    case "connecting":
    case "reconnecting":
    case "disconnected":
      return theme.yellow(`● ${status}`);
    case "crashed":
      return theme.yellow(`○ ${status}`);
    case "unauthorized":
    case "expired":
      return theme.red(`○ ${status}`);
  }
}

function recoveryHint(entry: SessionListEntry): string | undefined {
  const name = entry.record.name;
  if (entry.status === "unauthorized") {
    const url = entry.record.server?.url;
    const profile = entry.record.profileName;
    if (profile && url) {
      return loginCommand(url, profile);
    }
    return reconnectWithTokenCommand(entry.record);
  }
  if (entry.status === "expired") return `mcpc ${name} restart`;
  if (entry.status === "crashed") return `mcpc ${name}`;
  return undefined;
}

/** `retrying now` or `retry in 40 s` (`retry in 3 min`) for a crashed session. */
function retrySuffix(entry: SessionListEntry, now: number): string | undefined {
  if (entry.retry === undefined) return undefined;
  if (entry.retry === "now") return "retrying now";
  if (entry.retry <= now) return "retry pending";
  const seconds = Math.ceil((entry.retry - now) / 1000);
  return seconds < 120 ? `retry in ${seconds} s` : `retry in ${Math.round(seconds / 60)} min`;
}

function timeAgoSuffix(entry: SessionListEntry, now: number): string | undefined {
  const lastSeen = entry.record.lastSeenAt ? Date.parse(entry.record.lastSeenAt) : NaN;
  if (Number.isNaN(lastSeen)) return undefined;
  if (entry.status === "live" && now - lastSeen <= STALE_LIVE_MS) return undefined;
  return formatTimeAgo(lastSeen, now);
}

function renderSessions(
  entries: readonly SessionListEntry[],
  options: SessionListOptions,
): string[] {
  const { theme, now } = options;
  if (entries.length === 0) {
    return [
      "No active MCP sessions.",
      theme.dim("  ↳ run: mcpc connect mcp.example.com @test"),
    ];
  }
  const lines = [theme.bold("MCP sessions:")];
  for (const entry of entries) {
    let line = `  ${sessionLine(entry.record, theme)} ${statusBadge(entry.status, theme)}`;
    const retry = retrySuffix(entry, now);
    if (retry) line += theme.dim(`, ${retry}`);
    const ago = timeAgoSuffix(entry, now);
    if (ago) line += theme.dim(`, ${retry ? "last seen " : ""}${ago}`);
    lines.push(line);
    const hint = recoveryHint(entry);
    if (hint) lines.push(theme.dim(`    ↳ run: ${hint}`));
  }
  return lines;
}

/** `host[:port]/path` of a profile's server (profiles are per endpoint, not per host). */
function profileServer(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    return `${url.host}${url.pathname.replace(/\/+$/, "")}` || serverUrl;
  } catch {
    return serverUrl;
  }
}

function renderProfiles(
  profiles: readonly ProfileSummary[],
  options: SessionListOptions,
): string[] {
  const { theme, now } = options;
  if (profiles.length === 0) return ["No OAuth profiles."];
  const lines = [theme.bold("Saved OAuth profiles:")];
  for (const profile of profiles) {
    let line = `  ${profileServer(profile.serverUrl)} / ${theme.cyan(profile.name)}`;
    const user = profile.userEmail ?? profile.userName;
    if (user) line += ` (${user})`;
    const times: [string, string | undefined][] = [
      [
        "logged in",
        profile.authenticatedAt ?? (profile.refreshedAt ? undefined : profile.createdAt),
      ],
      ["refreshed", profile.refreshedAt],
    ];
    for (const [verb, when] of times) {
      const whenMs = Date.parse(when ?? "");
      if (!Number.isNaN(whenMs)) line += theme.dim(`, ${verb} ${formatTimeAgo(whenMs, now)}`);
    }
    lines.push(line);
  }
  return lines;
}

/** The `mcpc` listing: MCP sessions with status dots and hints, then saved OAuth profiles. */
export function renderSessionList(
  entries: readonly SessionListEntry[],
  profiles: readonly ProfileSummary[],
  options: SessionListOptions,
): string {
  return [...renderSessions(entries, options), "", ...renderProfiles(profiles, options)].join("\n");
}
