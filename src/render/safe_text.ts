/**
 * Makes text that came from elsewhere (a server, a config file, the command
 * line) safe to print on a terminal: nothing in it can move the cursor, clear
 * the screen, set the window title, open a hyperlink, ring the bell, overwrite
 * a line or reorder what is shown (decisions.md §3.21).
 *
 * Complete escape sequences are removed; every other control character, and
 * every bidi override or isolate, is shown as a visible escape (`\x07`,
 * `\u202E`). Newline and tab stay; CRLF becomes LF.
 *
 * Layer: pure.
 * @module
 */

/** A character that is neither printed as is nor part of a complete escape sequence. */
const UNSAFE_CHAR =
  "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]";

/** Body of an OSC, DCS, SOS, PM or APC string: anything but a control character. */
const STRING_BODY = "[^\\x00-\\x1f\\x7f-\\x9f]*";

/**
 * One match per thing to replace, in order of precedence: CRLF, a CSI
 * sequence (`ESC [` or 8-bit `\x9b`, parameters, intermediates, final byte),
 * a control string (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _` or their
 * 8-bit forms, ended by BEL or ST), any other escape sequence (`ESC`,
 * intermediates, final byte; the string introducers are left out so an
 * unterminated string shows its `ESC`), and finally a lone unsafe character.
 */
const PATTERN = new RegExp(
  [
    "\\r\\n",
    "(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]",
    `(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])${STRING_BODY}(?:\\x07|\\x1b\\\\|\\x9c)`,
    "\\x1b(?:[\\x20-\\x2f]+[\\x30-\\x7e]|[\\x30-\\x4f\\x51-\\x57\\x59-\\x5a\\x5c\\x60-\\x7e])",
    UNSAFE_CHAR,
  ].join("|"),
  "g",
);

const HAS_UNSAFE = new RegExp(UNSAFE_CHAR);

/** The visible form of one unsafe character: `\x1B` for C0/C1 controls and DEL, `\u202E` for the rest. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  const hex = code.toString(16).toUpperCase();
  return code <= 0xff ? `\\x${hex.padStart(2, "0")}` : `\\u${hex.padStart(4, "0")}`;
}

function replacement(match: string): string {
  if (match === "\r\n") return "\n";
  return match.length === 1 ? visible(match) : "";
}

/** Returns `text` with escape sequences removed and other control and bidi characters escaped. */
export function safeText(text: string): string {
  if (!HAS_UNSAFE.test(text)) return text;
  return text.replace(PATTERN, replacement);
}
