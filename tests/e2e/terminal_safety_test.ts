/**
 * Nothing the server sends can drive the terminal (issue 6 item 3,
 * decisions.md §3.21): against a stdio server whose every string holds escape
 * sequences, 8-bit controls and bidi overrides, human output shows none of
 * them raw, while `--json` output still carries the exact strings.
 */

import assert from "node:assert/strict";
import { HOSTILE } from "../fixtures/hostile_server.ts";
import { denoEntry, Harness, runOnTerminal, type RunResult, writeConfig } from "./harness.ts";

const HOSTILE_SERVER = new URL("../fixtures/hostile_server.ts", import.meta.url).pathname;

/** Characters a terminal acts on (newline and tab aside) and bidi controls. */
// deno-lint-ignore no-control-regex -- control characters are what this test looks for
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Traps for a file name (no slash): the session line and listing show the command. */
const COMMAND_TRAPS = "\x1b]0;pwned\x07\x1b[2J\u202E";

function assertSafe(what: string, result: RunResult): void {
  for (const [stream, text] of [["stdout", result.stdout], ["stderr", result.stderr]]) {
    const found = text.match(UNSAFE);
    assert.equal(
      found,
      null,
      `${what}: ${stream} holds U+${found?.[0].charCodeAt(0).toString(16).padStart(4, "0")}: ${
        JSON.stringify(text)
      }`,
    );
  }
}

/** Runs `args` in human mode, checks the output is safe, and returns it. */
async function human(harness: Harness, args: string[], code = 0): Promise<RunResult> {
  const result = await harness.run(args);
  assert.equal(result.code, code, `mcpc ${JSON.stringify(args)}: ${result.stderr}`);
  assertSafe(`mcpc ${JSON.stringify(args)}`, result);
  return result;
}

/** Runs `args` with `--json` and parses stdout (or stderr, for an error). */
async function json<T>(harness: Harness, args: string[], code = 0): Promise<T> {
  const result = await harness.run(["--json", ...args]);
  assert.equal(result.code, code, `mcpc --json ${JSON.stringify(args)}: ${result.stderr}`);
  return JSON.parse(code === 0 || result.stdout !== "" ? result.stdout : result.stderr) as T;
}

/** Whether util-linux `script` is there to give mcpc a terminal. */
function hasScript(): boolean {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Runs `mcpc <args>` on a pseudo-terminal (colours on) and returns what the terminal got. */
async function onTerminal(harness: Harness, args: string[]): Promise<string> {
  return (await runOnTerminal(harness, args, { colors: true })).text;
}

/** Runs `fn` in a fresh home whose `mcp.json` has the entry `hostile`; `connect` is the argv to connect it. */
async function withHostile(fn: (harness: Harness, connect: string[]) => Promise<void>) {
  const harness = await Harness.create();
  try {
    // The command is a link with a hostile name, so the session line shows it.
    const command = `${harness.home}/srv${COMMAND_TRAPS}`;
    await Deno.symlink(Deno.execPath(), command);
    const entry = { ...denoEntry(HOSTILE_SERVER, [HOSTILE.argument]), command };
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { hostile: entry });
    await fn(harness, ["connect", `${config}:hostile`, "@hostile"]);
  } finally {
    await harness.cleanup();
  }
}

