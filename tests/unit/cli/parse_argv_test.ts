import assert from "node:assert/strict";
import { findCommand } from "../../../src/cli/command_table.ts";
import { commandHelp, sessionHelp, topHelp } from "../../../src/cli/help.ts";
import {
  commandPosition,
  envFlag,
  type EnvFlags,
  type Invocation,
  parseArgv,
  wantsJson,
} from "../../../src/cli/parse_argv.ts";
import { McpcError } from "../../../src/errors.ts";

const OFF: EnvFlags = { json: false, verbose: false };

function parse(argv: string[], env: EnvFlags = OFF): Invocation {
  return parseArgv(argv, env);
}

/** Asserts that parsing `argv` throws a usage error with this message (and hint, if given). */
function assertUsageError(argv: string[], message: string, hint?: string): McpcError {
  let caught: unknown;
  try {
    parse(argv);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof McpcError, `expected McpcError for ${JSON.stringify(argv)}`);
  assert.equal(caught.kind, "usage");
  assert.equal(caught.message, message);
  if (hint !== undefined) assert.equal(caught.hint, hint);
  return caught;
}

function session(invocation: Invocation) {
  assert.equal(invocation.kind, "session");
  return invocation as Extract<Invocation, { kind: "session" }>;
}

function top(invocation: Invocation) {
  assert.equal(invocation.kind, "top");
  return invocation as Extract<Invocation, { kind: "top" }>;
}

function helpText(invocation: Invocation): string {
  assert.equal(invocation.kind, "help");
  return (invocation as Extract<Invocation, { kind: "help" }>).text;
}

function commandHelpFor(name: string, scope: "top" | "session"): string {
  const spec = findCommand(scope, name);
  assert.ok(spec, `no ${scope} command ${name}`);
  return commandHelp(spec, scope);
}

// Routing

Deno.test("parseArgv() routes no arguments to the session list", () => {
  const invocation = parse([]);
  assert.equal(invocation.kind, "list");
  assert.equal(invocation.flags.json, false);
  assert.equal(invocation.flags.verbose, false);
});

Deno.test("parseArgv() routes options without a command to the session list", () => {
  const invocation = parse(["--json", "--verbose"]);
  assert.equal(invocation.kind, "list");
  assert.equal(invocation.flags.json, true);
  assert.equal(invocation.flags.verbose, true);
});

Deno.test("parseArgv() routes a bare @session to server details (command undefined)", () => {
  const invocation = session(parse(["@s"]));
  assert.equal(invocation.session, "@s");
  assert.equal(invocation.command, undefined);
  assert.deepEqual(invocation.args, []);
});

Deno.test("parseArgv() routes @session with a command and its arguments", () => {
  const invocation = session(parse(["@s", "tools-call", "echo", "a:=1", "b:=two"]));
  assert.equal(invocation.session, "@s");
  assert.equal(invocation.command, "tools-call");
  assert.deepEqual(invocation.args, ["echo", ["a:=1", "b:=two"]]);
});

Deno.test("parseArgv() accepts options before and after @session", () => {
  for (const argv of [["--json", "@s"], ["@s", "--json"]]) {
    const invocation = session(parse(argv));
    assert.equal(invocation.session, "@s");
    assert.equal(invocation.command, undefined);
    assert.equal(invocation.flags.json, true, JSON.stringify(argv));
  }
});

Deno.test("parseArgv() accepts options before and after a session command", () => {
  const variants = [
    ["--timeout", "5", "@s", "tools-list", "--full"],
    ["@s", "--timeout", "5", "tools-list", "--full"],
    ["@s", "tools-list", "--full", "--timeout", "5"],
    ["@s", "tools-list", "--timeout", "5", "--full"],
  ];
  for (const argv of variants) {
    const invocation = session(parse(argv));
    assert.equal(invocation.command, "tools-list", JSON.stringify(argv));
    assert.equal(invocation.options.full, true, JSON.stringify(argv));
    assert.equal(invocation.flags.timeout, 5, JSON.stringify(argv));
  }
});

