/**
 * The one declarative list of mcpc's commands and options. Parsing, help,
 * "did you mean" suggestions and the README all come from it.
 *
 * Layer: pure.
 * @module
 */

/** One option of a command. */
export interface OptionSpec {
  /** Commander flag syntax, e.g. `-H, --header <header>`. */
  flags: string;
  /** Help text. */
  description: string;
  /** May be given several times (values collected in order). */
  repeatable?: boolean;
  /** Only in the top-level form (`mcpc close --all`, not `mcpc @s close`). */
  topOnly?: boolean;
}

/** Where a command is available. */
export type CommandScope = "top" | "session" | "both";

/** One command. */
export interface CommandSpec {
  /** Command name. */
  name: string;
  /** Top-level (`mcpc <cmd>`), session (`mcpc @s <cmd>`) or both. */
  scope: CommandScope;
  /** Arguments in commander syntax for the top-level form. */
  args: string;
  /** Arguments in commander syntax for the session form. */
  sessionArgs?: string;
  /** One-line description. */
  summary: string;
  /** The description in the session form, when it differs. */
  sessionSummary?: string;
  /** Command-specific options. */
  options: OptionSpec[];
  /** Extra help text shown after the options. */
  details?: string;
  /** What `--json` prints. */
  json?: string;
  /** An example invocation, shown when a required argument is missing. */
  example?: string;
  /**
   * For session commands listed under "Available commands" in `mcpc @s`: the
   * server capability they need, or `true` when they need none. Unset: not listed.
   */
  advertisedWith?: string | true;
}

/** Options accepted by every command. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: "--json", description: "Output in JSON format for scripting (env: MCPC_JSON)" },
  { flags: "--verbose", description: "Enable debug logging (env: MCPC_VERBOSE)" },
  { flags: "--timeout <seconds>", description: "Request timeout in seconds (default: 300)" },
  { flags: "--max-chars <n>", description: "Truncate human output to n characters" },
  { flags: "-v, --version", description: "Output the version number" },
  { flags: "-h, --help", description: "Display help" },
];

/** Global options that take a value (the router skips their values). */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  "--timeout",
  "--max-chars",
  "-H",
  "--header",
  "--protocol-version",
  "--profile",
  "--scope",
  "--client-id",
  "--client-secret",
  "--client-metadata-url",
  "--callback-port",
  "--client-key",
  "--client-key-alg",
]);

