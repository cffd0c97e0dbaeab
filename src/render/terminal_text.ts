/**
 * Human output as it reaches the terminal: mcpc's own styles survive, and
 * nothing else in the text (a server's tool result, a name from the command
 * line) can drive the terminal, not even to change a colour.
 *
 * The text is rendered with placeholders for the styles, sanitized as a whole
 * with {@linkcode safeText}, and only then are the placeholders turned into
 * ANSI codes. A placeholder carries a random token the rendered data cannot
 * know, so the data cannot forge one.
 *
 * Layer: pure.
 * @module
 */

import { safeText } from "./safe_text.ts";
import { createTheme, type Theme } from "./theme.ts";

/** Options for {@linkcode renderForTerminal}. */
export interface TerminalTextOptions {
  /** Whether mcpc's styles become ANSI codes (false: plain text). */
  colors: boolean;
  /** A fresh random token of at least 16 hex digits, unknown to whoever supplied the data. */
  nonce: string;
}

/** Noncharacters (reserved for internal use) around each placeholder. */
const OPEN = "\uFDD0";
const CLOSE = "\uFDD1";

/** Renders `render`'s text safe for a terminal, styled with ANSI codes when `options.colors`. */
export function renderForTerminal(
  render: (theme: Theme) => string,
  options: TerminalTextOptions,
): string {
  if (!options.colors) return safeText(render(createTheme(false)));
  if (!/^[0-9a-f]{16,}$/i.test(options.nonce)) {
    throw new RangeError(
      `Cannot mark styles with nonce "${options.nonce}": it must be at least 16 hex digits`,
    );
  }
  const prefix = `${OPEN}${options.nonce}:`;
  const theme = createTheme(true, { sgr: (code) => `${prefix}${code}${CLOSE}` });
  const placeholder = new RegExp(`${prefix}(\\d+)${CLOSE}`, "g");
  return safeText(render(theme)).replace(placeholder, "\u001b[$1m");
}