Deno.test("parseArgv() accepts options before and after a top-level command", () => {
  for (
    const argv of [["--timeout", "7", "connect", "x.com"], [
      "connect",
      "x.com",
      "--timeout",
      "7",
    ]]
  ) {
    const invocation = top(parse(argv));
    assert.equal(invocation.command, "connect");
    assert.equal(invocation.args[0], "x.com");
    assert.equal(invocation.flags.timeout, 7, JSON.stringify(argv));
  }
});

Deno.test("parseArgv() takes --profile and --no-profile on connect, login and logout only", () => {
  const connect = parse(["connect", "x.com", "--profile", "work"]);
  assert.equal(connect.kind === "top" && connect.options.profile, "work");
  const anonymous = parse(["connect", "x.com", "--no-profile"]);
  assert.equal(anonymous.kind === "top" && anonymous.options.profile, false);
  const login = parse(["login", "x.com", "--profile", "p", "--scope", "a b"]);
  assert.ok(login.kind === "top");
  assert.deepEqual([login.options.profile, login.options.scope], ["p", "a b"]);
  const logout = parse(["logout", "x.com", "--profile", "p"]);
  assert.equal(logout.kind === "top" && logout.options.profile, "p");
  assertUsageError(["logout", "x.com", "--scope", "a"], "Unknown option: --scope");
  assertUsageError(["@s", "ping", "--profile", "p"], "Unknown option: --profile");
  assertUsageError(["--profile", "x"], "Unknown option: --profile");
  assertUsageError(["@s", "--profile", "x"], "Unknown option: --profile");
});

Deno.test("parseArgv() does not mistake an option value for the command", () => {
  const invocation = session(parse(["--timeout", "5", "--max-chars", "40", "@s", "ping"]));
  assert.equal(invocation.command, "ping");
  assert.equal(invocation.flags.timeout, 5);
  assert.equal(invocation.flags.maxChars, 40);
});

Deno.test("parseArgv() accepts the --opt=value form", () => {
  const invocation = session(parse(["--timeout=7", "@s", "ping", "--max-chars=12"]));
  assert.equal(invocation.command, "ping");
  assert.equal(invocation.flags.timeout, 7);
  assert.equal(invocation.flags.maxChars, 12);
});

Deno.test("parseArgv() treats -j exactly like --json", () => {
  assert.equal(parse(["-j"]).flags.json, true);
  assert.equal(session(parse(["@s", "ping", "-j"])).flags.json, true);
  assert.equal(session(parse(["-j", "@s", "ping"])).flags.json, true);
  assert.deepEqual(parse(["@s", "tools-list", "-j"]), parse(["@s", "tools-list", "--json"]));
});

Deno.test("parseArgv() routes top-level commands with their arguments", () => {
  const close = top(parse(["close", "@s"]));
  assert.equal(close.command, "close");
  assert.deepEqual(close.args, [["@s"]]);
  assert.deepEqual(top(parse(["close", "@a", "@b"])).args, [["@a", "@b"]]);
  const all = top(parse(["close", "--all"]));
  assert.deepEqual(all.args, [[]]);
  assert.equal(all.options.all, true);
  assertUsageError(["@s", "close", "--all"], "Unknown option: --all");
  const sessionClose = session(parse(["@s", "close"]));
  assert.equal(sessionClose.command, "close");
  assert.deepEqual(sessionClose.args, []);
});

Deno.test("parseArgv() takes the token after -- as the command even if it looks like an option", () => {
  const invocation = session(parse(["--", "@s"]));
  assert.equal(invocation.session, "@s");
});

// Environment flags

Deno.test("parseArgv() takes json and verbose defaults from the env parameter", () => {
  const env = { json: true, verbose: true };
  const list = parse([], env);
  assert.equal(list.flags.json, true);
  assert.equal(list.flags.verbose, true);
  const invocation = session(parse(["@s", "ping"], env));
  assert.equal(invocation.flags.json, true);
  assert.equal(invocation.flags.verbose, true);
  assert.equal(parse(["--help"], env).flags.json, true);
});

