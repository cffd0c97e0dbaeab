/**
 * Words of a shell command line as a person would type them: bare when the
 * shell leaves them alone, else in single quotes.
 *
 * Layer: pure.
 * @module
 */

const SHELL_SAFE = /^[a-zA-Z0-9_.+@%:,/=-]+$/;

/** Whether the shell passes `word` on unchanged without quotes. */
export function isShellSafe(word: string): boolean {
  return SHELL_SAFE.test(word);
}

/** `word` as one shell word: bare when safe, else single-quoted (`'it'\''s'`). */
export function shellQuote(word: string): string {
  return isShellSafe(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
