/**
 * What a CLI shows and answers while one request runs: the server's progress
 * (a display on a terminal's stderr, `--verbose` lines otherwise), its
 * questions (asked on a terminal, answered from `--input`, or declined or
 * cancelled as `--on-input` says, with a note) and the changes of the task
 * made for the request.
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { usageError } from "../errors.ts";
import type { ElicitRequestParams, ElicitResult, Task } from "../mcp/types.ts";
import { summaryLine } from "../render/human/misc.ts";
import { taskStatusLine } from "../render/human/tasks.ts";
import type { RequestHooks } from "./session_commands.ts";
import { createProgressDisplay } from "../cli/progress_display.ts";
import {
  answerFromJson,
  askForm,
  askUrl,
  type FormSchema,
  terminalIo,
} from "../cli/elicitation_form.ts";
import { openBrowser } from "../auth/browser.ts";

/** What to do with the server's questions (`--input`, `--input-file`, `--on-input`). */
export interface InputFlags {
  /** The answer to the first form the server sends (parsed `--input` / `--input-file`). */
  answer?: Record<string, unknown>;
  /** What to do with a question no one can answer here (default `decline`). */
  otherwise?: "decline" | "cancel";
}

/** The values `--on-input` takes. */
export const ON_INPUT_ACTIONS = ["decline", "cancel"] as const;

/** One running request's activity. */
export interface Activity {
  /** The hooks to pass with the request. */
  hooks: RequestHooks;
  /** The last task seen for the request, if one was made. */
  readonly task: Task | undefined;
  /** Prints a line above the display (a note or warning arriving mid-call). */
  note(line: string): void;
  /** Ends the display (idempotent). */
  stop(): void;
}

/** Options of {@linkcode startActivity}. */
export interface ActivityOptions {
  /** What runs, e.g. `Running tool search`. */
  label: string;
  /** How the server's questions are answered. */
  input?: InputFlags;
  /** Shown at the end of the progress line, e.g. `(Ctrl+C to detach)`. */
  hint?: string;
  /** Called with each task change (after the display is updated). */
  onTask?: (task: Task) => void;
}

/** Starts the activity of a request about to be sent. */
export function startActivity(ctx: AppContext, options: ActivityOptions): Activity {
  let task: Task | undefined;
  let answeredFirstForm = false;
  const debug = (message: string) => ctx.debug(message);
  // A person watches stderr: show progress there (never in --json runs, which scripts read).
  const display = createProgressDisplay({
    label: options.label,
    hint: options.hint,
    enabled: ctx.stderrIsTerminal && !ctx.output.json,
  });
  // Ctrl+C exits from the signal handler, past the command's own stop(): erase the line first.
  const release = ctx.onInterrupt(() => display.stop());
  // Questions are asked only where someone can answer: stdin and stderr both terminals.
  const interactive = ctx.stdinIsTerminal && ctx.stderrIsTerminal;
  // One question at a time on the terminal (held questions can arrive together).
  let asking: Promise<unknown> = Promise.resolve();
  const ask = (request: ElicitRequestParams): Promise<ElicitResult> => {
    const turn = asking.then(() => askNow(request));
    asking = turn.catch(() => {});
    return turn;
  };
  const askNow = async (request: ElicitRequestParams): Promise<ElicitResult> => {
    display.pause();
    try {
      const io = terminalIo((text) => ctx.stderr(text));
      if (request.mode === "url") {
        return await askUrl(request, io, async (url) => {
          await openBrowser(url, ctx.env);
        });
      }
      return await askForm(
        { message: request.message, requestedSchema: request.requestedSchema as FormSchema },
        io,
      );
    } finally {
      display.resume();
    }
  };
  const activity: Activity = {
    get task() {
      return task;
    },
    hooks: {
      onProgress: (report) => {
        const total = report.total !== undefined ? `/${report.total}` : "";
        const message = report.message ? ` ${summaryLine(report.message)}` : "";
        debug(`Progress: ${report.progress}${total}${message}`);
        display.update(report);
      },
      onTask: (next) => {
        task = next;
        debug(`Task ${next.taskId}: ${taskStatusLine(next)}`);
        display.update({ status: next.status, message: next.statusMessage });
        options.onTask?.(next);
      },
      onInput: async (request) => {
        if (request.mode !== "url" && options.input?.answer && !answeredFirstForm) {
          answeredFirstForm = true;
          try {
            return await answerFromJson(
              request.requestedSchema as FormSchema,
              options.input.answer,
            );
          } catch (error) {
            throw usageError((error as Error).message, { userInput: true });
          }
        }
        if (interactive) return await ask(request);
        const action = options.input?.otherwise ?? "decline";
        activity.note(unansweredNote(request, action));
        return { action };
      },
    },
    note: (line) => display.log(line),
    stop: () => {
      release();
      display.stop();
    },
  };
  return activity;
}

/** The one-line note for a question this run could not ask anyone. */
export function unansweredNote(request: ElicitRequestParams, action: "decline" | "cancel"): string {
  const what = request.mode === "url" ? "to open a URL" : "for input";
  return `Note: the server asked ${what} ("${summaryLine(request.message)}"); ` +
    `${action === "decline" ? "declined" : "cancelled"}: this run is not interactive ` +
    `(answer a form with --input '<json>', or choose --on-input decline|cancel)`;
}

/** Parses `--input '<json>'` (or the text of `--input-file`): one JSON object. */
export function parseInputAnswer(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`${source} is not valid JSON: ${(error as Error).message}`, {
      userInput: true,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw usageError(`${source} must be a JSON object (the form's fields and their values)`, {
      userInput: true,
    });
  }
  return value as Record<string, unknown>;
}
