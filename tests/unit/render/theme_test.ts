import assert from "node:assert/strict";
import { createTheme, stripAnsi } from "../../../src/render/theme.ts";

Deno.test("createTheme() leaves text unchanged when colours are off", () => {
  const { colors, ...styles } = createTheme(false);
  assert.equal(colors, false);
  for (const fn of Object.values(styles)) assert.equal(fn("text"), "text");
});

Deno.test("createTheme() says whether it styles text", () => {
  assert.equal(createTheme(true).colors, true);
});

Deno.test("createTheme() writes SGR codes with options.sgr when given", () => {
  const theme = createTheme(true, { sgr: (code) => `<${code}>` });
  assert.equal(theme.red("x"), "<31>x<39>");
  assert.equal(theme.green(`a ${theme.red("b")} c`), "<32>a <31>b<39><32> c<39>");
  assert.equal(theme.boldUnderline("x"), "<1><4>x<24><22>");
});

Deno.test("createTheme() wraps text in ANSI codes when colours are on", () => {
  const theme = createTheme(true);
  assert.equal(theme.red("x"), "\u001b[31mx\u001b[39m");
  assert.equal(theme.green("x"), "\u001b[32mx\u001b[39m");
  assert.equal(theme.yellow("x"), "\u001b[33mx\u001b[39m");
  assert.equal(theme.cyan("x"), "\u001b[36mx\u001b[39m");
  assert.equal(theme.grey("x"), "\u001b[90mx\u001b[39m");
  assert.equal(theme.bold("x"), "\u001b[1mx\u001b[22m");
  assert.equal(theme.dim("x"), "\u001b[2mx\u001b[22m");
  assert.equal(theme.boldUnderline("x"), "\u001b[1m\u001b[4mx\u001b[24m\u001b[22m");
});

Deno.test("createTheme() leaves the empty string empty", () => {
  assert.equal(createTheme(true).red(""), "");
});

Deno.test("createTheme() re-opens the outer colour after a nested one closes", () => {
  const theme = createTheme(true);
  const nested = theme.green(`a ${theme.red("b")} c`);
  assert.equal(nested, "\u001b[32ma \u001b[31mb\u001b[39m\u001b[32m c\u001b[39m");
});

Deno.test("stripAnsi() removes every style code", () => {
  const theme = createTheme(true);
  const styled = theme.bold(`${theme.cyan("@s")} → ${theme.grey("`x`")}`);
  assert.equal(stripAnsi(styled), "@s → `x`");
  assert.equal(stripAnsi("\u001b[1;31mboth\u001b[0m"), "both");
});
