/**
 * What a command needs from the outside world, built once in `main.ts` and
 * passed down; tests build their own.
 *
 * Layer: types only.
 * @module
 */

import type { ProfileStore } from "./auth/profile_store.ts";
import type { SecretStore } from "./auth/secret_store.ts";
import type { HomePaths } from "./platform/paths.ts";
import type { Theme } from "./render/theme.ts";
import type { SessionStore } from "./session/session_store.ts";

/** Output switches chosen from flags and environment. */
export interface OutputMode {
  /** `--json` / `MCPC_JSON`. */
  json: boolean;
  /** `--verbose` / `MCPC_VERBOSE`. */
  verbose: boolean;
  /** Colour functions (identity when colours are off). */
  theme: Theme;
  /** `--max-chars`, human mode only. */
  maxChars?: number;
}

/** The environment of one CLI invocation. */
export interface AppContext {
  /** The mcpc home layout. */
  paths: HomePaths;
  /** Current working directory. */
  cwd: string;
  /** The process environment (read-only copy). */
  env: Readonly<Record<string, string>>;
  /** Clock (ms since the epoch). */
  now: () => number;
  /** Writes to stdout. */
  stdout: (text: string) => void;
  /** Whether stdout's reader has gone away (a closed pipe): output that streams then stops. */
  stdoutGone?: () => boolean;
  /** Writes notes and warnings to stderr (control characters are shown escaped). */
  stderr: (text: string) => void;
  /** Output switches. */
  output: OutputMode;
  /** Debug line on stderr with `--verbose` (never in JSON mode, never on stdout). */
  debug: (message: string) => void;
  /** `sessions.json`. */
  sessions: SessionStore;
  /** `profiles.json`. */
  profiles: ProfileStore;
  /** Where session secrets are kept. */
  secrets: SecretStore;
  /** Per-request timeout in ms (`--timeout`, default 300 s). */
  timeoutMs: number;
  /** Whether `--timeout` was given explicitly (a config entry's timeout applies otherwise). */
  timeoutExplicit: boolean;
  /** Whether stderr is a terminal (progress notes go there only then). */
  stderrIsTerminal: boolean;
  /** Whether stdin is a terminal. */
  stdinIsTerminal: boolean;
  /** Reads stdin to EOF. */
  readStdin: () => Promise<string>;
  /**
   * Registers work to do if the user presses Ctrl+C (before mcpc exits 130),
   * e.g. abandoning a connect; returns a function that unregisters it.
   */
  onInterrupt: (cleanup: () => void | Promise<void>) => () => void;
  /**
   * Takes the next Ctrl+C: `handler` runs instead of the exit with 130 (once;
   * a second Ctrl+C exits as usual). Returns a function that gives it back.
   */
  takeInterrupt: (handler: () => void) => () => void;
}
