/**
 * Small human-mode outputs: ping, close, restart, logging-set-level, the
 * `--max-chars` cut, the four-backtick fence that wraps multi-line blocks and
 * the one-line summary of a description.
 *
 * Layer: pure.
 * @module
 */

import type { Theme } from "../theme.ts";

/** The fence line around multi-line blocks (four backticks). */
export const FENCE = "````";

/**
 * Wraps `text` between two fence lines: four backticks, or one more than the
 * longest run of backticks that starts a line of `text`, so text that holds a
 * fence of its own cannot close the block early.
 */
export function fence(text: string): string {
  const longest = Math.max(
    0,
    ...[...text.matchAll(/^ *(`{4,})/gm)].map((match) => match[1].length),
  );
  const marker = "`".repeat(Math.max(FENCE.length, longest + 1));
  return `${marker}\n${text}\n${marker}`;
}

/** The fence line still open at the end of `text`, if any (fences of four or more backticks). */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const line of text.split("\n")) {
    const marker = line.match(/^(`{4,})\s*$/)?.[1];
    if (marker === undefined) continue;
    if (open === undefined) open = marker;
    else if (marker.length >= open.length) open = undefined;
  }
  return open;
}

/** The longest {@linkcode summaryLine} by default. */
export const SUMMARY_MAX_CHARS = 120;

/** The first line of `text` (trimmed) for a one-line listing, cut to `maxChars` characters ending in `…`. */
export function summaryLine(text: string, maxChars: number = SUMMARY_MAX_CHARS): string {
  const first = text.trim().split(/\r\n|\r|\n|\u2028|\u2029/)[0].trimEnd();
  const chars = [...first];
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join("")}…` : first;
}

/** `✓ Ping successful (<ms>ms)`. */
export function renderPing(durationMs: number, theme: Theme): string {
  return theme.green(`✓ Ping successful (${Math.round(durationMs)}ms)`);
}

/** `✓ Session @x closed successfully`. */
export function renderClosed(name: string, theme: Theme): string {
  return theme.green(`✓ Session ${name} closed successfully`);
}

/** `✓ Server log level set to: <level>`. */
export function renderLogLevelSet(level: string, theme: Theme): string {
  return theme.green(`✓ Server log level set to: ${level}`);
}

/** `Restarting session @x...`, printed before the bridge is restarted. */
export function renderRestarting(name: string): string {
  return `Restarting session ${name}...`;
}

/** `✓ Session @x restarted` and the note that the server-side state was lost. */
export function renderRestarted(name: string, theme: Theme): string {
  return [
    theme.green(`✓ Session ${name} restarted`),
    theme.dim(
      "Note: previous session state was lost (e.g. added tools, resource subscriptions, async tasks)",
    ),
  ].join("\n");
}

/**
 * Cuts `text` to `maxChars` and appends the `... output truncated (...)`
 * notice (reference §3.1). A cut inside a fenced block closes the fence, so
 * the output stays valid Markdown.
 */
export function truncateOutput(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const size = text.length >= 1024
    ? `${(text.length / 1024).toFixed(1)}KB`
    : `${text.length} chars`;
  // A cut inside a fence line leaves a few backticks: drop them, they close nothing.
  const kept = text.slice(0, maxChars).replace(/\n`+$/, "");
  const open = openFence(kept);
  const closed = open === undefined ? kept : `${kept}\n${open}`;
  return `${closed}\n\n... output truncated (${size} total, ` +
    `showing first ${maxChars} chars). Use --max-chars to adjust.`;
}

/** The prefix of `_meta` keys the protocol reserves (server info, related task, ...). */
const RESERVED_META_PREFIX = "io.modelcontextprotocol/";

/**
 * A result's `_meta` as a `Metadata:` section, without the keys the protocol
 * itself stamps (2026-07-28 servers add their server info to every result);
 * `undefined` when nothing is left. `--json` keeps the whole `_meta`.
 */
export function renderMetadata(meta: unknown, theme: Theme): string | undefined {
  if (meta === undefined || meta === null) return undefined;
  let shown = meta;
  if (typeof meta === "object" && !Array.isArray(meta)) {
    shown = Object.fromEntries(
      Object.entries(meta).filter(([key]) => !key.startsWith(RESERVED_META_PREFIX)),
    );
    if (Object.keys(shown as object).length === 0) return undefined;
  }
  return `${theme.bold("Metadata:")}\n${fence(JSON.stringify(shown, null, 2))}`;
}
