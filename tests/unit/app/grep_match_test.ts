import assert from "node:assert/strict";
import {
  compileMatcher,
  exitCodeOf,
  grepJson,
  type GrepOptions,
  grepSessions,
  grepTypes,
  instructionSnippet,
  type SessionCatalog,
  type SessionOutcome,
} from "../../../src/app/grep_match.ts";
import { McpcError } from "../../../src/errors.ts";
import type { Prompt, Resource, Tool } from "../../../src/mcp/types.ts";

const ALL_TYPES = { tools: true, resources: true, prompts: true, instructions: true };

function options(pattern: string, extra: Partial<GrepOptions> = {}): GrepOptions {
  return { pattern, regex: false, caseSensitive: false, types: ALL_TYPES, ...extra };
}

function tool(name: string, extra: Partial<Tool> = {}): Tool {
  return { name, inputSchema: { type: "object" }, ...extra };
}

function searched(catalog: SessionCatalog): SessionOutcome {
  return { kind: "searched", catalog };
}

const searchTool = tool("search", {
  description: "Finds documents",
  inputSchema: {
    type: "object",
    properties: { query: { type: "string", description: "Lucene syntax accepted" } },
  },
});
const echoTool = tool("echo", { description: "Echoes the message back" });
const readme: Resource = { uri: "file:///readme.md", name: "README" };
const greet: Prompt = { name: "greet", description: "Says hello" };

/** Names of the matched tools of the first session. */
function toolNames(outcomes: SessionOutcome[], opts: GrepOptions): string[] {
  const session = grepSessions(outcomes, opts).sessions[0];
  assert.equal(session.kind, "searched");
  return session.matches.tools.map((t) => t.name);
}

function assertUsageError(run: () => unknown, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof McpcError);
    assert.equal(error.kind, "usage");
    assert.equal(error.userInput, true);
    assert.equal(error.message, message);
    return true;
  });
}

// --- type selection ---

Deno.test("grepTypes() searches tools and instructions when no type flag is given", () => {
  assert.deepEqual(grepTypes({}), {
    tools: true,
    resources: false,
    prompts: false,
    instructions: true,
  });
});

Deno.test("grepTypes() searches exactly the flagged types", () => {
  assert.deepEqual(grepTypes({ resources: true }), {
    tools: false,
    resources: true,
    prompts: false,
    instructions: false,
  });
  assert.deepEqual(grepTypes({ prompts: true, tools: true }), {
    tools: true,
    resources: false,
    prompts: true,
    instructions: false,
  });
});

Deno.test("grepSessions() skips items of types that are not selected", () => {
  const catalog: SessionCatalog = {
    name: "@s",
    instructions: "Use me",
    tools: [tool("me-tool")],
    resources: [{ uri: "file:///me", name: "me" }],
    prompts: [{ name: "me-prompt" }],
  };
  const result = grepSessions([searched(catalog)], options("me", { types: grepTypes({}) }));
  assert.deepEqual(result.totals, { instructions: 1, tools: 1, resources: 0, prompts: 0 });
  const only = grepSessions(
    [searched(catalog)],
    options("me", { types: grepTypes({ prompts: true }) }),
  );
  assert.deepEqual(only.totals, { instructions: 0, tools: 0, resources: 0, prompts: 1 });
});

// --- matching ---

Deno.test("compileMatcher() finds a plain substring ignoring case by default", () => {
  const match = compileMatcher(options("ECHO"));
  assert.equal(match("say echo"), 4);
  assert.equal(match("nothing"), -1);
});

Deno.test("compileMatcher() treats regex characters literally without -E", () => {
  const match = compileMatcher(options("a.c"));
  assert.equal(match("abc"), -1);
  assert.equal(match("xa.c"), 1);
});

Deno.test("compileMatcher() respects case with -s", () => {
  const match = compileMatcher(options("Echo", { caseSensitive: true }));
  assert.equal(match("echo Echo"), 5);
  assert.equal(match("echo"), -1);
});

Deno.test("compileMatcher() uses a case-insensitive regular expression with -E", () => {
  const match = compileMatcher(options("^ec+ho$", { regex: true }));
  assert.equal(match("ECCHO"), 0);
  assert.equal(match("echo!"), -1);
});

