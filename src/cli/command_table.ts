/**
 * The one declarative list of mcpc's commands and options. Parsing, help,
 * "did you mean" suggestions and the README all come from it.
 *
 * Layer: pure.
 * @module
 */

import { TASKS_EXTENSION_ID } from "../mcp/task_status.ts";

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
  /** Shown in the command's one-line syntax (`tools-list [--full]`). */
  brief?: boolean;
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
   * server capability they need (a dotted path for a nested flag, e.g.
   * `resources.subscribe`; `extensions.<id>` for an extension; several: any of them), or
   * `true` when they need none. Unset: not listed.
   */
  advertisedWith?: string | readonly string[] | true;
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

/** The 2026-07-28 Tasks extension, as a capability path of `advertisedWith`. */
const TASKS_EXTENSION_PATH = `extensions.${TASKS_EXTENSION_ID}`;

/** `--schema` and `--schema-mode`, shared by the commands that check a saved definition. */
const SCHEMA_OPTIONS: OptionSpec[] = [
  {
    flags: "--schema <file>",
    description: "Check the definition against one saved with --json (fail if it changed)",
  },
  {
    flags: "--schema-mode <mode>",
    description: "strict, compatible (default) or ignore",
  },
];

/** How the server's questions (elicitations) are answered when no one can be asked. */
const INPUT_OPTIONS: OptionSpec[] = [
  {
    flags: "--input <json>",
    description: "Answer the server's first form with this JSON object (non-interactive runs)",
  },
  { flags: "--input-file <file>", description: "Like --input, with the JSON read from a file" },
  {
    flags: "--on-input <action>",
    description: "decline (default) or cancel a question no one can answer",
  },
];

/** What `grep` searches and how; the same at the top level and on a session. */
const GREP_OPTIONS: OptionSpec[] = [
  { flags: "--tools", description: "Search tools" },
  { flags: "--resources", description: "Search resources" },
  { flags: "--prompts", description: "Search prompts" },
  { flags: "--instructions", description: "Search the server instructions" },
  { flags: "-E, --regex", description: "The pattern is a JavaScript regular expression" },
  { flags: "-s, --case-sensitive", description: "Match case (default: ignore case)" },
  { flags: "-m, --max-results <n>", description: "Show at most n matches" },
];

