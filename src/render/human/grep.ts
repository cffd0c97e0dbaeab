/**
 * Human output of `mcpc @s grep <pattern>` (one session; the caller prints
 * the `[@s → target]` prefix) and `mcpc grep <pattern>` (all sessions),
 * reference.md §8.2.
 *
 * Layer: pure.
 * @module
 */

import type { GrepResult, SessionMatches, Snippet } from "../../app/grep_match.ts";
import type { Theme } from "../theme.ts";
import { FENCE } from "./misc.ts";
import { statusBadge } from "./sessions.ts";
import { renderToolLine } from "./tools.ts";

/** `1 match` / `N matches`. */
function matchesText(count: number): string {
  return `${count} ${count === 1 ? "match" : "matches"}`;
}

/** ` (showing M)` when `--max-results` left items out, else "". */
function showingSuffix(result: GrepResult): string {
  return result.truncated > 0 ? ` (showing ${result.total - result.truncated})` : "";
}

/** The snippet with its match in bold underline. */
function highlighted(snippet: Snippet, theme: Theme): string {
  if (!snippet.highlight) return snippet.text;
  const [start, end] = snippet.highlight;
  const { text } = snippet;
  return text.slice(0, start) + theme.boldUnderline(text.slice(start, end)) + text.slice(end);
}

/** `Title (N):` and one bullet per item, the bullets two spaces further in. */
function section<T>(
  title: string,
  items: readonly T[],
  line: (item: T) => string,
  indent: string,
  theme: Theme,
): string[] {
  if (items.length === 0) return [];
  return [
    `${indent}${theme.bold(`${title} (${items.length}):`)}`,
    ...items.map((item) => `${indent}  ${line(item)}`),
  ];
}

/** The matched items of one session: instructions snippet, tools, resources, prompts. */
function matchLines(matches: SessionMatches, indent: string, theme: Theme): string[] {
  const lines: string[] = [];
  if (matches.instructions) {
    const quoted = `${FENCE}${highlighted(matches.instructions, theme)}${FENCE}`;
    lines.push(`${indent}${theme.bold("Instructions:")} ${theme.dim(quoted)}`);
  }
  lines.push(
    ...section("Tools", matches.tools, (tool) => renderToolLine(tool, theme), indent, theme),
    ...section(
      "Resources",
      matches.resources,
      (r) => `* ${theme.grey(`\`${r.uri}\``)}`,
      indent,
      theme,
    ),
    ...section(
      "Prompts",
      matches.prompts,
      (p) => `* ${theme.grey(`\`${p.name}\``)}`,
      indent,
      theme,
    ),
  );
  return lines;
}

/**
 * `@s grep`: the matched items of the one session and `N matches[ (showing M)].`,
 * or `No matches found.`.
 */
export function renderGrepSession(result: GrepResult, theme: Theme): string {
  const session = result.sessions.find((s) => s.kind === "searched");
  if (result.total === 0 || !session) return "No matches found.";
  return [
    ...matchLines(session.matches, "", theme),
    "",
    theme.dim(`${matchesText(result.total)}${showingSuffix(result)}.`),
  ].join("\n");
}

/**
 * `grep`: sessions that were not queried (`@x ○ crashed`), each session with
 * matches under its cyan name, `Warning: @x — <error>` for failed queries,
 * then `N matches across K sessions[ (showing M)].` or `No matches found.`;
 * without any session, `No active sessions.` and how to connect one.
 */
export function renderGrepAll(result: GrepResult, theme: Theme): string {
  if (result.sessions.length === 0) {
    return [
      theme.bold("No active sessions."),
      theme.dim("  ↳ run: mcpc connect mcp.example.com @test"),
    ].join("\n");
  }
  const lines: string[] = [];
  for (const session of result.sessions) {
    if (session.kind === "skipped") {
      lines.push(`${theme.cyan(session.name)} ${statusBadge(session.status, theme)}`);
    }
  }
  let sessionsWithMatches = 0;
  for (const session of result.sessions) {
    if (session.kind !== "searched" || session.matchCount === 0) continue;
    sessionsWithMatches++;
    const shown = matchLines(session.matches, "  ", theme);
    if (shown.length > 0) lines.push(theme.cyan(session.name), ...shown, "");
  }
  for (const session of result.sessions) {
    if (session.kind === "error") {
      lines.push(theme.yellow(`Warning: ${session.name} — ${session.error}`));
    }
  }
  if (result.total === 0) {
    return lines.length === 0
      ? "No matches found."
      : [...lines, "", "No matches found."].join("\n");
  }
  const sessionsText = `${sessionsWithMatches} ${
    sessionsWithMatches === 1 ? "session" : "sessions"
  }`;
  lines.push(
    theme.dim(`${matchesText(result.total)} across ${sessionsText}${showingSuffix(result)}.`),
  );
  return lines.join("\n");
}