Deno.test("parseArgv() lets --json and --verbose turn on flags the env leaves off", () => {
  const invocation = session(parse(["@s", "ping", "--json", "--verbose"], OFF));
  assert.equal(invocation.flags.json, true);
  assert.equal(invocation.flags.verbose, true);
});

const ENV_FLAG_TABLE: [string | undefined, boolean][] = [
  ["1", true],
  ["true", true],
  ["TRUE", true],
  ["True", true],
  ["yes", true],
  ["YES", true],
  [" TRUE ", true],
  ["\t1\n", true],
  ["0", false],
  ["no", false],
  ["false", false],
  ["invalid", false],
  ["", false],
  ["  ", false],
  ["2", false],
  ["y", false],
  ["on", false],
  [undefined, false],
];

for (const [value, expected] of ENV_FLAG_TABLE) {
  Deno.test(`envFlag() is ${expected ? "on" : "off"} for ${JSON.stringify(value)}`, () => {
    assert.equal(envFlag(value), expected);
  });
}

// Version

Deno.test("parseArgv() returns version for --version and -v", () => {
  assert.equal(parse(["--version"]).kind, "version");
  assert.equal(parse(["-v"]).kind, "version");
  assert.equal(parse(["@s", "-v"]).kind, "version");
  assert.equal(parse(["--json", "--version"]).flags.json, true);
});

Deno.test("parseArgv() passes -v inside a tool argument on to tools-call", () => {
  const invocation = session(parse(["@s", "tools-call", "x", "arg:=-v"]));
  assert.equal(invocation.command, "tools-call");
  assert.deepEqual(invocation.args, ["x", ["arg:=-v"]]);
});

Deno.test("parseArgv() passes -v after -- on as a tool argument", () => {
  const invocation = session(parse(["@s", "tools-call", "x", "--", "-v"]));
  assert.equal(invocation.command, "tools-call");
  assert.deepEqual(invocation.args, ["x", ["-v"]]);
});

// Help

Deno.test("parseArgv() returns the top help for --help, -h and help", () => {
  for (const argv of [["--help"], ["-h"], ["help"], ["--json", "--help"]]) {
    const text = helpText(parse(argv));
    assert.equal(text, topHelp(), JSON.stringify(argv));
    assert.match(text, /^Usage: mcpc \[<@session>\] \[<command>\] \[options\]/);
  }
});

Deno.test("parseArgv() returns the session help for @s --help", () => {
  for (const argv of [["@s", "--help"], ["@s", "-h"], ["--help", "@s"]]) {
    const text = helpText(parse(argv));
    assert.equal(text, sessionHelp(), JSON.stringify(argv));
    assert.match(text, /^Usage: mcpc <@session> \[command\] \[options\]/);
  }
});

Deno.test("parseArgv() returns a session command's help for @s <cmd> --help", () => {
  const text = helpText(parse(["@s", "tools-list", "--help"]));
  assert.equal(text, commandHelpFor("tools-list", "session"));
  assert.match(text, /^Usage: mcpc <@session> tools-list/);
  assert.equal(helpText(parse(["@s", "ping", "-h"])), commandHelpFor("ping", "session"));
});

Deno.test("parseArgv() returns a top command's help for <cmd> --help", () => {
  const text = helpText(parse(["connect", "--help"]));
  assert.equal(text, commandHelpFor("connect", "top"));
  assert.match(text, /^Usage: mcpc connect /);
  assert.equal(helpText(parse(["connect", "-h"])), text);
});

Deno.test("parseArgv() shows the session command's help for mcpc tools-list --help", () => {
  const text = helpText(parse(["tools-list", "--help"]));
  assert.equal(text, commandHelpFor("tools-list", "session"));
  assert.match(text, /^Usage: mcpc <@session> tools-list/);
  assert.equal(helpText(parse(["tools-call", "-h"])), commandHelpFor("tools-call", "session"));
});

Deno.test("parseArgv() returns per-command help for help connect and help tools-call", () => {
  const connect = helpText(parse(["help", "connect"]));
  assert.equal(connect, commandHelpFor("connect", "top"));
  assert.match(connect, /^Usage: mcpc connect /);
  const toolsCall = helpText(parse(["help", "tools-call"]));
  assert.equal(toolsCall, commandHelpFor("tools-call", "session"));
  assert.match(toolsCall, /^Usage: mcpc <@session> tools-call /);
});

