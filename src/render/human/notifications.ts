/**
 * Human output of a session's server notifications as the bridge remembers
 * them (`mcpc @s notifications`), and the `Notifications:` section of the
 * server details view. Every notification takes exactly one line.
 *
 * Layer: pure.
 * @module
 */

import type { NotificationEntry } from "../../bridge/protocol.ts";
import type { Theme } from "../theme.ts";
import { formatTimeAgo } from "../time_ago.ts";

/** Options for {@linkcode renderNotifications}. */
export interface NotificationsOptions {
  sessionName: string;
  theme: Theme;
}

/** When a session last saw each kind of change, by kind (`tools`, `resources`, `prompts`). */
export type NotificationSummary = Record<
  string,
  { listChangedAt?: string; updatedAt?: string; updatedUri?: string }
>;

const LIST_CHANGED = new Map([
  ["notifications/tools/list_changed", "tools list changed"],
  ["notifications/resources/list_changed", "resources list changed"],
  ["notifications/prompts/list_changed", "prompts list changed"],
]);

const SEVERE_LEVELS = new Set(["error", "critical", "alert", "emergency"]);

/** `text` on one line: each line break (CR, LF, CRLF, U+2028, U+2029) becomes `⏎`. */
function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n|\u2028|\u2029/g, "⏎");
}

/** A value as it appears in a line: a string as is, anything else as compact JSON. */
function inline(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}

function styleLevel(level: string, theme: Theme): string {
  const tag = `[${level}]`;
  if (SEVERE_LEVELS.has(level)) return theme.red(tag);
  if (level === "warning") return theme.yellow(tag);
  if (level === "debug") return theme.dim(tag);
  return tag;
}

/** `[<level>] <logger>: <data>` of a `notifications/message` (parts the server left out are skipped). */
function logMessage(params: Record<string, unknown>, theme: Theme): string {
  const parts: string[] = [];
  if (params.level !== undefined) parts.push(styleLevel(oneLine(inline(params.level)), theme));
  if (params.logger !== undefined) parts.push(`${oneLine(inline(params.logger))}:`);
  if (params.data !== undefined) parts.push(oneLine(inline(params.data)));
  return parts.length === 0 ? "log message" : parts.join(" ");
}

/** `progress <progress>[/<total>][ <message>]` of a `notifications/progress`. */
function progress(params: Record<string, unknown>): string {
  let text = "progress";
  if (params.progress !== undefined) text += ` ${inline(params.progress)}`;
  if (params.total !== undefined) text += `/${inline(params.total)}`;
  if (params.message !== undefined && params.message !== "") text += ` ${inline(params.message)}`;
  return oneLine(text);
}

/** What a notification says, without its time. */
function describe(entry: NotificationEntry, theme: Theme): string {
  const params = entry.params ?? {};
  const listChanged = LIST_CHANGED.get(entry.method);
  if (listChanged) return listChanged;
  switch (entry.method) {
    case "notifications/resources/updated":
      return params.uri === undefined
        ? "resource updated"
        : oneLine(`resource updated: ${inline(params.uri)}`);
    case "notifications/message":
      return logMessage(params, theme);
    case "notifications/progress":
      return progress(params);
    default:
      return oneLine(
        entry.params === undefined ? entry.method : `${entry.method} ${inline(entry.params)}`,
      );
  }
}

/** One notification on one line: its ISO time (dim), then what it says. */
export function renderNotificationLine(entry: NotificationEntry, theme: Theme): string {
  return `${theme.dim(oneLine(entry.at))} ${describe(entry, theme)}`;
}

/** Sort key of an entry: its time in ms, entries with an unreadable time first. */
function timeOf(entry: NotificationEntry): number {
  const ms = Date.parse(entry.at);
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** `mcpc @s notifications`: `Notifications (N):` and a line per entry, oldest first. */
export function renderNotifications(
  entries: readonly NotificationEntry[],
  options: NotificationsOptions,
): string {
  const { sessionName, theme } = options;
  if (entries.length === 0) {
    const follow = theme.grey(`\`mcpc ${sessionName} notifications --follow\``);
    return ["No notifications received yet.", `Follow new ones with ${follow}`].join("\n");
  }
  const sorted = [...entries].sort((a, b) => timeOf(a) - timeOf(b));
  return [
    theme.bold(`Notifications (${entries.length}):`),
    ...sorted.map((entry) => `  ${renderNotificationLine(entry, theme)}`),
  ].join("\n");
}

const SUMMARY_KINDS = ["tools", "resources", "prompts"];

/** `<time ago> (<ISO>)`, or just the ISO text when it is not a readable time. */
function when(iso: string, now: number, theme: Theme): string {
  const ms = Date.parse(iso);
  const text = Number.isNaN(ms) ? `(${iso})` : `${formatTimeAgo(ms, now)} (${iso})`;
  return theme.dim(oneLine(text));
}

/**
 * The `Notifications:` section of the server details view: when the tools,
 * resources and prompts lists last changed and when a resource was last
 * updated; "" when nothing was recorded.
 */
export function renderLastNotifications(
  summary: NotificationSummary | undefined,
  now: number,
  theme: Theme,
): string {
  const lines: string[] = [];
  for (const kind of SUMMARY_KINDS) {
    const record = summary?.[kind];
    if (typeof record?.listChangedAt === "string") {
      lines.push(`* ${kind} list changed ${when(record.listChangedAt, now, theme)}`);
    }
    if (typeof record?.updatedAt === "string") {
      const uri = typeof record.updatedUri === "string"
        ? ` ${theme.grey(`\`${oneLine(record.updatedUri)}\``)}`
        : "";
      lines.push(`* ${kind} updated${uri} ${when(record.updatedAt, now, theme)}`);
    }
  }
  if (lines.length === 0) return "";
  return [theme.bold("Notifications:"), ...lines].join("\n");
}
