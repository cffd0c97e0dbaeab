/**
 * What a command hands back to be printed: the JSON document for `--json`,
 * a function producing the human text, and the exit code.
 *
 * Layer: pure (types).
 * @module
 */

import type { Theme } from "../render/theme.ts";

/** A command's result, rendered by `cli/run.ts` in the chosen mode. */
export interface CommandOutput {
  /** The document printed with `--json`. */
  json: unknown;
  /** The human text (no trailing newline). */
  human: (theme: Theme) => string;
  /** Exit code (default 0). */
  exitCode?: number;
  /** Whether `--max-chars` applies (lists, reads and call results). */
  truncatable?: boolean;
}