Deno.test("parseArgv() shows the tools-call help when --help has no tool name", () => {
  const text = helpText(parse(["@s", "tools-call", "--help"]));
  assert.equal(text, commandHelpFor("tools-call", "session"));
});

Deno.test("parseArgv() treats tools-call <name> --help as tools-get <name>", () => {
  const invocation = session(parse(["@s", "tools-call", "search", "q:=1", "--help", "--json"]));
  assert.equal(invocation.command, "tools-get");
  assert.deepEqual(invocation.args, ["search"]);
  assert.equal(invocation.flags.json, true);
});

Deno.test("parseArgv() rejects help for an unknown command with a hint", () => {
  const error = assertUsageError(["help", "nope"], "Unknown command: nope");
  assert.ok(error.hint?.endsWith('Run "mcpc --help" for usage information.'), error.hint);
  assertUsageError(
    ["help", "list-tools"],
    "Unknown command: list-tools",
    'Did you mean: mcpc help tools-list\nRun "mcpc --help" for usage information.',
  );
});

// Repeatable and negatable options

Deno.test("parseArgv() keeps every -H value in order", () => {
  const invocation = top(
    parse(["connect", "x.com", "-H", "A: 1", "--header", "B: 2", "-H", "A: 3", "--header=C: 4"]),
  );
  assert.deepEqual(invocation.options.header, ["A: 1", "B: 2", "A: 3", "C: 4"]);
});

Deno.test("parseArgv() keeps -H values given before the command", () => {
  const invocation = top(parse(["connect", "-H", "A: 1", "x.com", "@a", "-H", "B: 2"]));
  assert.deepEqual(invocation.args, ["x.com", "@a"]);
  assert.deepEqual(invocation.options.header, ["A: 1", "B: 2"]);
});

// Unknown commands

Deno.test("parseArgv() rejects an unknown top-level command with a session suggestion", () => {
  assertUsageError(
    ["list-tools"],
    "Unknown command: list-tools",
    'Did you mean: mcpc <@session> tools-list\nRun "mcpc --help" for usage information.',
  );
});

Deno.test("parseArgv() suggests a top-level command for a misspelling", () => {
  assertUsageError(
    ["conect"],
    "Unknown command: conect",
    'Did you mean: mcpc connect\nRun "mcpc --help" for usage information.',
  );
});

Deno.test("parseArgv() rejects an unknown command without a suggestion when nothing is close", () => {
  assertUsageError(
    ["zzzzzzzzzzzz"],
    "Unknown command: zzzzzzzzzzzz",
    'Run "mcpc --help" for usage information.',
  );
});

Deno.test("parseArgv() reports a session command without a session target", () => {
  assertUsageError(
    ["tools-list"],
    "Missing session target for command: tools-list",
    'Did you mean: mcpc <@session> tools-list\nRun "mcpc --help" for usage information.',
  );
});

Deno.test("parseArgv() rejects an unknown session command with a suggestion", () => {
  assertUsageError(
    ["@s", "tools-lst"],
    "Unknown command: tools-lst",
    'Did you mean: mcpc @s tools-list\nRun "mcpc @s --help" for available commands.',
  );
});

Deno.test("parseArgv() rejects an unknown session command without a suggestion", () => {
  assertUsageError(
    ["@s", "zzzzzzzzzzzz"],
    "Unknown command: zzzzzzzzzzzz",
    'Run "mcpc @s --help" for available commands.',
  );
});

Deno.test("parseArgv() rejects a top-only command after @session", () => {
  assertUsageError(["@s", "connect", "x.com"], "Unknown command: connect");
});

// Commander errors

Deno.test("parseArgv() turns a missing argument into a usage error", () => {
  const error = assertUsageError(
    ["login"],
    "Missing required argument: server\n\nExample: mcpc login mcp.example.com",
  );
  assert.match(error.hint ?? "", /^Run "mcpc --help" for usage information\./);
  const sessionError = assertUsageError(
    ["@s", "tools-call"],
    "Missing required argument: name\n\nExample: mcpc @myapp tools-call search query:=hello",
  );
  assert.match(sessionError.hint ?? "", /^Run "mcpc @s --help" for usage information\./);
});

