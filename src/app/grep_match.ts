/**
 * The pure core of `mcpc grep <pattern>` and `mcpc @s grep <pattern>`
 * (reference.md §8.2): which types to search, how a pattern matches, the
 * instruction snippet, the `-m/--max-results` cut and the `--json` document.
 * The bridges are queried elsewhere; this module gets their answers as
 * {@linkcode SessionOutcome} values.
 *
 * Layer: pure.
 * @module
 */

import { usageError } from "../errors.ts";
import type { Prompt, Resource, Tool } from "../mcp/types.ts";
import type { DisplayStatus } from "../session/session.ts";

/** Which kinds of items a search looks at. */
export interface GrepTypes {
  tools: boolean;
  resources: boolean;
  prompts: boolean;
  instructions: boolean;
}

/** What to search for and how much of it to show. */
export interface GrepOptions {
  /** The text (or with `regex`, the JavaScript regular expression) to find. */
  pattern: string;
  /** `-E, --regex`: `pattern` is a JavaScript regular expression. */
  regex: boolean;
  /** `-s, --case-sensitive`. */
  caseSensitive: boolean;
  /** The kinds of items to search. */
  types: GrepTypes;
  /** `-m, --max-results`: at most this many items are kept, across sessions. */
  maxResults?: number;
}

/** The options {@linkcode compileMatcher} needs. */
export type MatcherOptions = Pick<GrepOptions, "pattern" | "regex" | "caseSensitive">;

/** What one session offers to search, fetched only for the types its server advertises. */
export interface SessionCatalog {
  /** Session name with its `@` (`@s`). */
  name: string;
  instructions?: string;
  tools?: Tool[];
  resources?: Resource[];
  prompts?: Prompt[];
}

/** What querying one session gave: its catalog, a failure, or a session that was not queried. */
export type SessionOutcome =
  | { kind: "searched"; catalog: SessionCatalog }
  | { kind: "error"; name: string; error: string }
  | { kind: "skipped"; name: string; status: DisplayStatus };

/** Where a pattern matched: start index and length of the matched text. */
export interface TextMatch {
  index: number;
  length: number;
}

/** A match in the instructions, for {@linkcode instructionSnippet}. */
export interface SnippetMatch extends TextMatch {
  /** Length of the pattern as typed, which sets the budget (default: `length`). */
  patternLength?: number;
}

/** A one-line excerpt of the instructions; `highlight` is the `[start, end)` of the match in `text`. */
export interface Snippet {
  text: string;
  highlight?: [number, number];
}

/** The matched items of one session (after the `--max-results` cut). */
export interface SessionMatches {
  /** The snippet of the instructions when they matched. */
  instructions?: Snippet;
  tools: Tool[];
  resources: Resource[];
  prompts: Prompt[];
}

/** The search result of one session, in the order the outcomes were given. */
export type SessionGrep =
  | {
    kind: "searched";
    name: string;
    /** The items kept after the `--max-results` cut. */
    matches: SessionMatches;
    /** How many items of this session matched, before the cut. */
    matchCount: number;
  }
  | { kind: "error"; name: string; error: string }
  | { kind: "skipped"; name: string; status: DisplayStatus };

/** Match counts per kind; matched instructions count as 1 item. */
export interface GrepCounts {
  instructions: number;
  tools: number;
  resources: number;
  prompts: number;
}

/** The whole search: per-session results and the counts before the `--max-results` cut. */
export interface GrepResult {
  sessions: SessionGrep[];
  /** Full counts, before the cut. */
  totals: GrepCounts;
  /** Sum of `totals`. */
  total: number;
  /** How many matched items the cut left out (0 without a cut). */
  truncated: number;
}

/** One searched session in the `--json` document. */
export interface GrepJsonSession {
  name: string;
  status: "live";
  /** The instruction snippet when the instructions matched, else `false`. */
  instructions: string | false;
  tools: Tool[];
  resources: Resource[];
  prompts: Prompt[];
}

