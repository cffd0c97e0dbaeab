/**
 * Terminal colours for human output. Renderers receive a {@linkcode Theme}
 * and never decide on colour themselves; the edge picks `createTheme(true)`
 * or `createTheme(false)` (no TTY, `NO_COLOR`).
 *
 * Layer: pure.
 * @module
 */

/** The styles human renderers may apply; each wraps a string. */
export interface Theme {
  /** Whether the styles change the text (false: every style returns its input). */
  readonly colors: boolean;
  /** Section titles. */
  bold: (s: string) => string;
  /** Secondary text (hints, notes, time-ago). */
  dim: (s: string) => string;
  /** Errors and destructive hints. */
  red: (s: string) => string;
  /** Success. */
  green: (s: string) => string;
  /** Warnings and transient states. */
  yellow: (s: string) => string;
  /** Information and names. */
  cyan: (s: string) => string;
  /** Code-ish items in backticks. */
  grey: (s: string) => string;
  /** Headings that need extra weight. */
  boldUnderline: (s: string) => string;
}

const ESC = "\u001b";
const ANSI_PATTERN = new RegExp(`${ESC}\\[[0-9;]*m`, "g");

/** Options for {@linkcode createTheme}. */
export interface ThemeOptions {
  /**
   * Writes one SGR code (default: the ANSI sequence `ESC [ <code> m`); a
   * placeholder here lets text be sanitized before the real codes go in.
   */
  sgr?: (code: number) => string;
}

function ansiSgr(code: number): string {
  return `${ESC}[${code}m`;
}

/** Builds a style from SGR codes; re-opens the style after any nested close, like chalk. */
function style(
  open: number,
  close: number,
  sgr: (code: number) => string,
): (s: string) => string {
  const openCode = sgr(open);
  const closeCode = sgr(close);
  return (s: string) => {
    if (s === "") return s;
    return openCode + s.replaceAll(closeCode, closeCode + openCode) + closeCode;
  };
}

function identity(s: string): string {
  return s;
}

/** Returns a theme that styles text with SGR codes when `colors` is true, else leaves it as is. */
export function createTheme(colors: boolean, options: ThemeOptions = {}): Theme {
  if (!colors) {
    return {
      colors: false,
      bold: identity,
      dim: identity,
      red: identity,
      green: identity,
      yellow: identity,
      cyan: identity,
      grey: identity,
      boldUnderline: identity,
    };
  }
  const sgr = options.sgr ?? ansiSgr;
  const bold = style(1, 22, sgr);
  const underline = style(4, 24, sgr);
  return {
    colors: true,
    bold,
    dim: style(2, 22, sgr),
    red: style(31, 39, sgr),
    green: style(32, 39, sgr),
    yellow: style(33, 39, sgr),
    cyan: style(36, 39, sgr),
    grey: style(90, 39, sgr),
    boldUnderline: (s: string) => bold(underline(s)),
  };
}

/** Removes ANSI colour/style escape sequences from `s`. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI_PATTERN, "");
}