Deno.test("parseArgv() turns an unknown option into a sentence-case usage error", () => {
  assertUsageError(
    ["--bogus"],
    "Unknown option: --bogus",
    'Run "mcpc --help" for usage information.',
  );
  assertUsageError(
    ["@s", "ping", "--bogus"],
    "Unknown option: --bogus",
    'Run "mcpc @s --help" for usage information.',
  );
});

Deno.test("parseArgv() turns excess arguments into a sentence-case usage error", () => {
  assertUsageError(
    ["@s", "ping", "extra"],
    "Too many arguments for 'ping'. Expected 0 arguments but got 1.",
  );
});

Deno.test("parseArgv() turns a missing option value into a usage error", () => {
  const error = assertUsageError(["--timeout"], "Option '--timeout <seconds>' argument missing");
  assert.doesNotMatch(error.message, /^error:/);
});

// Numeric option validation

const RANGE = "Must be a number of seconds from 0.001 to 86400 (24 hours).";

for (const value of ["x", "0", "-1", "0.0", "", "1e3", "5s", "1.2.3", ".", "NaN", "Infinity"]) {
  Deno.test(`parseArgv() rejects --timeout ${JSON.stringify(value)}, naming the range`, () => {
    assertUsageError([`--timeout=${value}`], `Invalid --timeout value: "${value}". ${RANGE}`);
  });
}

Deno.test("parseArgv() keeps --timeout within 24 hours", () => {
  for (const value of ["86400.001", "86401", "2147483", "99999999999"]) {
    assertUsageError(["--timeout", value], `Invalid --timeout value: "${value}". ${RANGE}`);
  }
  assertUsageError(["--timeout", "0.0001"], `Invalid --timeout value: "0.0001". ${RANGE}`);
  assert.equal(parse(["--timeout", "86400"]).flags.timeout, 86_400);
  assert.equal(parse(["--timeout", "0.001"]).flags.timeout, 0.001);
});

Deno.test("parseArgv() cuts a long --timeout value in its message", () => {
  const value = "9".repeat(500);
  assertUsageError(["--timeout", value], `Invalid --timeout value: "${"9".repeat(40)}…". ${RANGE}`);
});

Deno.test("parseArgv() accepts decimal --timeout values", () => {
  assert.equal(parse(["--timeout", "1.5"]).flags.timeout, 1.5);
  assert.equal(session(parse(["@s", "ping", "--timeout=0.25"])).flags.timeout, 0.25);
  assert.equal(parse(["--timeout", ".5"]).flags.timeout, 0.5);
  assert.equal(parse(["--timeout", "30"]).flags.timeout, 30);
});

Deno.test('parseArgv() treats an empty command like none (mcpc "" lists sessions)', () => {
  assert.equal(parse([""]).kind, "list");
  assert.equal(parse(["--json", ""]).kind, "list");
});

Deno.test("parseArgv() rejects --timeout -1 given as a separate value", () => {
  assertUsageError(["@s", "ping", "--timeout", "-1"], `Invalid --timeout value: "-1". ${RANGE}`);
});

for (const name of ["", " ", "\t \n"]) {
  for (const command of ["tools-get", "tools-call"]) {
    Deno.test(`parseArgv() refuses ${command} with the tool name ${JSON.stringify(name)}`, () => {
      const error = assertUsageError(
        ["@s", command, name],
        `Invalid tool name for ${command}: ${JSON.stringify(name)} is empty or only whitespace`,
      );
      assert.match(error.hint ?? "", /mcpc @s tools-list/);
    });
  }
}

Deno.test("parseArgv() refuses an empty tool name given after other arguments", () => {
  assertUsageError(
    ["@s", "--json", "tools-call", "", "a:=1"],
    'Invalid tool name for tools-call: "" is empty or only whitespace',
  );
});