/** Every command. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "connect",
    example: "mcpc connect mcp.example.com @myapp",
    scope: "top",
    args: "<server> [@session]",
    summary: "Connect to an MCP server and start a named @session",
    options: [
      {
        flags: "-H, --header <header>",
        description: 'HTTP header "Key: Value" (repeatable, every one is kept)',
        repeatable: true,
      },
      {
        flags: "--protocol-version <version>",
        description: "Speak only this MCP revision (e.g. 2026-07-28, 2025-11-25), no negotiation",
      },
      {
        flags: "--profile <name>",
        description: 'OAuth profile from "mcpc login" (default: the "default" profile if saved)',
      },
      { flags: "--no-profile", description: "Connect without an OAuth profile" },
    ],
    details: [
      "Server formats:",
      "  mcp.example.com                Streamable HTTP (https:// assumed; http:// for localhost)",
      "  https://host/path              Streamable HTTP endpoint",
      "  ./mcp.json:entry               Entry of a config file (mcpServers or servers);",
      "                                 stdio entries start the command, ${VAR} is substituted",
      "",
      "Session name:",
      "  Omit @session to reuse the session of the same URL or config file entry, or get",
      "  one named after the server. A name that belongs to another server is refused.",
      "",
      "Failures:",
      "  A server that cannot work (malformed URL, not MCP, a failing stdio command) exits 1",
      "  and a new session is not kept; an unreachable one keeps the session (exit 3).",
      "",
      "Authentication:",
      '  -H "Authorization: Bearer ..." sends a static token (never refreshed, no profile);',
      '  otherwise the OAuth profile given with --profile, or the "default" profile saved',
      '  by "mcpc login <server>" for this server, if there is one.',
      "",
      "Secrets:",
      "  Header values, config env values and OAuth tokens are kept out of argv, the",
      "  bridge's environment, sessions.json and logs.",
    ].join("\n"),
    json:
      "[{ _mcpc: { sessionName, server, status, protocolVersion }, protocolVersion, capabilities, serverInfo, instructions, toolNames }]",
  },
  {
    name: "close",
    example: "mcpc close @myapp",
    scope: "both",
    args: "[@session...]",
    sessionArgs: "",
    summary: "Close sessions and stop their bridges",
    sessionSummary: "Close the session and stop its bridge",
    options: [{ flags: "--all", description: "Close every session", topOnly: true }],
    details: [
      "Examples:",
      "  mcpc close @a             close one session",
      "  mcpc close @a @b          close several",
      "  mcpc close --all          close every session",
    ].join("\n"),
    json:
      "{ sessionName, closed: true } for one session; [{ sessionName, closed, error? }, ...] for several or --all",
  },
  {
    name: "restart",
    example: "mcpc restart @myapp",
    scope: "both",
    args: "<@session>",
    sessionArgs: "",
    summary: "Restart a session with a new MCP session (state is lost)",
    options: [],
    json: "Same as mcpc <@session> --json",
  },
  {
    name: "login",
    example: "mcpc login mcp.example.com",
    scope: "top",
    args: "<server>",
    summary: "Log in to an MCP server with OAuth and save the tokens as a profile",
    options: [
      { flags: "--profile <name>", description: 'Profile name (default: "default")' },
      { flags: "--scope <scopes>", description: "Space-separated scopes to request" },
      { flags: "--client-id <id>", description: "Use this pre-registered OAuth client" },
      { flags: "--client-secret <secret>", description: "Secret of the --client-id client" },
      {
        flags: "--client-metadata-url <url>",
        description: "Client ID Metadata Document URL (used when the server supports CIMD)",
      },
      {
        flags: "--client-credentials",
        description: "Machine login with --client-id and --client-secret (no browser)",
      },
      {
        flags: "--client-key <file>",
        description: "Machine login signing with this PKCS#8 PEM key (private_key_jwt)",
      },
      {
        flags: "--client-key-alg <alg>",
        description: "Algorithm of --client-key: ES256 (default), RS256, PS256, ...",
      },
      {
        flags: "--dpop",
        description: "DPoP-bound tokens when the authorization server offers them (ES256)",
      },
      {
        flags: "--callback-port <port>",
        description: "Port of the local callback (default: the first free of 13316, 31613, 16133)",
      },
    ],
    details: [
      "The browser opens the authorization page (MCPC_BROWSER=<program> chooses the",
      "program, which gets the URL as its only argument). Without a browser, open the",
      "printed URL anywhere and, on a terminal, paste the URL the browser was sent to.",
      "The client is --client-id, else the --client-metadata-url document when the",
      "server supports it, else one registered dynamically. --timeout bounds the wait.",
      "--client-credentials (also chosen when the server offers only that grant) gets a",
      "token with the client's own id and secret, and the bridge renews it the same way.",
      "Tokens go to the OS keychain (or credentials.json), never to profiles.json.",
    ].join("\n"),
    json: "{ profile, serverUrl, scopes }",
  },
  {
    name: "logout",
    example: "mcpc logout mcp.example.com",
    scope: "top",
    args: "<server>",
    summary: "Delete an OAuth profile and its tokens",
    options: [{ flags: "--profile <name>", description: 'Profile name (default: "default")' }],
    details: "Sessions that used the profile are named, not stopped.",
    json: "{ profile, serverUrl, deleted: true, affectedSessions }",
  },
  {
    name: "help",
    scope: "top",
    args: "[command]",
    summary: "Show help for a command",
    options: [],
  },
  {
    name: "tools-list",
    scope: "session",
    advertisedWith: "tools",
    args: "",
    summary: "List the server's tools",
    options: [{ flags: "--full", description: "Show full details and input schemas" }],
    json: "[Tool, ...] (https://modelcontextprotocol.io/specification/2025-11-25/schema#tool)",
  },
  {
    name: "tools-get",
    example: "mcpc @myapp tools-get search",
    scope: "session",
    advertisedWith: "tools",
    args: "<name>",
    summary: "Show one tool's details and a call example",
    options: [],
    json: "Tool",
  },
  {
    name: "tools-call",
    example: "mcpc @myapp tools-call search query:=hello",
    scope: "session",
    advertisedWith: "tools",
    args: "<name> [args...]",
    summary: "Call a tool with key:=value pairs, inline JSON or JSON on stdin",
    options: [],
    details: [
      "Arguments:",
      "  key:=value     value parsed as JSON when it parses (10, true, null, [1]), else a string;",
      '                 where the tool\'s schema wants a string, the text as typed (id:=42 sends "42")',
      '  \'{"k":"v"}\'    one inline JSON object',
      "  <stdin         a JSON object piped in when no arguments are given",
      "",
      "Exit code 2 when the result has isError: true.",
    ].join("\n"),
    json:
      "CallToolResult (https://modelcontextprotocol.io/specification/2025-11-25/schema#calltoolresult)",
  },
  {
    name: "ping",
    scope: "session",
    advertisedWith: true,
    args: "",
    summary: "Ping the server and report the round trip",
    options: [],
    json: "{ success: true, durationMs }",
  },
];

/** Commands available in the given scope. */
export function commandsFor(scope: "top" | "session"): CommandSpec[] {
  return COMMANDS.filter((command) => command.scope === scope || command.scope === "both");
}

/** The command named `name` in `scope`, if any. */
export function findCommand(scope: "top" | "session", name: string): CommandSpec | undefined {
  return commandsFor(scope).find((command) => command.name === name);
}

/** How a session command is written in help and hints: `tools-get <name>`, `tools-list [--full]`. */
export function sessionSyntax(spec: CommandSpec): string {
  const args = spec.sessionArgs ?? spec.args;
  if (spec.name === "tools-call") {
    return "tools-call <name> [arg1:=val1 ... | <args-json> | <stdin]";
  }
  const flags = spec.options.filter((option) => !option.topOnly)
    .map((option) => `[${option.flags.split(" ")[0]}]`).join(" ");
  return [spec.name, args, flags].filter(Boolean).join(" ");
}

/** The session commands worth trying on a server with `capabilities`, as written in help. */
export function advertisedCommands(capabilities: Record<string, unknown>): string[] {
  return commandsFor("session")
    .filter((spec) =>
      spec.advertisedWith === true ||
      (spec.advertisedWith !== undefined && Boolean(capabilities[spec.advertisedWith]))
    )
    .map(sessionSyntax);
}
