/**
 * Shell completion: `mcpc completion bash|zsh|fish` prints a script that
 * asks `mcpc __complete <index> <words...>` for the candidates of the word
 * at `index` (the words after `mcpc`, the one being typed included). The
 * candidates come from the one command table (commands, options, their
 * fixed values), the session names in sessions.json (read as is: no lock,
 * no bridge), and the tool names of a session, from its bridge's cache
 * within {@linkcode TOOL_NAMES_BUDGET_MS}.
 *
 * Layer: pure ({@linkcode completionCandidates}, {@linkcode completionScript})
 * and edge ({@linkcode runComplete}).
 * @module
 */

import { commandsFor, findCommand, GLOBAL_OPTIONS, type OptionSpec } from "./command_table.ts";
import { LOG_LEVELS } from "../mcp/log_levels.ts";
import { COMPLETE_SUBCOMMAND } from "../platform/self_command.ts";
import type { BridgeClient } from "../bridge/client.ts";

/** The shells `mcpc completion` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
/** A shell of {@linkcode COMPLETION_SHELLS}. */
export type CompletionShell = typeof COMPLETION_SHELLS[number];

/** How long completing a tool name may wait for the session's bridge (ms). */
export const TOOL_NAMES_BUDGET_MS = 300;

/** Where candidates other than the table's come from. */
export interface CompletionSources {
  /** The session names (`@name`). */
  sessions: () => Promise<string[]>;
  /** The tool names of a session; none when its bridge does not answer in time. */
  tools: (session: string) => Promise<string[]>;
}

/** The fixed values some options take. */
const OPTION_VALUES: Record<string, readonly string[]> = {
  "--schema-mode": ["strict", "compatible", "ignore"],
  "--on-input": ["decline", "cancel"],
  "--protocol-version": ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"],
  "--client-key-alg": ["ES256", "RS256", "PS256", "EdDSA"],
};

/** The fixed arguments of some commands. */
const COMMAND_ARGUMENTS: Record<string, readonly string[]> = {
  x402: ["init", "import", "info", "remove", "sign"],
  completion: COMPLETION_SHELLS,
  clean: ["sessions", "profiles", "logs", "all"],
  "logging-set-level": LOG_LEVELS,
};

/** Commands whose first argument is a tool's name. */
const TOOL_COMMANDS = new Set(["tools-call", "tools-get"]);
/** Top-level commands whose arguments are session names. */
const SESSION_ARGUMENT_COMMANDS = new Set(["close", "restart"]);

/** The candidates for `words[index]` (the words after `mcpc`), those that start with it. */
export async function completionCandidates(
  words: readonly string[],
  index: number,
  sources: CompletionSources,
): Promise<string[]> {
  const current = words[index] ?? "";
  const before = words.slice(0, index);
  const previous = before.at(-1);
  const matching = (candidates: Iterable<string>) =>
    [...new Set(candidates)].filter((candidate) => candidate.startsWith(current)).sort();

  // The value of an option.
  if (previous !== undefined && previous.startsWith("-")) {
    const spec = optionNamed(previous);
    if (spec && takesValue(spec)) return matching(OPTION_VALUES[previous] ?? []);
  }
  const positionals = positionalWords(before);
  const session = positionals[0]?.startsWith("@") ? positionals[0] : undefined;
  const commandName = session ? positionals[1] : positionals[0];
  const scope = session ? "session" : "top";
  const command = commandName === undefined ? undefined : findCommand(scope, commandName);

  if (current.startsWith("-")) {
    return matching(flagsOf([...(command?.options ?? []), ...GLOBAL_OPTIONS]));
  }
  if (commandName === undefined) {
    if (session) return matching(commandsFor("session").map((spec) => spec.name));
    return matching([
      ...commandsFor("top").map((spec) => spec.name),
      ...(current === "" || current.startsWith("@") ? await sources.sessions() : []),
    ]);
  }
  if (!command) return [];
  const argumentIndex = positionals.length - (session ? 2 : 1);
  if (session && TOOL_COMMANDS.has(command.name) && argumentIndex === 0) {
    return matching(await sources.tools(session));
  }
  if (!session && SESSION_ARGUMENT_COMMANDS.has(command.name)) {
    return matching(await sources.sessions());
  }
  if (!session && command.name === "connect" && argumentIndex === 1) {
    return matching(await sources.sessions());
  }
  if (command.name === "help" && argumentIndex === 0) {
    return matching(commandsFor("top").map((spec) => spec.name));
  }
  const fixed = COMMAND_ARGUMENTS[command.name];
  if (fixed && (argumentIndex === 0 || command.name === "clean")) return matching(fixed);
  return [];
}

/** The words that are not options or option values. */
function positionalWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word.startsWith("-") && word.length > 1) {
      const spec = optionNamed(word);
      if (spec && takesValue(spec) && !word.includes("=")) i++;
      continue;
    }
    out.push(word);
  }
  return out;
}

