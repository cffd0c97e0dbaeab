/**
 * Never advertise what does not exist (decisions.md §3.13): every `mcpc ...`
 * command line that a renderer, a hint, an error message or a help text can
 * print names a command of the command table, with options it accepts.
 */

import assert from "node:assert/strict";
import {
  commandsFor,
  findCommand,
  GLOBAL_OPTIONS,
  type OptionSpec,
} from "../../src/cli/command_table.ts";
import { commandHelp, sessionHelp, topHelp } from "../../src/cli/help.ts";
import {
  authRequiredMessage,
  expiredDetectedMessage,
  expiredMessage,
  sessionNotFoundMessage,
  toolNotFoundMessage,
} from "../../src/render/hints.ts";
import { renderRestarted } from "../../src/render/human/misc.ts";
import { serverDetailsOutput } from "../../src/app/session_commands.ts";
import { renderSessionList } from "../../src/render/human/sessions.ts";
import { renderToolCallResult } from "../../src/render/human/tool_result.ts";
import { renderToolGet, renderToolsCompact } from "../../src/render/human/tools.ts";
import { createTheme } from "../../src/render/theme.ts";
import type { DisplayStatus } from "../../src/session/session.ts";
import { sessionRecord } from "../fakes/session_records.ts";

const plain = createTheme(false);
const LOG = "/h/logs/bridge-@s.log";

/** A command line found in a text: the words after `mcpc`, and whether a session was named. */
interface CommandLine {
  text: string;
  session: boolean;
  words: string[];
}

