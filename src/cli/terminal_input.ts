/**
 * The terminal's keyboard, shared by everything that reads it in one run:
 * form prompts read lines, and a `--task` wait watches for a lone Esc key.
 * One reader pumps stdin; while keys are watched the terminal is in cbreak
 * mode (keys arrive at once, unechoed; Ctrl+C still raises SIGINT), and
 * reading a line switches back to line mode for its duration.
 *
 * Layer: edge (Deno.stdin).
 * @module
 */

/** The input of one key watch: called once, on a lone Esc. */
export type EscapeHandler = () => void;

let buffered = "";
let ended = false;
/** The loop reading stdin, once started. */
let pumping: Promise<void> | undefined;
let onEscape: EscapeHandler | undefined;
/** Line reads in progress (cbreak mode is off while any runs). */
let readingLines = 0;
/** Wake the line readers that wait for more input. */
const wakers = new Set<() => void>();

function wakeAll(): void {
  for (const wake of [...wakers]) wake();
}

function setCbreak(on: boolean): void {
  try {
    Deno.stdin.setRaw(on, { cbreak: true });
  } catch {
    // Not a terminal (or it went away): nothing to switch.
  }
}

/** Starts reading stdin (once per run). */
function pump(): void {
  pumping ??= (async () => {
    const stream = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
    try {
      while (true) {
        const { value, done } = await stream.read();
        if (done) break;
        // A key watch sees each chunk as typed: a lone Esc (arrow keys start with Esc too,
        // but come with more in the same chunk).
        if (readingLines === 0 && onEscape) {
          if (value === "\x1b") {
            const handler = onEscape;
            onEscape = undefined;
            handler();
          }
          continue;
        }
        buffered += value;
        wakeAll();
      }
    } catch {
      // stdin failed: treated as its end.
    }
    ended = true;
    wakeAll();
  })();
}

/**
 * Watches for a lone Esc while the returned function is not called: `handler`
 * runs once when it is pressed. Other keys are dropped. Only for a run whose
 * stdin is a terminal.
 */
export function watchEscape(handler: EscapeHandler): () => void {
  onEscape = handler;
  if (readingLines === 0) setCbreak(true);
  const unguard = restoreOnSignals();
  pump();
  return () => {
    unguard();
    if (onEscape === handler) onEscape = undefined;
    if (readingLines === 0) setCbreak(false);
  };
}

/** Signals that end a run, with the exit code a shell reports for each (128 + its number). */
const ENDING_SIGNALS: readonly [Deno.Signal, number][] = [
  ["SIGTERM", 143],
  ["SIGHUP", 129],
  ["SIGQUIT", 131],
];

/**
 * While keys are watched, a signal that ends the run first gives the
 * terminal its line mode back (a killed mcpc would leave the shell without
 * echo), then exits as the signal would. Returns the function that stops this.
 */
function restoreOnSignals(): () => void {
  if (Deno.build.os === "windows") return () => {};
  const removers = ENDING_SIGNALS.map(([signal, code]) => {
    const listener = () => {
      setCbreak(false);
      Deno.exit(code);
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  return () => {
    for (const remove of removers) remove();
  };
}

/** The next line typed (without its end); `null` at the end of input. */
export async function readTerminalLine(): Promise<string | null> {
  readingLines++;
  if (readingLines === 1 && onEscape) setCbreak(false);
  try {
    pump();
    while (true) {
      const newline = buffered.indexOf("\n");
      if (newline >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, "");
        buffered = buffered.slice(newline + 1);
        return line;
      }
      if (ended) {
        const last = buffered;
        buffered = "";
        return last === "" ? null : last;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          wakers.delete(wake);
          resolve();
        };
        wakers.add(wake);
      });
    }
  } finally {
    readingLines--;
    if (readingLines === 0 && onEscape) setCbreak(true);
  }
}
