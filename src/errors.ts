/**
 * The one error taxonomy of mcpc. Every failure a user can see is an
 * {@linkcode McpcError} with a `kind`; `main.ts` maps the kind to the exit code.
 *
 * Layer: pure.
 * @module
 */

/** What kind of failure an error is; decides the exit code. */
export type ErrorKind = "usage" | "server" | "network" | "auth";

/** Exit code for each error kind (reference.md §4.1). */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  usage: 1,
  server: 2,
  network: 3,
  auth: 4,
};

/** Exit code of a run stopped by Ctrl+C (SIGINT): 128 + 2, as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/** Every exit code mcpc uses and what it means: README's table is this list. */
export const EXIT_CODE_MEANINGS: ReadonlyArray<readonly [number, string]> = [
  [0, "success"],
  [
    EXIT_CODES.usage,
    "usage error: bad arguments, unknown command or session, expired session, tool not found, a server that cannot work (malformed URL, not MCP, a stdio command that fails)",
  ],
  [
    EXIT_CODES.server,
    "server error: the server answered with an error, or `tools-call` returned `isError: true`",
  ],
  [
    EXIT_CODES.network,
    "network error: server or bridge unreachable, or the request hit `--timeout` (sent once, cancelled, never retried)",
  ],
  [
    EXIT_CODES.auth,
    "authentication error: the server rejected the credentials (the message names the bridge log)",
  ],
  [INTERRUPTED_EXIT_CODE, "interrupted by Ctrl+C (SIGINT): the request was cancelled"],
];

/** Options for {@linkcode McpcError}. */
export interface McpcErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Extra detail printed with `--verbose`. */
  details?: unknown;
  /** Lines printed after the message in human mode only (e.g. "Did you mean"). */
  hint?: string;
  /** The failure is in what the user typed: the bridge log has nothing to add. */
  userInput?: boolean;
  /** An auth failure of one request; the session's credentials still work. */
  requestOnly?: boolean;
}

/** The first error of class `type` in `error`'s `cause` chain (at most 10 deep). */
export function causeOfType<T extends Error>(
  error: unknown,
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => T,
): T | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof type) return current;
    current = current.cause;
  }
  return undefined;
}

/** A failure that mcpc reports to the user with a classified exit code. */
export class McpcError extends Error {
  /** The class of failure. */
  readonly kind: ErrorKind;
  /** Extra detail printed with `--verbose`. */
  readonly details?: unknown;
  /** Lines printed after the message in human mode only. */
  readonly hint?: string;
  /** The failure is in what the user typed: the bridge log has nothing to add. */
  readonly userInput: boolean;
  /** An auth failure of one request; the session's credentials still work. */
  readonly requestOnly: boolean;

  constructor(kind: ErrorKind, message: string, options: McpcErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "McpcError";
    this.kind = kind;
    this.details = options.details;
    this.hint = options.hint;
    this.userInput = options.userInput ?? false;
    this.requestOnly = options.requestOnly ?? false;
  }

  /** The process exit code for this error. */
  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** Bad arguments, unknown command, missing session and similar (exit 1). */
export function usageError(message: string, options?: McpcErrorOptions): McpcError {
  return new McpcError("usage", message, options);
}

/** The MCP server answered with an error (exit 2). */
export function serverError(message: string, options?: McpcErrorOptions): McpcError {
  return new McpcError("server", message, options);
}

/** The server or the bridge could not be reached, or a request timed out (exit 3). */
export function networkError(message: string, options?: McpcErrorOptions): McpcError {
  return new McpcError("network", message, options);
}

/** The server rejected the credentials (exit 4). */
export function authError(message: string, options?: McpcErrorOptions): McpcError {
  return new McpcError("auth", message, options);
}

/** Converts anything thrown into an {@linkcode McpcError} (unknown errors are usage errors). */
export function toMcpcError(error: unknown): McpcError {
  if (error instanceof McpcError) return error;
  if (error instanceof Error) return new McpcError("usage", error.message, { cause: error });
  return new McpcError("usage", String(error));
}

/**
 * Runs `work`; an {@linkcode McpcError} it throws is re-thrown with `prefix`
 * before its message (same kind), saying what the failure left undone.
 */
export async function withFailurePrefix<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof McpcError)) throw error;
    throw new McpcError(error.kind, `${prefix}${error.message}`, { cause: error });
  }
}