Deno.test("parseArgv() keeps tool names with inner or surrounding spaces", () => {
  const parsed = session(parse(["@s", "tools-get", " my tool "]));
  assert.deepEqual(parsed.args, [" my tool "]);
});

for (const value of ["x", "0", "-1", "1.5"]) {
  Deno.test(`parseArgv() rejects --max-chars ${JSON.stringify(value)}`, () => {
    assertUsageError(
      ["@s", "tools-list", `--max-chars=${value}`],
      `Invalid --max-chars value: "${value}". Must be a positive number (characters).`,
    );
  });
}

Deno.test("parseArgv() parses valid --timeout and --max-chars as numbers", () => {
  const invocation = session(parse(["@s", "ping", "--timeout", "30", "--max-chars", "100"]));
  assert.equal(invocation.flags.timeout, 30);
  assert.equal(invocation.flags.maxChars, 100);
  const none = session(parse(["@s", "ping"]));
  assert.equal(none.flags.timeout, undefined);
  assert.equal(none.flags.maxChars, undefined);
});

// wantsJson

Deno.test("wantsJson() is true for --json or -j anywhere before --", () => {
  assert.equal(wantsJson(["--json"], OFF), true);
  assert.equal(wantsJson(["@s", "tools-call", "x", "-j"], OFF), true);
  assert.equal(wantsJson(["connect", "--json", "x"], OFF), true);
});

Deno.test("wantsJson() ignores --json and -j after --", () => {
  assert.equal(wantsJson(["@s", "tools-call", "x", "--", "--json"], OFF), false);
  assert.equal(wantsJson(["--", "-j"], OFF), false);
});

Deno.test("wantsJson() follows the env flag", () => {
  assert.equal(wantsJson([], { json: true, verbose: false }), true);
  assert.equal(wantsJson([], OFF), false);
  assert.equal(wantsJson(["--verbose", "--jsonx"], OFF), false);
});

// commandPosition

Deno.test("commandPosition() returns the first bare token", () => {
  assert.equal(commandPosition(["@s", "ping"]), 0);
  assert.equal(commandPosition(["--json", "--verbose", "connect"]), 2);
});

Deno.test("commandPosition() skips the values of value-taking options", () => {
  for (const option of ["--timeout", "--max-chars", "-H", "--header"]) {
    assert.equal(commandPosition([option, "value", "cmd"]), 2, option);
  }
  assert.equal(commandPosition(["--timeout", "5", "-H", "A: 1", "--header", "B", "@s"]), 6);
});

Deno.test("commandPosition() does not skip a token after a flag or an --opt=value", () => {
  assert.equal(commandPosition(["--json", "cmd"]), 1);
  assert.equal(commandPosition(["--timeout=5", "cmd"]), 1);
  assert.equal(commandPosition(["--full", "cmd"]), 1);
});

Deno.test("commandPosition() returns -1 when there is no command", () => {
  assert.equal(commandPosition([]), -1);
  assert.equal(commandPosition(["--json", "--verbose"]), -1);
  assert.equal(commandPosition(["--timeout", "5"]), -1);
  assert.equal(commandPosition([""]), -1);
});

Deno.test("commandPosition() takes the token after -- even if it starts with a dash", () => {
  assert.equal(commandPosition(["--", "--weird"]), 1);
  assert.equal(commandPosition(["--json", "--", "@s"]), 2);
  assert.equal(commandPosition(["--"]), -1);
});

Deno.test("commandPosition() treats a lone - as a command token", () => {
  assert.equal(commandPosition(["--json", "-"]), 1);
});

Deno.test("parseArgv() returns the session help for mcpc @s help", () => {
  const off = { json: false, verbose: false };
  assert.deepEqual(parseArgv(["@s", "help"], off), {
    kind: "help",
    text: sessionHelp(),
    flags: off,
  });
});

Deno.test("parseArgv() shows tools-call help when --help follows only option values", () => {
  const invocation = parseArgv(["@s", "tools-call", "--timeout", "5", "--help"], {
    json: false,
    verbose: false,
  });
  assert.equal(
    invocation.kind === "help" && invocation.text,
    commandHelp(findCommand("session", "tools-call")!, "session"),
  );
});

