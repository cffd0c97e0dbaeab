/**
 * Help texts, all derived from the command table (the README embeds the top
 * one; a test keeps them equal).
 *
 * Layer: pure.
 * @module
 */

import { commandsFor, type CommandSpec, GLOBAL_OPTIONS, sessionSyntax } from "./command_table.ts";
import { buildCommand, programName } from "./commander_program.ts";

const COLUMN = 31;

function row(term: string, text: string): string {
  return term.length >= COLUMN - 2
    ? `  ${term}\n${" ".repeat(COLUMN)}${text}`
    : `  ${term.padEnd(COLUMN - 2)}${text}`;
}

/** `mcpc --help`. */
export function topHelp(): string {
  const top = commandsFor("top");
  const session = commandsFor("session");
  return [
    "Usage: mcpc [<@session>] [<command>] [options]",
    "",
    "Universal command-line client for the Model Context Protocol (MCP).",
    "",
    "Commands:",
    ...top.map((spec) => row(`${spec.name} ${spec.args}`.trim(), spec.summary)),
    "",
    "Options:",
    ...GLOBAL_OPTIONS.map((option) => row(option.flags, option.description)),
    "",
    "MCP session commands (after connecting):",
    row("mcpc <@session>", "Show server info, capabilities and tools"),
    ...session.map((spec) => `  mcpc <@session> ${sessionSyntax(spec)}`),
    "",
    "Run `mcpc` to list sessions and OAuth profiles; `mcpc --json` prints",
    "{ sessions: [...], profiles: [...] }.",
  ].join("\n");
}

/** `mcpc @s --help`. */
export function sessionHelp(): string {
  return [
    "Usage: mcpc <@session> [command] [options]",
    "",
    "Execute MCP commands on a connected session.",
    "",
    "Commands:",
    ...commandsFor("session").map((spec) =>
      row(sessionSyntax(spec), spec.sessionSummary ?? spec.summary)
    ),
    "",
    "Options:",
    ...GLOBAL_OPTIONS.map((option) => row(option.flags, option.description)),
    "",
    "When no command is given, shows server info, capabilities, and tools.",
  ].join("\n");
}

/** Help for one command (`mcpc connect --help`, `mcpc help tools-call`). */
export function commandHelp(spec: CommandSpec, scope: "top" | "session"): string {
  const command = buildCommand(spec, scope);
  command.parent = null;
  const usage = command.helpInformation()
    .replace(/^Usage: /, `Usage: ${programName(scope)} `)
    .trimEnd();
  const parts = [usage];
  if (spec.details) parts.push(spec.details);
  parts.push(
    ["Global options:", ...GLOBAL_OPTIONS.map((option) => row(option.flags, option.description))]
      .join("\n"),
  );
  if (spec.json) parts.push(`JSON output (--json):\n  ${spec.json}`);
  return parts.join("\n\n");
}