const ALL_OPTIONS: readonly OptionSpec[] = [
  ...GLOBAL_OPTIONS,
  ...commandsFor("top").flatMap((spec) => spec.options),
  ...commandsFor("session").flatMap((spec) => spec.options),
];

function optionNamed(flag: string): OptionSpec | undefined {
  const name = flag.split("=")[0];
  return ALL_OPTIONS.find((spec) => flagsOf([spec]).includes(name));
}

function takesValue(spec: OptionSpec): boolean {
  return /[<[]/.test(spec.flags);
}

function flagsOf(specs: readonly OptionSpec[]): string[] {
  return specs.flatMap((spec) => spec.flags.split(/[ ,]+/).filter((flag) => flag.startsWith("-")));
}

/** The completion script for `shell`: it calls `mcpc __complete` for every completion. */
export function completionScript(shell: CompletionShell): string {
  switch (shell) {
    case "bash":
      return [
        '# mcpc completion for bash: eval "$(mcpc completion bash)" (e.g. in ~/.bashrc)',
        "_mcpc() {",
        "  local IFS=$'\\n'",
        `  COMPREPLY=($(command mcpc ${COMPLETE_SUBCOMMAND} "$((COMP_CWORD - 1))" "\${COMP_WORDS[@]:1}" 2>/dev/null))`,
        "}",
        "complete -o default -F _mcpc mcpc",
        "",
      ].join("\n");
    case "zsh":
      return [
        "#compdef mcpc",
        '# mcpc completion for zsh: eval "$(mcpc completion zsh)" (e.g. in ~/.zshrc, after compinit)',
        "_mcpc() {",
        "  local -a candidates",
        `  candidates=("\${(@f)$(command mcpc ${COMPLETE_SUBCOMMAND} "$((CURRENT - 2))" "\${(@)words[2,-1]}" 2>/dev/null)}")`,
        '  if (( \${#candidates[@]} )) && [[ -n "\${candidates[1]}" ]]; then',
        '    compadd -- "\${candidates[@]}"',
        "  else",
        "    _files",
        "  fi",
        "}",
        "compdef _mcpc mcpc",
        "",
      ].join("\n");
    case "fish":
      return [
        "# mcpc completion for fish: mcpc completion fish > ~/.config/fish/completions/mcpc.fish",
        "function __mcpc_complete",
        "    set -l words (commandline -opc)[2..-1] (commandline -ct)",
        `    command mcpc ${COMPLETE_SUBCOMMAND} (math (count $words) - 1) $words 2>/dev/null`,
        "end",
        "complete -c mcpc -f -a '(__mcpc_complete)'",
        "",
      ].join("\n");
  }
}

/**
 * `mcpc __complete <index> <words...>`: prints the candidates one per line.
 * Never fails: a completion that cannot be made prints nothing.
 */
export async function runComplete(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<string> {
  const index = Number(argv[0]);
  if (!Number.isInteger(index) || index < 0) return "";
  const words = argv.slice(1);
  const { homePaths, resolveHomeDir, bridgeSocketPath } = await import("../platform/paths.ts");
  const home = resolveHomeDir({
    envHome: env.MCPC_HOME_DIR,
    userHome: env.HOME ?? env.USERPROFILE ?? Deno.cwd(),
    cwd: Deno.cwd(),
  });
  const records = async (): Promise<Record<string, { pid?: number }>> => {
    try {
      const file = JSON.parse(await Deno.readTextFile(homePaths(home).sessionsFile));
      return typeof file?.sessions === "object" && file.sessions !== null ? file.sessions : {};
    } catch {
      return {};
    }
  };
  const candidates = await completionCandidates(words, index, {
    sessions: async () => Object.keys(await records()).filter((name) => name.startsWith("@")),
    tools: async (session) => {
      const pid = (await records())[session]?.pid;
      if (typeof pid !== "number") return [];
      const { BridgeClient: Client } = await import("../bridge/client.ts");
      let client: BridgeClient | undefined;
      const work = (async () => {
        client = await Client.connect(bridgeSocketPath(home, session, pid), {
          sessionName: session,
          pid,
          timeoutMs: TOOL_NAMES_BUDGET_MS,
        });
        const { tools } = await client.request("listTools", { refresh: false }, {
          timeoutMs: TOOL_NAMES_BUDGET_MS,
        });
        return tools.map((tool) => tool.name);
      })();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve([]), TOOL_NAMES_BUDGET_MS);
      });
      try {
        return await Promise.race([work.catch(() => []), deadline]);
      } finally {
        clearTimeout(timer);
        client?.close();
      }
    },
  });
  return candidates.length > 0 ? `${candidates.join("\n")}\n` : "";
}
