import assert from "node:assert/strict";
import { renderToolCallResult } from "../../../src/render/human/tool_result.ts";
import { renderForTerminal } from "../../../src/render/terminal_text.ts";
import { createTheme, type Theme } from "../../../src/render/theme.ts";

const NONCE = "0123456789abcdef0123456789abcdef";
/** A tool name that tries to recolour, retitle and clear the terminal. */
const HOSTILE_NAME = "\x1b[32mok\x1b[39m\x1b]0;pwned\x07\x1b[2J\u202Eevil";
const HOSTILE_TEXT = "\x1b[31mred\x1b[39m\x07\r\u2066";

function render(theme: Theme): string {
  return renderToolCallResult(
    { content: [{ type: "text", text: HOSTILE_TEXT }] },
    { toolName: HOSTILE_NAME, sessionName: "@s", theme },
  );
}

/** Every escape sequence of `text`. */
function escapes(text: string): string[] {
  // deno-lint-ignore no-control-regex -- control characters are what this test looks for
  return [...text.matchAll(/\x1b[^a-zA-Z]*[a-zA-Z]?/g)].map((match) => match[0]);
}

Deno.test("renderForTerminal() keeps mcpc's styles and only them", () => {
  const shown = renderForTerminal(render, { colors: true, nonce: NONCE });
  // The very same styles as a plain colour theme over sanitized input.
  const expected = renderToolCallResult(
    { content: [{ type: "text", text: "red\\x07\\x0D\\u2066" }] },
    { toolName: "ok\\u202Eevil", sessionName: "@s", theme: createTheme(true) },
  );
  assert.equal(shown, expected);
  assert.deepEqual(escapes(shown), escapes(expected));
  assert.ok(escapes(shown).length > 0);
  // deno-lint-ignore no-control-regex -- control characters are what this test looks for
  assert.doesNotMatch(shown, /\x1b\]|\x1b\[2J|\x07|\r|\u202E|\u2066/);
});

Deno.test("renderForTerminal() prints plain sanitized text when colours are off", () => {
  const shown = renderForTerminal(render, { colors: false, nonce: NONCE });
  // deno-lint-ignore no-control-regex -- control characters are what this test looks for
  assert.doesNotMatch(shown, /[\x1b\x07\r\u202E\u2066]/);
  assert.match(shown, /✓ Tool ok\\u202Eevil executed successfully/);
  assert.match(shown, /red\\x07\\x0D\\u2066/);
});

Deno.test("renderForTerminal() leaves placeholders forged without the nonce inert", () => {
  const forged = `\uFDD0${"f".repeat(32)}:31\uFDD1 and \uFDD0${NONCE.slice(0, 16)}:2\uFDD1`;
  const shown = renderForTerminal((theme) => theme.bold(forged), {
    colors: true,
    nonce: NONCE,
  });
  assert.equal(shown, `\x1b[1m${forged}\x1b[22m`);
});

Deno.test("renderForTerminal() refuses a nonce that is too short to be secret", () => {
  assert.throws(
    () => renderForTerminal((theme) => theme.red("x"), { colors: true, nonce: "abc" }),
    RangeError,
  );
});
