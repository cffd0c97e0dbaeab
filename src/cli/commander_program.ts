/**
 * Builds commander programs from the command table. Commander does the
 * token-level work (options anywhere, `--opt=value`, variadic arguments,
 * per-command help); the table stays ours.
 *
 * Layer: pure (commander objects are built and parsed in memory).
 * @module
 */

import { Command, Option } from "commander";
import { commandsFor, type CommandSpec, GLOBAL_OPTIONS, type OptionSpec } from "./command_table.ts";

/** What a parsed command line asked for. */
export interface ParsedCommand {
  /** Command name, or `undefined` for the program's own action. */
  command?: string;
  /** Positional arguments in declaration order (a variadic one as an array). */
  args: unknown[];
  /** All option values, global and command-specific. */
  options: Record<string, unknown>;
}

/** The program name shown in help: `mcpc` or `mcpc <@session>`. */
export function programName(scope: "top" | "session"): string {
  return scope === "top" ? "mcpc" : "mcpc <@session>";
}

function addOption(command: Command, spec: OptionSpec): void {
  const option = new Option(spec.flags, spec.description);
  if (spec.repeatable) {
    option.argParser((
      value: string,
      previous: string[] | undefined,
    ) => [...(previous ?? []), value]);
  }
  command.addOption(option);
}

function configure(command: Command, sink: { out: string }): Command {
  return command
    .exitOverride()
    .allowExcessArguments(false)
    .helpOption("-h, --help", "Display help")
    .configureHelp({ helpWidth: 100 })
    .configureOutput({
      writeOut: (text) => sink.out += text,
      writeErr: (text) => sink.out += text,
      outputError: () => {},
    });
}

/** Builds the commander command for one table entry. */
export function buildCommand(
  spec: CommandSpec,
  scope: "top" | "session",
  sink: { out: string } = { out: "" },
): Command {
  const args = scope === "session" && spec.sessionArgs !== undefined ? spec.sessionArgs : spec.args;
  const summary = scope === "session" ? spec.sessionSummary ?? spec.summary : spec.summary;
  const command = configure(new Command(spec.name), sink).description(summary);
  if (args) command.arguments(args);
  for (const option of spec.options) {
    if (scope === "top" || !option.topOnly) addOption(command, option);
  }
  return command;
}

/** Builds a program for `scope` whose actions record what was parsed into `result`. */
export function buildProgram(
  scope: "top" | "session",
  result: ParsedCommand,
  sink: { out: string },
): Command {
  const program = configure(new Command(programName(scope)), sink);
  for (const option of GLOBAL_OPTIONS) {
    if (!option.flags.includes("--help")) addOption(program, option);
  }
  program.action(() => {
    result.options = program.opts();
  });
  for (const spec of commandsFor(scope)) {
    const command = buildCommand(spec, scope, sink);
    command.action((...values: unknown[]) => {
      const self = values[values.length - 1] as Command;
      result.command = spec.name;
      result.args = values.slice(0, -2);
      result.options = self.optsWithGlobals();
    });
    program.addCommand(command);
  }
  return program;
}
