import assert from "node:assert/strict";
import { formatError } from "../../src/cli/cli_main.ts";
import { serverError, usageError } from "../../src/errors.ts";
import { createTheme } from "../../src/render/theme.ts";

const HOSTILE = "boom \x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b2J\r\u202Eevil";

Deno.test("formatError() shows no control character of the message, hint or details", () => {
  const error = usageError(`Unknown command: ${HOSTILE}`, { hint: `Did you mean: ${HOSTILE}` });
  assert.equal(
    formatError(error, { json: false, verbose: false, theme: createTheme(false) }),
    "Error: Unknown command: boom \\x0D\\u202Eevil\nDid you mean: boom \\x0D\\u202Eevil\n",
  );
  const verbose = formatError(
    serverError(HOSTILE, { details: HOSTILE, cause: new Error(HOSTILE) }),
    { json: false, verbose: true, theme: createTheme(false) },
  );
  assert.match(verbose, /^Error: boom \\x0D\\u202Eevil\nDetails: boom \\x0D\\u202Eevil\n/);
  assert.match(verbose, /Stack trace: Error: boom \\x0D\\u202Eevil\n/);
  // deno-lint-ignore no-control-regex -- control characters are what this test looks for
  assert.doesNotMatch(verbose, /[\x1b\x07\x9b\r\u202E]/);
});

Deno.test("formatError() colours the sanitized message with the theme", () => {
  const error = serverError(`Server said ${HOSTILE}`);
  assert.equal(
    formatError(error, { json: false, verbose: false, theme: createTheme(true) }),
    "\x1b[31mError: Server said boom \\x0D\\u202Eevil\x1b[39m\n",
  );
});

Deno.test("formatError() keeps the exact message in JSON mode", () => {
  const error = serverError(`Server said ${HOSTILE}`);
  const text = formatError(error, { json: true, verbose: false, theme: createTheme(false) });
  assert.deepEqual(JSON.parse(text), { error: `Server said ${HOSTILE}`, code: 2 });
});
