import assert from "node:assert/strict";
import { safeText } from "../../../src/render/safe_text.ts";

/** What must never reach the terminal raw. */
// deno-lint-ignore no-control-regex -- control characters are what this test looks for
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Hostile input and what the terminal is shown instead. */
const HOSTILE: [string, string, string][] = [
  ["OSC title change ended by BEL", "a\x1b]0;pwned\x07b", "ab"],
  ["OSC title change ended by ST", "a\x1b]2;pwned\x1b\\b", "ab"],
  ["OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"],
  ["8-bit OSC ended by 8-bit ST", "a\x9d0;pwned\x9cb", "ab"],
  ["screen clear and cursor home", "\x1b[2J\x1b[Hcleared", "cleared"],
  ["cursor moves", "a\x1b[5A\x1b[10;20H\x1b[3Db\x1b[?25l", "ab"],
  ["colour", "\x1b[31mred\x1b[0m", "red"],
  ["colour with several parameters", "\x1b[1;38;5;196mred\x1b[m", "red"],
  ["8-bit CSI", "a\x9b2Jb", "ab"],
  ["DCS string", "a\x1bP1$qm\x1b\\b", "ab"],
  ["APC, PM and SOS strings", "a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d", "abcd"],
  ["8-bit DCS", "a\x90data\x9cb", "ab"],
  ["two-character escapes", "a\x1bcb\x1b7c\x1b8d\x1bMe", "abcde"],
  ["escape with an intermediate", "a\x1b(0b\x1b#8c", "abc"],
  ["BEL", "ding\x07", "ding\\x07"],
  ["backspace", "secret\b\b\b\b\b\bpublic", "secret\\x08\\x08\\x08\\x08\\x08\\x08public"],
  ["lone carriage return overwrite", "rm -rf /\rls", "rm -rf /\\x0Dls"],
  ["carriage return at the end", "text\r", "text\\x0D"],
  ["DEL", "a\x7fb", "a\\x7Fb"],
  ["NUL", "a\x00b", "a\\x00b"],
  ["vertical tab and form feed", "a\x0bb\x0cc", "a\\x0Bb\\x0Cc"],
  ["lone C1 controls", "a\x85b\x8dc\x9cd", "a\\x85b\\x8Dc\\x9Cd"],
  ["bidi override", "evil\u202Etxt.exe", "evil\\u202Etxt.exe"],
  ["bidi embeddings and pop", "\u202Aa\u202Bb\u202Cc\u202Dd", "\\u202Aa\\u202Bb\\u202Cc\\u202Dd"],
  ["bidi isolates", "\u2066a\u2067b\u2068c\u2069", "\\u2066a\\u2067b\\u2068c\\u2069"],
  ["directional marks", "a\u200Eb\u200Fc\u061Cd", "a\\u200Eb\\u200Fc\\u061Cd"],
  ["unterminated OSC at the end", "a\x1b]0;pwned", "a\\x1B]0;pwned"],
  ["unterminated 8-bit OSC at the end", "a\x9d0;pwned", "a\\x9D0;pwned"],
  ["unterminated CSI at the end", "a\x1b[31", "a\\x1B[31"],
  ["lone ESC at the end", "a\x1b", "a\\x1B"],
  ["OSC whose body holds a newline", "\x1b]0;a\nb\x07", "\\x1B]0;a\nb\\x07"],
  ["ESC ESC", "\x1b\x1b[2J", "\\x1B"],
];

for (const [what, input, expected] of HOSTILE) {
  Deno.test(`safeText() neutralises ${what}`, () => {
    const shown = safeText(input);
    assert.equal(shown, expected);
    assert.doesNotMatch(shown, UNSAFE);
  });
}

Deno.test("safeText() turns CRLF into LF", () => {
  assert.equal(safeText("one\r\ntwo\r\n"), "one\ntwo\n");
});

Deno.test("safeText() leaves newline, tab and ordinary Unicode unchanged", () => {
  for (
    const text of [
      "",
      'plain ASCII: {"a": [1, 2]} `code` \\x1B as typed text',
      "line one\nline two\n\tindented",
      "emoji 😀 👍🏽 🇨🇿",
      "family 👨‍👩‍👧‍👦 and 🏳️‍🌈 (ZWJ sequences)",
      "CJK 中文 日本語 한국어",
      "accents é è ü ñ and combining e\u0301",
      "Hebrew שלום and Arabic مرحبا without marks",
      "symbols → ✓ ✗ ● ○ ↳ … € ™",
      "private use \uE000 and noncharacter \uFDD0",
    ]
  ) {
    assert.equal(safeText(text), text);
  }
});

Deno.test("safeText() is idempotent", () => {
  for (const [, input] of HOSTILE) assert.equal(safeText(safeText(input)), safeText(input));
});

Deno.test("safeText() handles a large text in one pass", () => {
  const chunk = "result line with \x1b[31mcolour\x1b[0m and a bell\x07\n";
  const text = chunk.repeat(50_000);
  const started = performance.now();
  const shown = safeText(text);
  assert.equal(shown, "result line with colour and a bell\\x07\n".repeat(50_000));
  assert.ok(performance.now() - started < 5_000);
});