const SESSION_WORD = /^(@[\w-]+|<@session>|@<[\w-]+>|\$\{[^}]*\})$/;
const END = /[`'"\n)]|$/;

/** Text right before `mcpc` that makes it a command line, not prose ("another mcpc process"). */
const COMMAND_CONTEXT = /(^|\n|\s{2}|[`'"]|:\s)$/;

/** Every `mcpc ...` command line in `text` (up to a quote, backtick, parenthesis or line end). */
export function commandLines(text: string): CommandLine[] {
  const found: CommandLine[] = [];
  for (const match of text.matchAll(/\bmcpc((?: +[^\s`'"()]+)+)/g)) {
    if (!COMMAND_CONTEXT.test(text.slice(0, match.index))) continue;
    const line = match[1].split(END)[0].trimEnd();
    const words = line.trim().split(/\s+/).filter(Boolean);
    let session = false;
    while (words.length > 0 && SESSION_WORD.test(words[0])) {
      session = true;
      words.shift();
    }
    found.push({ text: `mcpc${line}`, session, words });
  }
  return found;
}

function optionNames(options: readonly OptionSpec[]): Set<string> {
  const names = new Set<string>();
  for (const option of options) {
    for (const flag of option.flags.split(/[ ,]+/)) if (flag.startsWith("-")) names.add(flag);
  }
  return names;
}

/** Problems with one command line: an unknown command or an option it does not take. */
function problems(line: CommandLine): string[] {
  const [command, ...rest] = line.words;
  if (command === undefined || !/^[a-z]/.test(command)) return [];
  const spec = findCommand(line.session ? "session" : "top", command);
  if (!spec) return [`"${line.text}": no ${line.session ? "session " : ""}command "${command}"`];
  const allowed = optionNames([...GLOBAL_OPTIONS, ...spec.options]);
  return rest.filter((word) => /^--?[a-zA-Z]/.test(word))
    .map((word) => word.split("=")[0])
    .filter((flag) => !allowed.has(flag))
    .map((flag) => `"${line.text}": "${command}" has no option ${flag}`);
}

function assertOnlyRealCommands(texts: readonly string[]): void {
  const found = texts.flatMap(commandLines);
  assert.ok(found.length > 0, "the texts name commands at all");
  assert.deepEqual(found.flatMap(problems), []);
}

const ALL_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
};

const TOOL = {
  name: "echo",
  inputSchema: {
    type: "object" as const,
    properties: { message: { type: "string" } },
    required: ["message"],
  },
  execution: { taskSupport: "optional" as const },
};

Deno.test("commandLines() finds command lines and tells session commands from top-level ones", () => {
  assert.deepEqual(
    commandLines(
      "run `mcpc @s tools-get x` or: mcpc connect a.com @s -H 'k: v' (not another mcpc bridge)",
    ),
    [
      { text: "mcpc @s tools-get x", session: true, words: ["tools-get", "x"] },
      {
        text: "mcpc connect a.com @s -H",
        session: false,
        words: ["connect", "a.com", "@s", "-H"],
      },
    ],
  );
  assert.deepEqual(problems(commandLines("mcpc shell x.com")[0]), [
    '"mcpc shell x.com": no command "shell"',
  ]);
  assert.deepEqual(problems(commandLines("mcpc @s frobnicate-list")[0]), [
    '"mcpc @s frobnicate-list": no session command "frobnicate-list"',
  ]);
  assert.deepEqual(problems(commandLines("mcpc connect x.com --unchecked")[0]), [
    '"mcpc connect x.com --unchecked": "connect" has no option --unchecked',
  ]);
});

Deno.test("renderers and hints name only commands and options that exist", () => {
  const statuses: DisplayStatus[] = [
    "live",
    "connecting",
    "reconnecting",
    "disconnected",
    "crashed",
    "unauthorized",
    "expired",
  ];
  const entries = statuses.map((status) => ({
    record: sessionRecord({ name: `@${status}`, lastSeenAt: "2000-01-01T00:00:00.000Z" }),
    status,
  }));
  const profiles = [{ name: "default", serverUrl: "https://x.com", createdAt: "2000-01-01" }];
  const texts = [
    // What `mcpc @s`, connect and restart print for a server with every capability.
    serverDetailsOutput(
      sessionRecord({ name: "@s" }),
      {
        initialize: {
          protocolVersion: "2025-11-25",
          capabilities: ALL_CAPABILITIES,
          serverInfo: { name: "x" },
        },
        tools: [TOOL],
      },
      { logPath: LOG, status: "live" },
    ).human(plain),
    renderSessionList(entries, profiles, { theme: plain, now: Date.now() }),
    renderSessionList([], [], { theme: plain, now: Date.now() }),
    renderToolsCompact([TOOL], "@s", plain),
    renderToolGet(TOOL, "@s", plain),
    renderToolCallResult({ isError: true, content: [] }, {
      toolName: "echo",
      sessionName: "@s",
      theme: plain,
    }),
    renderRestarted("@s", plain),
    authRequiredMessage({
      session: { name: "@s", server: { url: "https://x.com" } },
      logPath: LOG,
    }),
    authRequiredMessage({
      session: { name: "@s", configFile: "/m.json", configEntry: "e" },
      logPath: LOG,
      staticToken: true,
    }),
    expiredMessage("@s", LOG),
    expiredDetectedMessage("@s", LOG),
    sessionNotFoundMessage("@s"),
    toolNotFoundMessage("@s", "ecoh", { known: ["echo"], command: "tools-call" }),
    toolNotFoundMessage("@s", "zzz", { known: ["echo"], command: "tools-get" }),
  ];
  assertOnlyRealCommands(texts);
});

Deno.test("help texts name only commands and options that exist", () => {
  assertOnlyRealCommands([
    topHelp(),
    sessionHelp(),
    ...commandsFor("top").map((spec) => commandHelp(spec, "top")),
    ...commandsFor("session").map((spec) => commandHelp(spec, "session")),
    ...commandsFor("top").flatMap((spec) => spec.example ? [spec.example] : []),
    ...commandsFor("session").flatMap((spec) => spec.example ? [spec.example] : []),
  ]);
});

Deno.test("every mcpc command line written in the source names a command that exists", async () => {
  const texts: string[] = [];
  const root = new URL("../../src/", import.meta.url);
  const walk = async (dir: URL) => {
    for await (const entry of Deno.readDir(dir)) {
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
      if (entry.isDirectory) await walk(url);
      else if (entry.name.endsWith(".ts")) {
        const source = await Deno.readTextFile(url);
        // String and template literals only: comments may talk about the original's commands.
        for (
          const literal of source.matchAll(
            /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g,
          )
        ) {
          const text = literal[0].slice(1, -1).replace(/\\(.)/g, "$1");
          if (text.includes("mcpc ")) texts.push(text);
        }
      }
    }
  };
  await walk(root);
  assertOnlyRealCommands(texts);
});
