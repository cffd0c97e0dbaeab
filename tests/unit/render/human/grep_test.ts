import assert from "node:assert/strict";
import {
  type GrepOptions,
  grepSessions,
  type SessionOutcome,
} from "../../../../src/app/grep_match.ts";
import type { Tool } from "../../../../src/mcp/types.ts";
import { renderGrepAll, renderGrepSession } from "../../../../src/render/human/grep.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";

const plain = createTheme(false);
const colored = createTheme(true);

const ALL_TYPES = { tools: true, resources: true, prompts: true, instructions: true };

function options(pattern: string, extra: Partial<GrepOptions> = {}): GrepOptions {
  return { pattern, regex: false, caseSensitive: false, types: ALL_TYPES, ...extra };
}

const echo: Tool = {
  name: "echo",
  inputSchema: {
    type: "object",
    properties: { message: { type: "string" } },
    required: ["message"],
  },
  annotations: { readOnlyHint: true },
};

const docs: SessionOutcome = {
  kind: "searched",
  catalog: {
    name: "@docs",
    instructions: "Use the echo tool\nto repeat text.",
    tools: [echo, { name: "noop", inputSchema: { type: "object" } }],
    resources: [{ uri: "file:///echo.txt", name: "notes" }],
    prompts: [{ name: "echo-prompt" }],
  },
};

const other: SessionOutcome = {
  kind: "searched",
  catalog: { name: "@other", tools: [{ name: "echo2", inputSchema: { type: "object" } }] },
};

const crashed: SessionOutcome = { kind: "skipped", name: "@down", status: "crashed" };
const broken: SessionOutcome = { kind: "error", name: "@broken", error: "Bridge not responding" };

// --- one session ---

Deno.test("renderGrepSession() lists instructions, tools, resources and prompts with a count", () => {
  assert.equal(
    renderGrepSession(grepSessions([docs], options("echo")), plain),
    [
      "Instructions: ````Use the echo tool to repeat text.````",
      "Tools (1):",
      "  * `echo (message:str)` [read-only]",
      "Resources (1):",
      "  * `file:///echo.txt`",
      "Prompts (1):",
      "  * `echo-prompt`",
      "",
      "4 matches.",
    ].join("\n"),
  );
});

Deno.test("renderGrepSession() writes 1 match in the singular", () => {
  assert.equal(
    renderGrepSession(grepSessions([docs], options("noop")), plain),
    ["Tools (1):", "  * `noop ()`", "", "1 match."].join("\n"),
  );
});

Deno.test("renderGrepSession() says how many matches --max-results shows", () => {
  assert.equal(
    renderGrepSession(grepSessions([docs], options("echo", { maxResults: 2 })), plain),
    [
      "Instructions: ````Use the echo tool to repeat text.````",
      "Tools (1):",
      "  * `echo (message:str)` [read-only]",
      "",
      "4 matches (showing 2).",
    ].join("\n"),
  );
});

Deno.test("renderGrepSession() says when nothing matched", () => {
  assert.equal(renderGrepSession(grepSessions([docs], options("zzz")), plain), "No matches found.");
});

Deno.test("renderGrepSession() highlights the match in the instructions in bold underline", () => {
  const text = renderGrepSession(
    grepSessions([docs], options("ECHO", { types: { ...ALL_TYPES, tools: false } })),
    colored,
  );
  const snippet = `Use the ${colored.boldUnderline("echo")} tool to repeat text.`;
  assert.equal(
    text.split("\n")[0],
    `${colored.bold("Instructions:")} ${colored.dim(`\`\`\`\`${snippet}\`\`\`\``)}`,
  );
});

Deno.test("renderGrepSession() highlights nothing when only the session name matched", () => {
  const text = renderGrepSession(grepSessions([docs], options("@docs")), colored);
  const line = text.split("\n")[0];
  assert.ok(!line.includes(colored.boldUnderline("Use")));
  assert.equal(stripAnsi(line), "Instructions: ````Use the echo tool to repeat text.````");
});

// --- all sessions ---

Deno.test("renderGrepAll() lists skipped sessions, results per session, warnings and a footer", () => {
  assert.equal(
    renderGrepAll(grepSessions([docs, broken, crashed, other], options("echo")), plain),
    [
      "@down ○ crashed",
      "@docs",
      "  Instructions: ````Use the echo tool to repeat text.````",
      "  Tools (1):",
      "    * `echo (message:str)` [read-only]",
      "  Resources (1):",
      "    * `file:///echo.txt`",
      "  Prompts (1):",
      "    * `echo-prompt`",
      "",
      "@other",
      "  Tools (1):",
      "    * `echo2 ()`",
      "",
      "Warning: @broken — Bridge not responding",
      "5 matches across 2 sessions.",
    ].join("\n"),
  );
});

Deno.test("renderGrepAll() leaves out sessions without matches and writes the singular", () => {
  assert.equal(
    renderGrepAll(grepSessions([docs, other], options("echo2")), plain),
    ["@other", "  Tools (1):", "    * `echo2 ()`", "", "1 match across 1 session."].join("\n"),
  );
});

Deno.test("renderGrepAll() says how many matches --max-results shows across sessions", () => {
  assert.equal(
    renderGrepAll(grepSessions([docs, other], options("echo", { maxResults: 1 })), plain),
    [
      "@docs",
      "  Instructions: ````Use the echo tool to repeat text.````",
      "",
      "5 matches across 2 sessions (showing 1).",
    ].join("\n"),
  );
});

Deno.test("renderGrepAll() colours session names cyan and the skipped status like the listing", () => {
  const text = renderGrepAll(grepSessions([crashed, other], options("echo")), colored);
  const lines = text.split("\n");
  assert.equal(lines[0], `${colored.cyan("@down")} ${colored.yellow("○ crashed")}`);
  assert.equal(lines[1], colored.cyan("@other"));
  const expired = renderGrepAll(
    grepSessions([{ kind: "skipped", name: "@old", status: "expired" }], options("x")),
    colored,
  );
  assert.ok(expired.startsWith(`${colored.cyan("@old")} ${colored.red("○ expired")}`));
});

Deno.test("renderGrepAll() says when nothing matched in any session", () => {
  assert.equal(
    renderGrepAll(grepSessions([docs, other], options("zzz")), plain),
    "No matches found.",
  );
});

Deno.test("renderGrepAll() keeps skipped sessions and warnings above No matches found", () => {
  assert.equal(
    renderGrepAll(grepSessions([crashed, broken, other], options("zzz")), plain),
    [
      "@down ○ crashed",
      "Warning: @broken — Bridge not responding",
      "",
      "No matches found.",
    ].join("\n"),
  );
});

Deno.test("renderGrepAll() says there are no sessions and how to connect one", () => {
  assert.equal(
    renderGrepAll(grepSessions([], options("x")), plain),
    "No active sessions.\n  ↳ run: mcpc connect mcp.example.com @test",
  );
});
