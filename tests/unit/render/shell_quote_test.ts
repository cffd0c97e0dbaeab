import assert from "node:assert/strict";
import { isShellSafe, shellQuote } from "../../../src/render/shell_quote.ts";

Deno.test("shellQuote() leaves safe words bare and single-quotes the rest", () => {
  assert.equal(shellQuote("notes.txt"), "notes.txt");
  assert.equal(shellQuote("https://example.com/a=b"), "https://example.com/a=b");
  assert.equal(shellQuote("two words"), "'two words'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote('{"a":1}'), `'{"a":1}'`);
  assert.equal(isShellSafe("$HOME"), false);
});