/** A session whose query failed, in the `--json` document. */
export interface GrepJsonError {
  name: string;
  status: "error";
  error: string;
}

/** A session that was not queried, with its display status, in the `--json` document. */
export interface GrepJsonSkipped {
  name: string;
  status: DisplayStatus;
}

/** The `--json` document of `grep` and `@s grep`. */
export interface GrepJson {
  sessions: Array<GrepJsonSession | GrepJsonError | GrepJsonSkipped>;
  totalMatches: {
    tools: number;
    resources: number;
    prompts: number;
    /** How many matched items `--max-results` left out; only when some were. */
    truncated?: number;
  };
}

/** Minimum number of characters an instruction snippet may use besides the pattern. */
const SNIPPET_CONTEXT = 70;
/** Characters shown when the match is not inside the instructions themselves. */
const FALLBACK_CHARS = 90;
const ELLIPSIS = "…";

/** The kinds to search: tools and instructions when no flag is given, else exactly the flagged ones. */
export function grepTypes(
  flags: { tools?: boolean; resources?: boolean; prompts?: boolean; instructions?: boolean },
): GrepTypes {
  const types = {
    tools: flags.tools === true,
    resources: flags.resources === true,
    prompts: flags.prompts === true,
    instructions: flags.instructions === true,
  };
  if (Object.values(types).some((on) => on)) return types;
  return { tools: true, resources: false, prompts: false, instructions: true };
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/**
 * Compiles the pattern into a search function returning the first match.
 * Throws a usage error for an empty pattern or an invalid regular expression.
 */
function compileSearch(options: MatcherOptions): (text: string) => TextMatch | undefined {
  const { pattern, regex, caseSensitive } = options;
  if (pattern === "") throw usageError("Missing search pattern", { userInput: true });
  if (!regex && caseSensitive) {
    return (text) => {
      const index = text.indexOf(pattern);
      return index === -1 ? undefined : { index, length: pattern.length };
    };
  }
  let expression: RegExp;
  try {
    // A plain pattern is searched as an escaped expression so that the indices
    // of a case-insensitive match are indices in the original text.
    expression = new RegExp(regex ? pattern : escapeRegExp(pattern), caseSensitive ? "" : "i");
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw usageError(`Invalid regex pattern: ${pattern}\n${detail}`, {
      userInput: true,
      cause: error,
    });
  }
  return (text) => {
    const found = expression.exec(text);
    return found ? { index: found.index, length: found[0].length } : undefined;
  };
}

/**
 * Returns a function giving the index of the first match of the pattern in a
 * text, or -1: a substring (case-insensitive unless `caseSensitive`) or, with
 * `regex`, a JavaScript regular expression (flag `i` unless `caseSensitive`).
 * Throws a usage error for an empty pattern or an invalid regular expression,
 * so calling it first validates the options.
 */
export function compileMatcher(options: MatcherOptions): (text: string) => number {
  const search = compileSearch(options);
  return (text) => search(text)?.index ?? -1;
}

/** The text a tool is matched against: `@s/<name> <pretty JSON of the tool>`. */
export function toolMatchText(sessionName: string, tool: Tool): string {
  return `${sessionName}/${tool.name} ${JSON.stringify(tool, null, 2)}`;
}

/** The text a resource is matched against: `@s/<uri> <pretty JSON of the resource>`. */
export function resourceMatchText(sessionName: string, resource: Resource): string {
  return `${sessionName}/${resource.uri} ${JSON.stringify(resource, null, 2)}`;
}

/** The text a prompt is matched against: `@s/<name> <pretty JSON of the prompt>`. */
export function promptMatchText(sessionName: string, prompt: Prompt): string {
  return `${sessionName}/${prompt.name} ${JSON.stringify(prompt, null, 2)}`;
}

/** The text instructions are matched against: `@s <instructions>`. */
export function instructionsMatchText(sessionName: string, instructions: string): string {
  return `${sessionName} ${instructions}`;
}

/**
 * `raw` with every run of whitespace turned into one space and the ends
 * trimmed, plus for each index of `raw` (and its end) the index in the result.
 */
function collapseWhitespace(raw: string): { text: string; offsets: number[] } {
  const offsets: number[] = [];
  let text = "";
  let spacePending = false;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (/\s/.test(char)) {
      offsets.push(text.length);
      if (text !== "") spacePending = true;
      continue;
    }
    if (spacePending) {
      text += " ";
      spacePending = false;
    }
    offsets.push(text.length);
    text += char;
  }
  offsets.push(text.length);
  return { text, offsets };
}

