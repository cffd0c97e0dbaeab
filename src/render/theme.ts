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

/** Builds a style from SGR codes; re-opens the style after any nested close, like chalk. */
function style(open: number, close: number): (s: string) => string {
  const openCode = `${ESC}[${open}m`;
  const closeCode = `${ESC}[${close}m`;
  return (s: string) => {
    if (s === "") return s;
    return openCode + s.replaceAll(closeCode, closeCode + openCode) + closeCode;
  };
}

function identity(s: string): string {
  return s;
}

/** Returns a theme that emits ANSI escape codes when `colors` is true, else leaves text as is. */
export function createTheme(colors: boolean): Theme {
  if (!colors) {
    return {
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
  const bold = style(1, 22);
  const underline = style(4, 24);
  return {
    bold,
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
    grey: style(90, 39),
    boldUnderline: (s: string) => bold(underline(s)),
  };
}

/** Removes ANSI colour/style escape sequences from `s`. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI_PATTERN, "");
}