Deno.test("parseArgv() passes -h after -- on as a tool argument", () => {
  const invocation = parseArgv(["@s", "tools-call", "x", "--", "-h"], {
    json: false,
    verbose: false,
  });
  assert.equal(invocation.kind === "session" && invocation.command, "tools-call");
  assert.deepEqual(invocation.kind === "session" && invocation.args, ["x", ["-h"]]);
});

Deno.test("parseArgv() keeps option values when tools-call <name> --help becomes tools-get", () => {
  const invocation = parseArgv(["@s", "tools-call", "x", "--help", "--timeout", "5"], {
    json: false,
    verbose: false,
  });
  assert.equal(invocation.kind === "session" && invocation.command, "tools-get");
  assert.deepEqual(invocation.kind === "session" && invocation.args, ["x"]);
  assert.equal(invocation.flags.timeout, 5);
});

Deno.test("parseArgv() suggests the resource, prompt and notification commands", () => {
  for (
    const [typed, meant] of [
      ["resource-list", "resources-list"],
      ["resource-templates-list", "resources-templates-list"],
      ["prompt-get", "prompts-get"],
      ["notification", "notifications"],
      ["logging-set-lvl", "logging-set-level"],
    ]
  ) {
    assertUsageError(
      ["@s", typed],
      `Unknown command: ${typed}`,
      `Did you mean: mcpc @s ${meant}\nRun "mcpc @s --help" for available commands.`,
    );
  }
});

Deno.test("parseArgv() reads the options of the new session commands", () => {
  const read = session(parse(["@s", "resources-read", "demo://x", "-o", "f.bin", "--force"]));
  assert.deepEqual(read.args, ["demo://x"]);
  assert.equal(read.options.output, "f.bin");
  assert.equal(read.options.force, true);
  const sized = session(parse(["@s", "resources-read", "--max-size", "10", "demo://x"]));
  assert.equal(sized.options.maxSize, "10");
  const prompt = session(parse(["@s", "prompts-get", "greet", "name:=Ada", "--schema", "p.json"]));
  assert.deepEqual(prompt.args, ["greet", ["name:=Ada"]]);
  assert.equal(prompt.options.schema, "p.json");
  const grep = session(parse(["@s", "grep", "x", "-E", "-s", "-m", "3", "--prompts"]));
  assert.deepEqual(grep.args, ["x"]);
  assert.deepEqual(
    [grep.options.regex, grep.options.caseSensitive, grep.options.maxResults, grep.options.prompts],
    [true, true, "3", true],
  );
  const follow = session(parse(["@s", "notifications", "--follow"]));
  assert.equal(follow.options.follow, true);
  const all = top(parse(["grep", "x", "--tools"]));
  assert.equal(all.command, "grep");
  assert.equal(all.options.tools, true);
});

Deno.test("parseArgv() takes connect without a server (config discovery) and with --stdio", () => {
  const bare = parse(["connect"]);
  assert.equal(bare.kind, "top");
  assert.deepEqual((bare as { args: unknown[] }).args, [undefined, undefined]);
  const stdio = parse(["connect", "./mcp.json", "--stdio"]);
  assert.equal((stdio as { options: Record<string, unknown> }).options.stdio, true);
});

Deno.test("parseArgv() takes a command's own options before its word (mcpc --insecure connect)", () => {
  const connect = top(parse(["--insecure", "--json", "connect", "https://a.example/mcp", "@a"]));
  assert.equal(connect.command, "connect");
  assert.deepEqual(connect.args, ["https://a.example/mcp", "@a"]);
  assert.equal(connect.options.insecure, true);
  assert.equal(connect.flags.json, true);
  const login = top(parse(["--profile", "work", "login", "a.example", "--insecure"]));
  assert.equal(login.options.profile, "work");
  assert.equal(login.options.insecure, true);
  assertUsageError(["--insecure", "clean", "logs"], "Unknown option: --insecure");
  assertUsageError(["--insecure", "@s", "tools-list"], "Unknown option: --insecure");
});