Deno.test("compileMatcher() uses a case-sensitive regular expression with -E -s", () => {
  const match = compileMatcher(options("E[a-z]+", { regex: true, caseSensitive: true }));
  assert.equal(match("echo Echo"), 5);
  assert.equal(match("ECHO"), -1);
});

Deno.test("compileMatcher() rejects an invalid regular expression as a usage error", () => {
  assert.throws(
    () => compileMatcher(options("(", { regex: true })),
    (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.equal(error.kind, "usage");
      assert.equal(error.exitCode, 1);
      assert.match(error.message, /^Invalid regex pattern: \(\nInvalid regular expression: /);
      return true;
    },
  );
});

Deno.test("compileMatcher() accepts the same text as a plain pattern", () => {
  assert.equal(compileMatcher(options("("))("f(x)"), 1);
});

Deno.test("compileMatcher() rejects an empty pattern", () => {
  assertUsageError(() => compileMatcher(options("")), "Missing search pattern");
  assertUsageError(() => grepSessions([], options("", { regex: true })), "Missing search pattern");
});

Deno.test("grepSessions() rejects an invalid regular expression", () => {
  assert.throws(() => grepSessions([], options("[", { regex: true })), McpcError);
});

Deno.test("grepSessions() matches a word found only in a tool's input schema", () => {
  const outcomes = [searched({ name: "@s", tools: [searchTool, echoTool] })];
  assert.deepEqual(toolNames(outcomes, options("lucene")), ["search"]);
});

Deno.test("grepSessions() matches a tool by its session-qualified name", () => {
  const outcomes = [searched({ name: "@docs", tools: [searchTool, echoTool] })];
  assert.deepEqual(toolNames(outcomes, options("@docs/echo")), ["echo"]);
  assert.deepEqual(toolNames(outcomes, options("@docs/", { types: grepTypes({}) })), [
    "search",
    "echo",
  ]);
});

Deno.test("grepSessions() matches resources by URI and prompts by content", () => {
  const result = grepSessions(
    [searched({
      name: "@s",
      resources: [readme, { uri: "file:///other", name: "other" }],
      prompts: [greet],
    })],
    options("readme"),
  );
  const session = result.sessions[0];
  assert.equal(session.kind, "searched");
  assert.deepEqual(session.matches.resources, [readme]);
  assert.deepEqual(session.matches.prompts, []);
  const hello = grepSessions([searched({ name: "@s", prompts: [greet] })], options("@s/greet"));
  assert.equal(hello.totals.prompts, 1);
});

Deno.test("grepSessions() matches the session name against the instructions", () => {
  const outcomes = [searched({ name: "@s", instructions: "Nothing special here." })];
  const result = grepSessions(outcomes, options("@s"));
  const session = result.sessions[0];
  assert.equal(session.kind, "searched");
  assert.deepEqual(session.matches.instructions, { text: "Nothing special here." });
  assert.equal(result.total, 1);
});

Deno.test("grepSessions() highlights the match inside the instructions", () => {
  const outcomes = [searched({ name: "@s", instructions: "Call\n  SEARCH first." })];
  const session = grepSessions(outcomes, options("search")).sessions[0];
  assert.equal(session.kind, "searched");
  assert.deepEqual(session.matches.instructions, {
    text: "Call SEARCH first.",
    highlight: [5, 11],
  });
});

Deno.test("grepSessions() ignores empty instructions", () => {
  const result = grepSessions([searched({ name: "@s", instructions: " \n" })], options("@s"));
  assert.equal(result.total, 0);
});

// --- snippets ---

/** `word00 word01 ... word39`: 40 words of 6 characters, 279 characters. */
const WORDS = Array.from({ length: 40 }, (_, i) => `word${String(i).padStart(2, "0")}`).join(" ");

function snippetOf(pattern: string, instructions = WORDS) {
  const index = instructions.indexOf(pattern);
  assert.notEqual(index, -1);
  return instructionSnippet(instructions, { index, length: pattern.length });
}

Deno.test("instructionSnippet() keeps short instructions whole", () => {
  assert.deepEqual(snippetOf("big", "Hello\n\n   big\tworld  "), {
    text: "Hello big world",
    highlight: [6, 9],
  });
});

Deno.test("instructionSnippet() shows 35 characters on each side of a short match", () => {
  const snippet = snippetOf("word20");
  assert.equal(
    snippet.text,
    "…word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25…",
  );
  assert.equal(snippet.text.length, 76 + 2);
  assert.deepEqual(snippet.highlight, [36, 42]);
  assert.equal(snippet.text.slice(36, 42), "word20");
});

Deno.test("instructionSnippet() grows the budget with the pattern length", () => {
  const snippet = snippetOf("word18 word19 word20 word21 word22");
  // 34 + 70 = 104 characters: the match and 35 on each side.
  assert.equal(snippet.text.length, 104 + 2);
  assert.equal(
    snippet.text,
    "…word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27…",
  );
});

Deno.test("instructionSnippet() snaps a cut start to the next word", () => {
  // 35 characters before "ord20" start in the middle of "word15".
  const snippet = snippetOf("ord20");
  assert.equal(
    snippet.text,
    "…word16 word17 word18 word19 word20 word21 word22 word23 word24 word25…",
  );
  assert.equal(snippet.text.slice(...snippet.highlight!), "ord20");
});

Deno.test("instructionSnippet() snaps a cut end to the previous word", () => {
  // 35 characters after "word2" end in the middle of "word25".
  const snippet = snippetOf("word2");
  assert.equal(
    snippet.text,
    "…word15 word16 word17 word18 word19 word20 word21 word22 word23 word24…",
  );
});

Deno.test("instructionSnippet() gives the unused room before an early match to the end", () => {
  const snippet = snippetOf("word01");
  assert.equal(
    snippet.text,
    "word00 word01 word02 word03 word04 word05 word06 word07 word08 word09 word10…",
  );
  assert.deepEqual(snippet.highlight, [7, 13]);
});

Deno.test("instructionSnippet() gives the unused room after a late match to the start", () => {
  const snippet = snippetOf("word39");
  assert.equal(
    snippet.text,
    "…word29 word30 word31 word32 word33 word34 word35 word36 word37 word38 word39",
  );
  assert.equal(snippet.text.slice(...snippet.highlight!), "word39");
});

Deno.test("instructionSnippet() maps a match across collapsed whitespace", () => {
  const instructions = WORDS.replace("word19 word20", "word19 \n\n  word20");
  const index = instructions.indexOf("\n\n  word20");
  const snippet = instructionSnippet(instructions, { index, length: 10 });
  assert.equal(snippet.text.slice(...snippet.highlight!), " word20");
});

Deno.test("instructionSnippet() starts at a match longer than the budget", () => {
  const index = WORDS.indexOf("word10");
  const snippet = instructionSnippet(WORDS, {
    index,
    length: WORDS.length - index,
    patternLength: 2,
  });
  assert.equal(snippet.text, `…${WORDS.slice(index, index + 72)}…`);
  assert.deepEqual(snippet.highlight, [1, 73]);
});

Deno.test("instructionSnippet() falls back to the first 90 characters without a match", () => {
  const snippet = instructionSnippet(WORDS);
  assert.equal(snippet.text, `${WORDS.slice(0, 90)}…`);
  assert.equal(snippet.highlight, undefined);
  assert.deepEqual(instructionSnippet("  Short\ninstructions "), { text: "Short instructions" });
});

Deno.test("grepSessions() falls back to the leading snippet when only the name matched", () => {
  const session = grepSessions(
    [searched({ name: "@s", instructions: WORDS })],
    options("@s"),
  ).sessions[0];
  assert.equal(session.kind, "searched");
  assert.deepEqual(session.matches.instructions, { text: `${WORDS.slice(0, 90)}…` });
});

// --- max results ---

const MANY: SessionOutcome[] = [
  searched({
    name: "@a",
    instructions: "x in a",
    tools: [tool("x1"), tool("x2")],
    resources: [{ uri: "file:///x", name: "x" }],
    prompts: [{ name: "x-prompt" }],
  }),
  { kind: "error", name: "@broken", error: "Bridge not responding" },
  searched({ name: "@b", instructions: "x in b", tools: [tool("x3")] }),
];

function shownNames(outcomes: SessionOutcome[], maxResults: number): string[] {
  const result = grepSessions(outcomes, options("x", { maxResults }));
  return result.sessions.flatMap((s) =>
    s.kind !== "searched" ? [] : [
      ...(s.matches.instructions ? [`${s.name} instructions`] : []),
      ...s.matches.tools.map((t) => t.name),
      ...s.matches.resources.map((r) => r.uri),
      ...s.matches.prompts.map((p) => p.name),
    ]
  );
}

Deno.test("grepSessions() keeps all matches without --max-results", () => {
  const result = grepSessions(MANY, options("x"));
  assert.equal(result.total, 7);
  assert.equal(result.truncated, 0);
});

Deno.test("grepSessions() cuts --max-results in the order instructions, tools, resources, prompts", () => {
  assert.deepEqual(shownNames(MANY, 1), ["@a instructions"]);
  assert.deepEqual(shownNames(MANY, 3), ["@a instructions", "x1", "x2"]);
  assert.deepEqual(shownNames(MANY, 5), ["@a instructions", "x1", "x2", "file:///x", "x-prompt"]);
  assert.deepEqual(shownNames(MANY, 6), [
    "@a instructions",
    "x1",
    "x2",
    "file:///x",
    "x-prompt",
    "@b instructions",
  ]);
});

Deno.test("grepSessions() keeps the full totals and counts what --max-results left out", () => {
  const result = grepSessions(MANY, options("x", { maxResults: 2 }));
  assert.deepEqual(result.totals, { instructions: 2, tools: 3, resources: 1, prompts: 1 });
  assert.equal(result.total, 7);
  assert.equal(result.truncated, 5);
  const last = result.sessions[2];
  assert.equal(last.kind, "searched");
  assert.equal(last.matchCount, 2);
  assert.deepEqual(last.matches, { tools: [], resources: [], prompts: [] });
});

Deno.test("grepSessions() reports no cut when --max-results is not reached", () => {
  assert.equal(grepSessions(MANY, options("x", { maxResults: 7 })).truncated, 0);
});

// --- exit codes ---

Deno.test("exitCodeOf() is 0 with a match and 1 without", () => {
  assert.equal(exitCodeOf(grepSessions(MANY, options("x"))), 0);
  assert.equal(exitCodeOf(grepSessions(MANY, options("x", { maxResults: 0 }))), 0);
  assert.equal(exitCodeOf(grepSessions(MANY, options("nowhere"))), 1);
  assert.equal(exitCodeOf(grepSessions([], options("x"))), 1);
});

// --- JSON ---

Deno.test("grepJson() gives one live session for a single-session search", () => {
  const result = grepSessions(
    [searched({ name: "@s", instructions: "Use search", tools: [searchTool, echoTool] })],
    options("search"),
  );
  assert.deepEqual(grepJson(result), {
    sessions: [{
      name: "@s",
      status: "live",
      instructions: "Use search",
      tools: [searchTool],
      resources: [],
      prompts: [],
    }],
    totalMatches: { tools: 1, resources: 0, prompts: 0 },
  });
});

Deno.test("grepJson() gives false instructions and empty arrays for a session without matches", () => {
  const result = grepSessions([searched({ name: "@s", tools: [echoTool] })], options("zzz"));
  assert.deepEqual(grepJson(result).sessions, [{
    name: "@s",
    status: "live",
    instructions: false,
    tools: [],
    resources: [],
    prompts: [],
  }]);
});

Deno.test("grepJson() lists searched, failed and skipped sessions across all sessions", () => {
  const outcomes: SessionOutcome[] = [
    { kind: "skipped", name: "@down", status: "crashed" },
    ...MANY,
  ];
  const json = grepJson(grepSessions(outcomes, options("x", { maxResults: 2 })));
  assert.deepEqual(json.sessions.map((s) => [s.name, s.status]), [
    ["@a", "live"],
    ["@b", "live"],
    ["@broken", "error"],
    ["@down", "crashed"],
  ]);
  assert.deepEqual(json.sessions[2], {
    name: "@broken",
    status: "error",
    error: "Bridge not responding",
  });
  assert.deepEqual(json.sessions[3], { name: "@down", status: "crashed" });
  assert.deepEqual(json.sessions[0], {
    name: "@a",
    status: "live",
    instructions: "x in a",
    tools: [tool("x1")],
    resources: [],
    prompts: [],
  });
  assert.deepEqual(json.totalMatches, { tools: 3, resources: 1, prompts: 1, truncated: 5 });
});

Deno.test("grepJson() gives empty arrays when there are no sessions", () => {
  assert.deepEqual(grepJson(grepSessions([], options("x"))), {
    sessions: [],
    totalMatches: { tools: 0, resources: 0, prompts: 0 },
  });
});
