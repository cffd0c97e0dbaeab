import assert from "node:assert/strict";
import { suggestCommand } from "../../../src/render/suggest.ts";

const TOP_LEVEL = [
  "help",
  "login",
  "logout",
  "connect",
  "close",
  "restart",
  "shell",
  "clean",
  "grep",
  "x402",
];

const SESSION = [
  "help",
  "close",
  "restart",
  "grep",
  "tools-list",
  "tools-get",
  "tools-call",
  "tasks-list",
  "tasks-get",
  "tasks-result",
  "tasks-cancel",
  "resources-list",
  "resources-read",
  "resources-subscribe",
  "resources-unsubscribe",
  "resources-templates-list",
  "prompts-list",
  "prompts-get",
  "logging-set-level",
  "ping",
];

const ROWS: [string, readonly string[], string | undefined][] = [
  ["list-tools", SESSION, "tools-list"],
  ["get-prompts", SESSION, "prompts-get"],
  ["list-resources", SESSION, "resources-list"],
  ["list-templates-resources", SESSION, "resources-templates-list"],
  ["tools", SESSION, "tools-list"],
  ["resources", SESSION, "resources-list"],
  ["prompts", SESSION, "prompts-list"],
  ["tools-lst", SESSION, "tools-list"],
  ["conect", TOP_LEVEL, "connect"],
  ["loign", TOP_LEVEL, "login"],
  ["call", TOP_LEVEL, undefined],
  ["clean", ["close", "connect", "help", "restart"], undefined],
  ["shell", ["close", "connect", "help", "restart"], undefined],
  ["clsoe", TOP_LEVEL, "close"],
  ["tools-lsit", SESSION, "tools-list"],
  ["tool-list", SESSION, "tools-list"],
  ["pign", SESSION, "ping"],
  ["restrat", TOP_LEVEL, "restart"],
  ["LIST-TOOLS", SESSION, "tools-list"],
  ["Conect", TOP_LEVEL, "connect"],
  ["xyzzy-frobnicate", SESSION, undefined],
  ["completely-unrelated", TOP_LEVEL, undefined],
  ["", TOP_LEVEL, undefined],
];

for (const [input, candidates, expected] of ROWS) {
  Deno.test(`suggestCommand() suggests ${expected ?? "nothing"} for ${JSON.stringify(input)}`, () => {
    assert.equal(suggestCommand(input, candidates), expected);
  });
}

Deno.test("suggestCommand() returns the candidate with its own spelling", () => {
  assert.equal(suggestCommand("list-tools", ["Tools-List"]), "Tools-List");
});

Deno.test("suggestCommand() suggests *-list for a bare prefix only when it is a candidate", () => {
  assert.equal(suggestCommand("tools", TOP_LEVEL), undefined);
  assert.equal(suggestCommand("prompts", ["prompts-get"]), undefined);
});

Deno.test("suggestCommand() prefers the reversed parts over a closer edit", () => {
  assert.equal(suggestCommand("get-tools", ["get-tool", "tools-get"]), "tools-get");
});

Deno.test("suggestCommand() picks the closest candidate, not the first within range", () => {
  assert.equal(suggestCommand("closx", ["clean", "close"]), "close");
});

Deno.test("suggestCommand() keeps candidate order on equal distance", () => {
  assert.equal(suggestCommand("tools-gat", ["tools-get", "tools-gbt"]), "tools-get");
  assert.equal(suggestCommand("tools-gat", ["tools-gbt", "tools-get"]), "tools-gbt");
});

Deno.test("suggestCommand() allows one edit per four characters, at least one, at most three", () => {
  assert.equal(suggestCommand("abcd", ["abce"]), "abce");
  assert.equal(suggestCommand("abcd", ["abef"]), undefined);
  assert.equal(suggestCommand("abcdefgh", ["abcdefxy"]), "abcdefxy");
  assert.equal(suggestCommand("abcdefgh", ["abcdexyz"]), undefined);
  assert.equal(suggestCommand("abcdefghijklmnop", ["abcdefghijklmxyz"]), "abcdefghijklmxyz");
  assert.equal(suggestCommand("abcdefghijklmnop", ["abcdefghijklwxyz"]), undefined);
});