/** Every command. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "connect",
    example: "mcpc connect mcp.example.com @myapp",
    scope: "top",
    args: "[server] [@session]",
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
      {
        flags: "--stdio",
        description: "With a config file: also connect its stdio entries (they run commands)",
      },
      {
        flags: "--ca-file <pem>",
        description:
          "Also trust the CA certificates in this PEM file for the server (kept as a path)",
      },
      {
        flags: "--insecure",
        description:
          "Do not check the server's TLS certificate (for testing; kept for the session)",
      },
      {
        flags: "--proxy <[host:]port>",
        description:
          "Also serve the session as an MCP server here (default host 127.0.0.1), e.g. for a sandboxed agent",
      },
      {
        flags: "--proxy-bearer-token <token>",
        description: "Clients of --proxy must send Authorization: Bearer <token>",
      },
      {
        flags: "--x402",
        description: "Pay for tools with the x402 wallet (experimental; see mcpc help x402)",
      },
      {
        flags: "--x402-max-amount <usd>",
        description: "With --x402: the most one payment may be, in US dollars (default 1)",
      },
    ],
    details: [
      "Server formats:",
      "  mcp.example.com                Streamable HTTP (https:// assumed; http:// for localhost)",
      "  https://host/path              Streamable HTTP endpoint",
      "  ./mcp.json:entry               Entry of a config file (mcpServers or servers);",
      "                                 stdio entries start the command, ${VAR} is substituted",
      "  ./mcp.json                     Every entry of the file, each as @<entry>, in parallel;",
      "                                 stdio entries only with --stdio; returns once the",
      "                                 bridges are started (mcpc lists how they fare)",
      "  (none)                         Every entry of the config files found in the usual",
      "                                 places (.mcp.json, .cursor/, .vscode/, .kiro/,",
      "                                 Windsurf, Claude; the project's before the user's)",
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
      "Proxy (--proxy):",
      "  The bridge serves the session at http://host:port/mcp (any path; GET /health",
      "  answers without a token) to 2026-07-28 and 2025-era clients, several at once,",
      "  without handing them the session's credentials. Requests must name the proxy's",
      "  address in Host and Origin (DNS rebinding protection).",
      "",
      "Secrets:",
      "  Header values, config env values, OAuth tokens and the proxy's bearer token are",
      "  kept out of argv, the bridge's environment, sessions.json and logs.",
    ].join("\n"),
    json:
      "[{ _mcpc: { sessionName, server, status, protocolVersion }, protocolVersion, capabilities, serverInfo, instructions, toolNames }]; for config files each entry's _mcpc also has configFile, entry, status created|active|failed|skipped, skipReason?, error?",
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
      {
        flags: "--ca-file <pem>",
        description: "Also trust the CA certificates in this PEM file for the login's requests",
      },
      {
        flags: "--insecure",
        description: "Do not check TLS certificates for the login's requests (for testing)",
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
    name: "clean",
    example: "mcpc clean",
    scope: "top",
    args: "[resources...]",
    summary: "Clean up stale sessions, logs and sockets, or remove sessions, profiles, logs",
    options: [],
    details: [
      "Resources:",
      "  (none)     safe cleanup: mark dead bridges crashed, delete expired and",
      "             unauthorized sessions, remove logs of deleted sessions older than",
      "             7 days and sockets no bridge owns older than 5 minutes",
      "  sessions   close every session (its bridge stopped, its secrets deleted)",
      "  profiles   delete every OAuth profile and its tokens",
      "  logs       delete every bridge log, live sessions' too",
      "  all        all of these, then the emptied folders",
      "Several resources can be given. clean restarts no bridge.",
    ].join("\n"),
    json:
      "{ crashedBridges, expiredSessions, orphanedBridgeLogs, orphanedSockets, sessions, profiles, logs, affectedSessions? }",
  },
  {
    name: "x402",
    example: "mcpc x402 init",
    scope: "top",
    args: "[subcommand] [args...]",
    summary: "Pay for tools with USDC (x402, experimental): the wallet, and signing a payment",
    options: [
      {
        flags: "--amount <usd>",
        description: "sign: pay this many US dollars instead of the amount asked",
      },
      {
        flags: "--expiry <seconds>",
        description: "sign: valid this long (default: the server's maxTimeoutSeconds, else 3600)",
      },
      {
        flags: "--rpc-url <url>",
        description: "info: read the balances from this JSON-RPC endpoint (default: Base mainnet)",
      },
    ],
    details: [
      "Subcommands:",
      "  init                 create the wallet (a new random key, kept in the secret store)",
      "  import               import a private key read from stdin: mcpc x402 import < key.txt",
      "  info                 the address, and its ETH and USDC balances",
      "  remove               delete the wallet",
      "  sign <base64>        sign a payment for a PAYMENT-REQUIRED header value",
      "",
      "A session connected with --x402 pays with the wallet: tools whose definition names a",
      "price (_meta.x402) are paid ahead, a 402 Payment Required and a tool result asking",
      "for payment are paid and retried once. Payments are EIP-3009 USDC authorizations on",
      "Base (eip155:8453) or Base Sepolia (eip155:84532); the key is kept in the secret",
      "store and given to the bridge on its stdin, never in argv, records or logs.",
    ].join("\n"),
    json:
      "init/import: { address, createdAt }; info: { address, createdAt, balances: { eth, usdc } | null, network?, balancesError? } or null; remove: { removed }; sign: { paymentSignature, from, to, amount, amountAtomicUnits, network, expiresAt }",
  },
  {
    name: "completion",
    example: "mcpc completion bash",
    scope: "top",
    args: "<shell>",
    summary: "Print the shell completion script for bash, zsh or fish",
    options: [],
    details: [
      "Install:",
      '  bash  eval "$(mcpc completion bash)"                 (in ~/.bashrc)',
      '  zsh   eval "$(mcpc completion zsh)"                  (in ~/.zshrc, after compinit)',
      "  fish  mcpc completion fish > ~/.config/fish/completions/mcpc.fish",
      "It completes commands, options and their values, @session names and the tool",
      "names of a session (from its bridge, if it answers within 300 ms).",
    ].join("\n"),
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
    options: [{ flags: "--full", description: "Show full details and input schemas", brief: true }],
    json: "[Tool, ...] (https://modelcontextprotocol.io/specification/2025-11-25/schema#tool)",
  },
  {
    name: "tools-get",
    example: "mcpc @myapp tools-get search",
    scope: "session",
    advertisedWith: "tools",
    args: "<name>",
    summary: "Show one tool's details and a call example",
    options: SCHEMA_OPTIONS,
    json: "Tool",
  },
  {
    name: "tools-call",
    example: "mcpc @myapp tools-call search query:=hello",
    scope: "session",
    advertisedWith: "tools",
    args: "<name> [args...]",
    summary: "Call a tool with key:=value pairs, inline JSON or JSON on stdin",
    options: [
      ...SCHEMA_OPTIONS,
      {
        flags: "--task",
        description: "Run as a task and wait for its outcome, showing its status",
      },
      { flags: "--detach", description: "Run as a task and print its id at once" },
      ...INPUT_OPTIONS,
    ],
    details: [
      "Arguments:",
      "  key:=value     value parsed as JSON when it parses (10, true, null, [1]), else a string;",
      '                 where the tool\'s schema wants a string, the text as typed (id:=42 sends "42")',
      '  \'{"k":"v"}\'    one inline JSON object',
      "  <stdin         a JSON object piped in when no arguments are given",
      "",
      "Exit code 2 when the result has isError: true.",
      "",
      "--schema <file> checks the tool against a definition saved with",
      '"tools-get <name> --json" before calling it (exit 1 when it changed incompatibly).',
      "",
      "Tasks: on a server that offers them, --task runs the call as a task (a tool whose",
      "taskSupport is required always runs as one); Ctrl+C (or Esc, on a terminal) then",
      "detaches, leaving the task running, and prints how to follow it. --detach returns",
      "the task id at once.",
      "On a server without tasks, both run the call as usual (with a warning). A 2026-07-28",
      "server decides itself whether a call becomes a task: it may answer at once, and it may",
      "run any call as one (mcpc then follows it to the end; Ctrl+C cancels it).",
      "",
      "When the server asks a question (elicitation), mcpc asks you on a terminal; otherwise",
      "--input answers the first form and other questions are declined (--on-input cancel",
      "cancels them), with a note on stderr.",
    ].join("\n"),
    json:
      "CallToolResult (https://modelcontextprotocol.io/specification/2025-11-25/schema#calltoolresult)",
  },
  {
    name: "tasks-list",
    scope: "session",
    advertisedWith: ["tasks", TASKS_EXTENSION_PATH],
    args: "",
    summary: "List the server's tasks (or those started through this session)",
    options: [],
    json: "{ tasks: Task[] }",
  },
  {
    name: "tasks-get",
    example: "mcpc @myapp tasks-get 786512e2-9e0d-44bd-8f29-789f320fe840",
    scope: "session",
    advertisedWith: ["tasks", TASKS_EXTENSION_PATH],
    args: "<taskId>",
    summary: "Show a task's status",
    options: [],
    json: "Task",
  },
  {
    name: "tasks-result",
    example: "mcpc @myapp tasks-result 786512e2-9e0d-44bd-8f29-789f320fe840",
    scope: "session",
    advertisedWith: ["tasks", TASKS_EXTENSION_PATH],
    args: "<taskId>",
    summary: "Wait for a task's outcome (bounded by --timeout) and show it",
    options: INPUT_OPTIONS,
    details: "Exit code 2 when the result has isError: true.",
    json: "CallToolResult",
  },
  {
    name: "tasks-cancel",
    example: "mcpc @myapp tasks-cancel 786512e2-9e0d-44bd-8f29-789f320fe840",
    scope: "session",
    advertisedWith: ["tasks.cancel", TASKS_EXTENSION_PATH],
    args: "<taskId>",
    summary: "Cancel a task",
    options: [],
    json: "Task",
  },
  {
    name: "resources-list",
    scope: "session",
    advertisedWith: "resources",
    args: "",
    summary: "List the server's resources",
    options: [],
    json:
      "[Resource, ...] (https://modelcontextprotocol.io/specification/2025-11-25/schema#resource)",
  },
  {
    name: "resources-templates-list",
    scope: "session",
    advertisedWith: "resources",
    args: "",
    summary: "List the server's resource templates",
    options: [],
    json: "[ResourceTemplate, ...]",
  },
  {
    name: "resources-read",
    example: "mcpc @myapp resources-read file:///notes.txt",
    scope: "session",
    advertisedWith: "resources",
    args: "<uri>",
    summary: "Read a resource (text is shown, binary content is saved with -o)",
    options: [
      {
        flags: "-o, --output <file>",
        description: "Write the content to a file (decoded bytes)",
        brief: true,
      },
      { flags: "--force", description: "Overwrite the --output file if it exists" },
      {
        flags: "--max-size <bytes>",
        description: "Fail when the content is larger than this many bytes",
      },
    ],
    details: [
      "Binary content is never printed to a terminal: without -o mcpc shows its type and",
      "size. With -o, a resource with one content item is written as its bytes (text as",
      "UTF-8, blobs decoded from base64).",
    ].join("\n"),
    json:
      "ReadResourceResult (https://modelcontextprotocol.io/specification/2025-11-25/schema#readresourceresult); with -o: { uri, path, bytes, mimeType? }",
  },
  {
    name: "resources-subscribe",
    example: "mcpc @myapp resources-subscribe file:///notes.txt",
    scope: "session",
    advertisedWith: "resources.subscribe",
    args: "<uri>",
    summary: "Follow changes of a resource (kept across bridge restarts)",
    options: [],
    details: 'Updates appear in "mcpc <@session> notifications" and in the session details.',
    json: "{ subscribed: true, uri }",
  },
  {
    name: "resources-unsubscribe",
    example: "mcpc @myapp resources-unsubscribe file:///notes.txt",
    scope: "session",
    advertisedWith: "resources.subscribe",
    args: "<uri>",
    summary: "Stop following a resource",
    options: [],
    json: "{ unsubscribed: true, uri }",
  },
  {
    name: "prompts-list",
    scope: "session",
    advertisedWith: "prompts",
    args: "",
    summary: "List the server's prompts",
    options: [],
    json: "[Prompt, ...] (https://modelcontextprotocol.io/specification/2025-11-25/schema#prompt)",
  },
  {
    name: "prompts-get",
    example: "mcpc @myapp prompts-get summarize topic:=mcp",
    scope: "session",
    advertisedWith: "prompts",
    args: "<name> [args...]",
    summary: "Get a prompt with key:=value arguments, inline JSON or JSON on stdin",
    options: SCHEMA_OPTIONS,
    details: [
      "Arguments are given as for tools-call; values are sent as strings, as the",
      'protocol requires (count:=10 sends "10", a JSON object is sent as its JSON text).',
    ].join("\n"),
    json:
      "GetPromptResult (https://modelcontextprotocol.io/specification/2025-11-25/schema#getpromptresult)",
  },
  {
    name: "skills-list",
    scope: "session",
    advertisedWith: "extensions.io.modelcontextprotocol/skills",
    args: "",
    summary: "List the server's skills (the Skills extension)",
    options: [],
    details: "Only the listing is fetched: no skill file is read until skills-pull.",
    json: "[Skill, ...] (https://modelcontextprotocol.io/seps/2640-skills-extension)",
  },
  {
    name: "skills-get",
    example: "mcpc @myapp skills-get pdf-processing",
    scope: "session",
    advertisedWith: "extensions.io.modelcontextprotocol/skills",
    args: "<name>",
    summary: "Show a skill's frontmatter and files (paths, sizes, digests)",
    options: [],
    details: "<name> is the skill's name, its path (acme/refunds) or the URI of its SKILL.md.",
    json: 'Skill (uri, frontmatter, resources: [{ uri, digest, size }, ...] or "dynamic")',
  },
  {
    name: "skills-pull",
    example: "mcpc @myapp skills-pull pdf-processing ./skills/pdf-processing",
    scope: "session",
    advertisedWith: "extensions.io.modelcontextprotocol/skills",
    args: "<name> [dir]",
    summary: "Download a skill's files into dir (default: ./<name>), each one verified",
    options: [{ flags: "--force", description: "Replace dir if it exists and is not empty" }],
    details: [
      "Every file is checked against the skill's entry (size and SHA-256 digest; for",
      "SKILL.md also the frontmatter) before anything is written; a file that does not",
      "match, or whose path would leave dir, fails the pull (exit 2) and nothing is written.",
      "The files are written to a temporary folder next to dir, which then becomes dir.",
    ].join("\n"),
    json: "{ name, uri, path, files: [{ path, uri, size, digest }, ...] }",
  },
  {
    name: "logging-set-level",
    example: "mcpc @myapp logging-set-level debug",
    scope: "session",
    advertisedWith: "logging",
    args: "<level>",
    summary: "Set the least severe log message level the server sends",
    options: [],
    details: [
      "Levels: debug, info, notice, warning, error, critical, alert, emergency.",
      'Server log messages go to the bridge log and to "mcpc <@session> notifications".',
      "On MCP 2026-07-28 the level travels with every request; on older revisions it is",
      "set for the MCP session. Either way it is set again after a bridge restart.",
    ].join("\n"),
    json: "{ level }",
  },
  {
    name: "notifications",
    scope: "session",
    advertisedWith: true,
    args: "",
    summary: "Show the server's notifications (list changes, resource updates, log messages)",
    options: [
      { flags: "--follow", description: "Keep printing new ones until Ctrl+C", brief: true },
    ],
    details: [
      "Shows what the bridge received since it started (the last 200). With --follow,",
      "new notifications are printed as they arrive (one JSON object per line with --json).",
    ].join("\n"),
    json: "[{ at, method, params }, ...]; with --follow one such object per line",
  },
  {
    name: "grep",
    example: "mcpc grep search",
    scope: "both",
    args: "<pattern>",
    summary: "Search the tools, resources, prompts and instructions of all sessions",
    sessionSummary: "Search the session's tools, resources, prompts and instructions",
    options: GREP_OPTIONS,
    advertisedWith: true,
    details: [
      "Without a type option, tools and instructions are searched. Each item is matched as",
      "its JSON (name, description, schema); instructions as their text. Sessions are",
      "searched in parallel from their bridges' caches.",
      "",
      "Exit code 0 when something matched, else 1 (also with --json).",
    ].join("\n"),
    json:
      "{ sessions: [{ name, status, instructions, tools, resources, prompts }], totalMatches: { tools, resources, prompts, truncated? } }",
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
  if (spec.name === "tools-call" || spec.name === "prompts-get") {
    return `${spec.name} <name> [arg1:=val1 ... | <args-json> | <stdin]`;
  }
  const flags = spec.options.filter((option) => option.brief && !option.topOnly)
    .map((option) => `[${option.flags.split(" ")[0].replace(/,$/, "")}]`).join(" ");
  return [spec.name, args, flags].filter(Boolean).join(" ");
}

/** The session commands worth trying on a server with `capabilities`, as written in help. */
export function advertisedCommands(capabilities: Record<string, unknown>): string[] {
  return commandsFor("session")
    .filter(({ advertisedWith: needs }) =>
      needs === true ||
      (needs !== undefined && [needs].flat().some((path) => hasCapability(capabilities, path)))
    )
    .map(sessionSyntax);
}

/** Whether the capability at dotted `path` is present and not `false`. */
function hasCapability(capabilities: Record<string, unknown>, path: string): boolean {
  let value: unknown = capabilities;
  // An extension's id holds dots: `extensions.<id>` names the whole id.
  const keys = path.startsWith("extensions.") ? ["extensions", path.slice(11)] : path.split(".");
  for (const key of keys) {
    if (typeof value !== "object" || value === null) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return value !== undefined && value !== null && value !== false;
}

/** The flags (both spellings) of every option that takes a value: the router skips their values. */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set(
  [...GLOBAL_OPTIONS, ...COMMANDS.flatMap((command) => command.options)]
    .filter((option) => /[<[]/.test(option.flags))
    .flatMap((option) => option.flags.split(/[ ,]+/).filter((flag) => flag.startsWith("-"))),
);
