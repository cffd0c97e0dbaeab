/**
 * Small human-mode outputs: ping, close, restart, the `--max-chars` cut and the
 * four-backtick fence that wraps multi-line blocks.
 *
 * Layer: pure.
 * @module
 */

import type { Theme } from "../theme.ts";

/** The fence line around multi-line blocks (four backticks). */
export const FENCE = "````";

/** Wraps `text` between two four-backtick lines. */
export function fence(text: string): string {
  return `${FENCE}\n${text}\n${FENCE}`;
}

/** `✓ Ping successful (<ms>ms)`. */
export function renderPing(durationMs: number, theme: Theme): string {
  return theme.green(`✓ Ping successful (${Math.round(durationMs)}ms)`);
}

/** `✓ Session @x closed successfully`. */
export function renderClosed(name: string, theme: Theme): string {
  return theme.green(`✓ Session ${name} closed successfully`);
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
  const kept = text.slice(0, maxChars);
  const fences = kept.split("\n").filter((line) => line === FENCE).length;
  const closed = fences % 2 === 1 ? `${kept}\n${FENCE}` : kept;
  return `${closed}\n\n... output truncated (${size} total, ` +
    `showing first ${maxChars} chars). Use --max-chars to adjust.`;
}