Deno.test("human output shows no control or bidi character the server sent", async () => {
  await withHostile(async (harness, connectArgs) => {
    const connect = await human(harness, connectArgs);
    // The strings are there, in a visible form.
    assert.match(connect.stdout, /Server: hostile-server .*\\x07.*\\u202E/);
    assert.match(connect.stdout, /\\x08\\x08\\x08fake\\x0Dreal/);
    assert.doesNotMatch(connect.stdout, /pwned-title|evil\.example/, "sequences are removed");
    assert.match(connect.stdout, /✓ Session @hostile created/);

    const details = await human(harness, ["@hostile"]);
    assert.match(details.stdout, /^\[@hostile → .*srv\\u202E/);
    assert.match(details.stdout, /Instructions:\n````\nRead me .*\\u2066iso\\u2069\nsecond line/);
    assert.match(details.stdout, /\* `hostile\\u202Etool \(arg:str\)`/);

    const list = await human(harness, ["@hostile", "tools-list"]);
    assert.match(list.stdout, /Tools \(4\):\n\* `hostile\\u202Etool \(arg:str\)`/);
    const full = await human(harness, ["@hostile", "tools-list", "--full"]);
    assert.match(full.stdout, /# Title .*\\u202Eevil/);
    assert.match(full.stdout, /\* `arg`: string \[required\] - A parameter .*\\x07/);
    const get = await human(harness, ["@hostile", "tools-get", HOSTILE.tool]);
    assert.match(get.stdout, /Description:\n````\nDoes things .*\\u202E/);
    assert.match(get.stdout, /tools-call hostile\\u202Etool 'arg:=hello'/);

    const call = await human(harness, [
      "@hostile",
      "tools-call",
      HOSTILE.tool,
      `${HOSTILE.property}:=x`,
    ]);
    assert.match(call.stdout, /✓ Tool hostile\\u202Etool executed successfully/);
    assert.match(call.stdout, /Result text .*\\x0Dreal.*\nafter CRLF\n/);
    assert.match(call.stdout, /\* Name: link .*\\u2069/);
    assert.match(call.stdout, /\* Description: ````points somewhere .*\\x07/);
    const structured = await human(harness, ["@hostile", "tools-call", "structured"]);
    assert.match(structured.stdout, /Structured content:\n````\n\{\n {2}"key\\u001b\]0;/);
    assert.match(structured.stdout, /\\u202Eevil/);

    const failed = await human(harness, ["@hostile", "tools-call", "fail"], 2);
    assert.match(failed.stdout, /✗ Tool fail returned an error\n\nContent:\n````\nTool failed /);
    const exploded = await human(harness, ["@hostile", "tools-call", "explode"], 2);
    assert.match(exploded.stderr, /^Error: .*Server exploded .*\\x07.*\\u202E/);

    const listing = await human(harness, []);
    assert.match(listing.stdout, /@hostile → .*srv\\u202E.* ● live/);
  });
});

Deno.test("errors that echo the command line or server names show no control character", async () => {
  await withHostile(async (harness, connect) => {
    await human(harness, connect);
    const missing = await human(harness, ["@hostile", "tools-get", "nope\x1b]0;x\x07\u202E"], 1);
    assert.match(missing.stderr, /^Error: Tool not found: nope\\u202E\n/);
    // The did-you-mean names the server's tool.
    const near = await human(harness, ["@hostile", "tools-call", "hostile\u202Etool\x1b[2"], 1);
    assert.match(near.stderr, /^Error: Tool not found: hostile\\u202Etool\\x1B\[2\n/);
    assert.match(near.stderr, /\nDid you mean: mcpc @hostile tools-call hostile\\u202Etool\n/);
    const unknown = await human(harness, ["@hostile", "\x1b[2Jbogus\x07"], 1);
    assert.match(unknown.stderr, /^Error: Unknown command: bogus\\x07\n/);
    const top = await human(harness, ["\x9b2Jbogus\u2066"], 1);
    assert.match(top.stderr, /^Error: Unknown command: bogus\\u2066\n/);
  });
});

Deno.test("--json output keeps the server's strings exactly", async () => {
  await withHostile(async (harness, connect) => {
    interface Details {
      serverInfo: { name: string; version: string };
      instructions: string;
      toolNames: string[];
    }
    const [connected] = await json<Details[]>(harness, connect);
    const details = await json<Details>(harness, ["@hostile"]);
    for (const document of [connected, details]) {
      assert.deepEqual(document.serverInfo, { name: HOSTILE.name, version: HOSTILE.version });
      assert.equal(document.instructions, HOSTILE.instructions);
      assert.deepEqual(document.toolNames, [HOSTILE.tool, "structured", "fail", "explode"]);
    }

    interface Tool {
      name: string;
      title: string;
      description: string;
      inputSchema: { properties: Record<string, { description: string }> };
    }
    const tools = await json<Tool[]>(harness, ["@hostile", "tools-list"]);
    const tool = await json<Tool>(harness, ["@hostile", "tools-get", HOSTILE.tool]);
    for (const found of [tools[0], tool]) {
      assert.equal(found.name, HOSTILE.tool);
      assert.equal(found.title, HOSTILE.title);
      assert.equal(found.description, HOSTILE.description);
      assert.deepEqual(found.inputSchema.properties, {
        [HOSTILE.property]: { type: "string", description: HOSTILE.propertyDescription },
      });
    }

    const call = await json<{ content: Record<string, string>[] }>(harness, [
      "@hostile",
      "tools-call",
      HOSTILE.tool,
      `${HOSTILE.property}:=x`,
    ]);
    assert.equal(call.content[0].text, HOSTILE.text);
    assert.equal(call.content[1].name, HOSTILE.linkName);
    assert.equal(call.content[1].description, HOSTILE.linkDescription);
    const structured = await json<{ structuredContent: unknown }>(harness, [
      "@hostile",
      "tools-call",
      "structured",
    ]);
    assert.deepEqual(structured.structuredContent, HOSTILE.structured);
    const failed = await json<{ isError: boolean; content: { text: string }[] }>(
      harness,
      ["@hostile", "tools-call", "fail"],
      2,
    );
    assert.equal(failed.content[0].text, HOSTILE.errorText);
    const exploded = await json<{ error: string }>(
      harness,
      ["@hostile", "tools-call", "explode"],
      2,
    );
    assert.ok(exploded.error.includes(HOSTILE.rpcError), exploded.error);

    const missing = await json<{ error: string }>(
      harness,
      ["@hostile", "tools-get", "no\x07pe"],
      1,
    );
    assert.ok(missing.error.startsWith("Tool not found: no\x07pe"), missing.error);
    const listing = await json<{ sessions: { server: { command: string } }[] }>(harness, []);
    assert.ok(listing.sessions[0].server.command.endsWith(COMMAND_TRAPS));
  });
});

Deno.test({
  name: "on a terminal, human output keeps mcpc's colours and none of the server's",
  ignore: !hasScript(),
  fn: async () => {
    await withHostile(async (harness, connect) => {
      await human(harness, connect);
      const full = await onTerminal(harness, ["@hostile", "tools-list", "--full"]);
      assert.ok(full.includes("\x1b[1mTools (4):\x1b[22m"), JSON.stringify(full));
      assert.ok(full.includes("\x1b[90m`hostile\\u202Etool (arg:str)`\x1b[39m"), full);
      const failed = await onTerminal(harness, ["@hostile", "tools-call", "fail"]);
      assert.ok(failed.includes("\x1b[31m✗ Tool fail returned an error\x1b[39m"), failed);
      for (const text of [full, failed]) {
        // Only our own style codes are left; without them nothing unsafe remains.
        // deno-lint-ignore no-control-regex -- our own style codes are what is removed here
        const plain = text.replace(/\x1b\[(?:1|2|4|22|24|31|32|33|36|39|90)m/g, "");
        assert.equal(plain.match(UNSAFE), null, JSON.stringify(text));
      }
      assert.match(full, /Does things .*\\x07.*\\u202Eevil/);
    });
  },
});
