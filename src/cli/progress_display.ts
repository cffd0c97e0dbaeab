/**
 * One line on stderr that shows a long request's progress: a bar with a
 * percentage when the server gives a total, otherwise a spinner with the
 * elapsed time; the latest message or task status after it. Redrawn at most
 * 10 times a second, cut to the terminal's width, erased on stop. Writes
 * nothing when disabled (stderr not a terminal, or `--json`).
 *
 * Plain ANSI (carriage return, erase line): the two sequences this needs do
 * not justify a terminal library in every CLI run.
 *
 * Layer: edge (writes to the terminal).
 * @module
 */

import { writeText } from "../platform/write_text.ts";
import { safeText } from "../render/safe_text.ts";
import { formatElapsed } from "../render/human/tasks.ts";

/** What the display shows next. */
export interface ProgressUpdate {
  progress?: number;
  total?: number;
  message?: string;
  /** A task status (`working`, `input_required`). */
  status?: string;
}

/** Options of {@linkcode createProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** What runs, e.g. `Running tool search`. */
  label: string;
  /** Shown at the end, e.g. `(Ctrl+C to detach)`. */
  hint?: string;
  /** Whether to draw at all. */
  enabled: boolean;
  /** Where to draw (default: stderr). */
  write?: (text: string) => void;
  /** Terminal width (default: stderr's, else 80). */
  columns?: () => number;
  /** Clock (ms). */
  now?: () => number;
  /** Redraw without waiting for the next tick (tests). */
  immediate?: boolean;
}

/** A running display. */
export interface ProgressDisplay {
  update(update: ProgressUpdate): void;
  /** Prints `line` above the display without garbling it. */
  log(line: string): void;
  /** Hides the display until {@linkcode ProgressDisplay.resume} (while asking a question). */
  pause(): void;
  resume(): void;
  /** Erases the display for good (idempotent). */
  stop(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** How long a request runs before the display appears (ms): a quick call shows nothing. */
export const FIRST_DRAW_DELAY_MS = 500;
/** Shortest time between two redraws (ms): at most 10 a second. */
export const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 20;
const ERASE_LINE = "\r\x1b[2K";

/** The text of the display line at `elapsedMs` (without escape codes), cut to `columns`. */
export function progressLine(
  label: string,
  state: ProgressUpdate,
  elapsedMs: number,
  frame: number,
  columns: number,
  hint?: string,
): string {
  const parts: string[] = [];
  label = oneLine(label);
  const total = state.total;
  if (state.progress !== undefined && total !== undefined && total > 0) {
    const ratio = Math.min(Math.max(state.progress / total, 0), 1);
    const filled = Math.round(ratio * BAR_WIDTH);
    parts.push(
      `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}%`,
    );
    parts.push(label, `(${formatElapsed(elapsedMs)})`);
  } else {
    parts.push(FRAMES[frame % FRAMES.length], label, `(${formatElapsed(elapsedMs)})`);
    if (state.progress !== undefined) parts.push(String(state.progress));
  }
  if (state.status) parts.push(state.status);
  if (state.message) parts.push(`- ${oneLine(state.message)}`);
  if (hint) parts.push(hint);
  const text = parts.join(" ");
  const chars = [...text];
  const room = Math.max(columns - 1, 10);
  return chars.length <= room ? text : `${chars.slice(0, room - 1).join("")}…`;
}

/** Starts a display; see {@linkcode ProgressDisplayOptions}. */
export function createProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const noop = () => {};
  if (!options.enabled) {
    const write = options.write ?? ((text: string) => writeStderr(text));
    return {
      update: noop,
      log: (line) => write(`${safeText(line)}\n`),
      pause: noop,
      resume: noop,
      stop: noop,
    };
  }
  const write = options.write ?? writeStderr;
  const now = options.now ?? Date.now;
  const columns = options.columns ?? stderrColumns;
  const started = now();
  let state: ProgressUpdate = {};
  let frame = 0;
  let shown = false;
  let paused = false;
  let stopped = false;
  let lastDraw = -Infinity;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const draw = () => {
    pending = undefined;
    if (stopped || paused) return;
    lastDraw = now();
    write(
      `${ERASE_LINE}${
        progressLine(options.label, state, lastDraw - started, frame++, columns(), options.hint)
      }`,
    );
    shown = true;
  };
  const erase = () => {
    if (shown) write(ERASE_LINE);
    shown = false;
  };
  const schedule = () => {
    if (stopped || paused || pending !== undefined) return;
    const wait = options.immediate
      ? 0
      : Math.max(0, lastDraw + REDRAW_INTERVAL_MS - now(), started + FIRST_DRAW_DELAY_MS - now());
    if (wait === 0 && options.immediate) return draw();
    pending = setTimeout(draw, wait);
  };
  // The spinner and the elapsed time move on their own.
  const ticker = options.immediate ? undefined : setInterval(schedule, 250);
  if (ticker !== undefined) Deno.unrefTimer(ticker);
  schedule();
  return {
    update: (update) => {
      state = {
        ...state,
        ...Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined)),
      };
      schedule();
    },
    log: (line) => {
      erase();
      write(`${safeText(line)}\n`);
      schedule();
    },
    pause: () => {
      paused = true;
      clearTimeout(pending);
      pending = undefined;
      erase();
    },
    resume: () => {
      paused = false;
      schedule();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(pending);
      clearInterval(ticker);
      erase();
    },
  };
}

function oneLine(text: string): string {
  return safeText(text).replace(/\s+/g, " ").trim();
}

function stderrColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

function writeStderr(text: string): void {
  writeText(Deno.stderr, text);
}