function isLowSurrogate(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Whether cutting `text` at `index` splits a word. */
function splitsWord(text: string, index: number): boolean {
  return index > 0 && index < text.length && text[index - 1] !== " " && text[index] !== " ";
}

/** The first characters of the collapsed instructions, for a match outside them. */
function leadingSnippet(text: string): Snippet {
  if (text.length <= FALLBACK_CHARS) return { text };
  let end = FALLBACK_CHARS;
  if (isLowSurrogate(text, end)) end--;
  return { text: text.slice(0, end).trimEnd() + ELLIPSIS };
}

/**
 * A one-line excerpt of `instructions` around `match` (indices into
 * `instructions`): whitespace collapsed, at most max(70, pattern length + 70)
 * characters around the match (unused room on one side goes to the other),
 * cuts moved to word boundaries where that keeps the whole match, and `…`
 * where text was cut. Without `match` (only the session name matched): the
 * first 90 characters, plus `…` when cut.
 */
export function instructionSnippet(instructions: string, match?: SnippetMatch): Snippet {
  const { text, offsets } = collapseWhitespace(instructions);
  if (!match) return leadingSnippet(text);
  const start = offsets[match.index];
  const end = offsets[match.index + match.length];
  const budget = Math.max(SNIPPET_CONTEXT, (match.patternLength ?? match.length) + SNIPPET_CONTEXT);

  let from = 0;
  let to = text.length;
  if (text.length > budget) {
    const context = Math.max(0, budget - (end - start));
    from = start - Math.floor(context / 2);
    to = Math.min(end, start + budget) + Math.ceil(context / 2);
    if (from < 0) [from, to] = [0, to - from];
    if (to > text.length) [from, to] = [Math.max(0, from - (to - text.length)), text.length];
    if (isLowSurrogate(text, from) && from < start) from++;
    if (isLowSurrogate(text, to)) to += to < end ? 1 : -1;
    if (splitsWord(text, from)) {
      const space = text.indexOf(" ", from);
      if (space !== -1 && space < start) from = space + 1;
    }
    if (splitsWord(text, to)) {
      const space = text.lastIndexOf(" ", to - 1);
      if (space >= end) to = space;
    }
  }
  while (from < start && text[from] === " ") from++;
  while (to > end && text[to - 1] === " ") to--;

  const prefix = from > 0 ? ELLIPSIS : "";
  const suffix = to < text.length ? ELLIPSIS : "";
  const snippet: Snippet = { text: prefix + text.slice(from, to) + suffix };
  const shownEnd = Math.min(end, to);
  if (shownEnd > start) {
    snippet.highlight = [prefix.length + start - from, prefix.length + shownEnd - from];
  }
  return snippet;
}

function emptyCounts(): GrepCounts {
  return { instructions: 0, tools: 0, resources: 0, prompts: 0 };
}

function countOf(matches: SessionMatches): number {
  return (matches.instructions ? 1 : 0) + matches.tools.length + matches.resources.length +
    matches.prompts.length;
}

/** Every item of `catalog` of the selected types that matches. */
function matchCatalog(
  catalog: SessionCatalog,
  search: (text: string) => TextMatch | undefined,
  options: GrepOptions,
): SessionMatches {
  const { name } = catalog;
  const { types } = options;
  const matches: SessionMatches = {
    tools: types.tools
      ? (catalog.tools ?? []).filter((t) => search(toolMatchText(name, t)) !== undefined)
      : [],
    resources: types.resources
      ? (catalog.resources ?? []).filter((r) => search(resourceMatchText(name, r)) !== undefined)
      : [],
    prompts: types.prompts
      ? (catalog.prompts ?? []).filter((p) => search(promptMatchText(name, p)) !== undefined)
      : [],
  };
  const instructions = catalog.instructions;
  if (
    types.instructions && instructions && instructions.trim() !== "" &&
    search(instructionsMatchText(name, instructions)) !== undefined
  ) {
    const inText = search(instructions);
    matches.instructions = instructionSnippet(
      instructions,
      inText && { ...inText, patternLength: options.pattern.length },
    );
  }
  return matches;
}

/** The first `limit` items of `matches`, in the order instructions, tools, resources, prompts. */
function takeFirst(matches: SessionMatches, limit: number): SessionMatches {
  let remaining = limit;
  const instructions = remaining > 0 ? matches.instructions : undefined;
  if (instructions) remaining--;
  const tools = matches.tools.slice(0, remaining);
  remaining -= tools.length;
  const resources = matches.resources.slice(0, remaining);
  remaining -= resources.length;
  const prompts = matches.prompts.slice(0, remaining);
  return { ...(instructions ? { instructions } : {}), tools, resources, prompts };
}

/**
 * Searches every queried session. `--max-results` keeps the first N items,
 * session by session in the given order, each session's in the order
 * instructions, tools, resources, prompts; the totals count everything.
 * Throws a usage error for an empty pattern or an invalid regular expression.
 */
export function grepSessions(
  outcomes: readonly SessionOutcome[],
  options: GrepOptions,
): GrepResult {
  const search = compileSearch(options);
  let remaining = options.maxResults === undefined
    ? Infinity
    : Math.max(0, Math.floor(options.maxResults));
  const totals = emptyCounts();
  let total = 0;
  let shown = 0;
  const sessions = outcomes.map((outcome): SessionGrep => {
    if (outcome.kind !== "searched") return outcome;
    const all = matchCatalog(outcome.catalog, search, options);
    const matchCount = countOf(all);
    totals.instructions += all.instructions ? 1 : 0;
    totals.tools += all.tools.length;
    totals.resources += all.resources.length;
    totals.prompts += all.prompts.length;
    total += matchCount;
    const matches = matchCount > remaining ? takeFirst(all, remaining) : all;
    const kept = countOf(matches);
    remaining -= kept;
    shown += kept;
    return { kind: "searched", name: outcome.catalog.name, matches, matchCount };
  });
  return { sessions, totals, total, truncated: total - shown };
}

/** How many items a result shows after the `--max-results` cut. */
export function shownCount(result: GrepResult): number {
  return result.total - result.truncated;
}

/** The `--json` document: searched sessions (with or without matches), then failures, then skipped sessions. */
export function grepJson(result: GrepResult): GrepJson {
  const searched: GrepJsonSession[] = [];
  const failed: GrepJsonError[] = [];
  const skipped: GrepJsonSkipped[] = [];
  for (const session of result.sessions) {
    if (session.kind === "searched") {
      const { matches } = session;
      searched.push({
        name: session.name,
        status: "live",
        instructions: matches.instructions?.text ?? false,
        tools: matches.tools,
        resources: matches.resources,
        prompts: matches.prompts,
      });
    } else if (session.kind === "error") {
      failed.push({ name: session.name, status: "error", error: session.error });
    } else {
      skipped.push({ name: session.name, status: session.status });
    }
  }
  const { tools, resources, prompts } = result.totals;
  return {
    sessions: [...searched, ...failed, ...skipped],
    totalMatches: {
      tools,
      resources,
      prompts,
      ...(result.truncated > 0 ? { truncated: result.truncated } : {}),
    },
  };
}

/** The exit code of a search: 0 when anything matched, else 1 (also in JSON mode). */
export function exitCodeOf(result: GrepResult): number {
  return result.total > 0 ? 0 : 1;
}
