import assert from "node:assert/strict";
import {
  COMPLETION_SHELLS,
  completionCandidates,
  completionScript,
} from "../../../src/cli/complete.ts";
import { COMMANDS } from "../../../src/cli/command_table.ts";

const sources = {
  sessions: () => Promise.resolve(["@alpha", "@beta"]),
  tools: (session: string) =>
    Promise.resolve(session === "@alpha" ? ["echo", "search", "send"] : []),
};

/** The candidates when the cursor is on the last of `line`'s words. */
function complete(line: string): Promise<string[]> {
  const words = line.split(" ");
  return completionCandidates(words, words.length - 1, sources);
}

Deno.test("completes the first word with top commands and session names", async () => {
  const first = await complete("");
  for (const command of COMMANDS.filter((spec) => spec.scope !== "session")) {
    assert.ok(first.includes(command.name), command.name);
  }
  assert.ok(first.includes("@alpha") && first.includes("@beta"));
  assert.deepEqual(await complete("@"), ["@alpha", "@beta"]);
  assert.deepEqual(await complete("co"), ["completion", "connect"]);
});

Deno.test("completes a session's commands and a tool's name from the session", async () => {
  assert.deepEqual(await complete("@alpha tools-"), ["tools-call", "tools-get", "tools-list"]);
  assert.deepEqual(await complete("@alpha tools-call s"), ["search", "send"]);
  assert.deepEqual(await complete("@alpha tools-get "), ["echo", "search", "send"]);
  assert.deepEqual(await complete("@beta tools-call "), []);
  assert.deepEqual(await complete("@alpha tools-call echo "), [], "arguments are not tool names");
  assert.deepEqual(await complete("--json @alpha tools-call e"), ["echo"], "after a global flag");
});

Deno.test("completes options, their fixed values, and fixed arguments", async () => {
  const connect = await complete("connect x --pro");
  assert.deepEqual(connect, ["--profile", "--protocol-version", "--proxy", "--proxy-bearer-token"]);
  assert.deepEqual(await complete("@alpha tools-get x --schema-mode "), [
    "compatible",
    "ignore",
    "strict",
  ]);
  assert.deepEqual(await complete("--timeout 5 @alpha tools-c"), ["tools-call"]);
  assert.deepEqual(await complete("x402 "), ["import", "info", "init", "remove", "sign"]);
  assert.deepEqual(await complete("completion "), [...COMPLETION_SHELLS].sort());
  assert.deepEqual(await complete("close @"), ["@alpha", "@beta"]);
  assert.deepEqual(await complete("@alpha logging-set-level e"), ["emergency", "error"]);
  assert.deepEqual(await complete("help con"), ["connect"]);
  assert.deepEqual(await complete("nosuchcommand "), []);
});

Deno.test("each shell's script asks mcpc __complete with the index of the word typed", () => {
  assert.match(
    completionScript("bash"),
    /__complete "\$\(\(COMP_CWORD - 1\)\)" "\$\{COMP_WORDS\[@\]:1\}"/,
  );
  assert.match(completionScript("bash"), /complete -o default -F _mcpc mcpc/);
  assert.match(completionScript("zsh"), /__complete "\$\(\(CURRENT - 2\)\)"/);
  assert.match(completionScript("zsh"), /compdef _mcpc mcpc/);
  assert.match(completionScript("fish"), /__complete \(math \(count \$words\) - 1\) \$words/);
});
