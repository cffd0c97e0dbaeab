/**
 * The bundled demo MCP server used by the demo, the e2e tests and the benchmark.
 *
 * Serves the tools `echo`, `add`, `fail`, `slow` and `stats` (plus optional
 * `tool-1..N`) over Streamable HTTP or over stdio, to clients of MCP
 * 2026-07-28 (stateless), of 2025-11-25 and older (MCP sessions), or both
 * (`--era`, default `both`).
 *
 * It also serves resources, prompts and change notifications, shared by every
 * client of one process (a change made through one client reaches all):
 *
 * - resources `demo://readme` (markdown), `demo://logo.png` (a PNG blob),
 *   `demo://counter` (subscribable) and, with `--extra-resources N`,
 *   `demo://item/1..N`; the template `demo://greeting/{name}`;
 * - prompts `greet` (`name`, optional `style`: `formal` or `casual`) and
 *   `review` (`topic`; embeds the readme and the logo);
 * - the tools `touch` (bumps the counter and sends
 *   `notifications/resources/updated`), `change-lists` (adds a tool, a
 *   resource and a prompt `dynamic-K` and sends the three `list_changed`
 *   notifications), `log` (sends `notifications/message` at the client's
 *   level), `find` (returns a `resource_link`) and `research` (a task for
 *   2026-07-28 clients with the Tasks extension, `scripts/demo_tasks.ts`);
 *   `--no-feature-tools` leaves them out.
 *
 * It serves two skills (Skills extension, `scripts/demo_skills.ts`) unless
 * `--no-skills`; `--tamper-skill` serves one of them tampered, for tests.
 *
 * Resource, template and prompt lists come in pages of 50 (`nextCursor`).
 * 2025-era clients get notifications on their session (`resources/subscribe`,
 * `logging/setLevel`); 2026-07-28 clients on `subscriptions/listen` streams,
 * and log messages at the level in each request's `_meta`.
 *
 * ```sh
 * deno run --allow-all scripts/demo_server.ts [--stdio] [--era modern|legacy|both]
 *   [--host H] [--port P] [--require-bearer TOKEN] [--instructions TEXT]
 *   [--extra-tools N] [--extra-resources N] [--no-feature-tools] [--fail-start]
 *   [--no-skills] [--tamper-skill digest|size|frontmatter]
 * ```
 *
 * HTTP mode prints one line `READY http://<host>:<port>/mcp` on stdout once
 * listening. Stdio mode logs `demo server ready (stdio)` on stderr. The env var
 * `DEMO_STDERR_LINES=N` prints N numbered stderr lines at start, and
 * `--fail-start` prints `fatal: demo failure requested` on stderr and exits 1.
 *
 * Layer: edge (script: network, stdio, signals, process exit).
 * @module
 */

import process from "node:process";
import { z } from "zod";
import {
  createMcpHandler,
  type ElicitResult,
  type GetPromptResult,
  inputRequired,
  isInitializeRequest,
  isLegacyRequest,
  type McpHttpHandler,
  McpServer,
  type Prompt,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type Resource,
  ResourceTemplate,
  type ResourceTemplateType,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { LOG_LEVELS } from "../src/mcp/log_levels.ts";
import { attachDemoSkills, SKILL_TAMPERS, type SkillTamper } from "./demo_skills.ts";
import { attachDemoTasks, DemoTaskStore } from "./demo_tasks.ts";

/** The form the `ask` tool sends: every kind of field, with defaults (SEP-1034). */
export const ASK_FORM_SCHEMA = {
  type: "object" as const,
  properties: {
    name: { type: "string" as const, title: "Name", description: "Your name", minLength: 1 },
    color: {
      type: "string" as const,
      title: "Favourite colour",
      enum: ["red", "green", "blue"],
      default: "green",
    },
    count: { type: "integer" as const, title: "Count", minimum: 1, maximum: 10, default: 3 },
    subscribe: { type: "boolean" as const, title: "Subscribe", default: false },
  },
  required: ["name"],
};

/** Instructions sent in the handshake unless `--instructions` overrides them. */
export const DEFAULT_INSTRUCTIONS =
  "Demo server for mcpc: tools, resources and prompts to try mcpc against (demo://readme lists them).";

/** The `serverInfo` the demo server reports. */
export const DEMO_SERVER_INFO = { name: "mcpc-demo-server", version: "1.0.0" } as const;

/**
 * Which MCP revisions the server speaks: `modern` only 2026-07-28 (stateless,
 * `server/discover`), `legacy` only 2025-11-25 and older (`initialize`, MCP
 * sessions), `both` each client in its own era.
 */
export type DemoEra = "modern" | "legacy" | "both";

/** The eras `--era` accepts. */
export const DEMO_ERAS: readonly DemoEra[] = ["modern", "legacy", "both"];

/** Counters shared by every session of one demo server (the `stats` tool reports them). */
export interface DemoStats {
  /** Calls of `slow` that started. */
  slowStarted: number;
  /** Calls of `slow` whose wait was aborted (cancelled or session closed). */
  slowCancelled: number;
  /** Calls per tool name; `stats` itself is not counted. */
  calls: Record<string, number>;
}

/** Options for {@linkcode createDemoMcpServer}. */
export interface DemoServerOptions {
  /** Handshake instructions (default {@linkcode DEFAULT_INSTRUCTIONS}). */
  instructions?: string;
  /** Number of extra tools `tool-1..N` to register (default 0). */
  extraTools?: number;
  /** Number of extra text resources `demo://item/1..N` to serve (default 0). */
  extraResources?: number;
  /** Register the tools `touch`, `change-lists`, `log`, `find` and `research` (default true). */
  featureTools?: boolean;
  /** The revisions served (default `both`). */
  era?: DemoEra;
  /** Serve the demo skills (Skills extension, `scripts/demo_skills.ts`; default true). */
  skills?: boolean;
  /** Serve the skill `greeting-style` tampered this way (for tests). */
  tamperSkill?: SkillTamper;
}

/** The era of one long-lived connection (a 2025-era session or a stdio client). */
export type DemoConnectionEra = "legacy" | "modern";

/** Options for one {@linkcode createDemoMcpServer} instance. */
export interface DemoInstanceOptions extends DemoServerOptions {
  /** The state to serve (default: one state per `stats` object). */
  state?: DemoState;
  /**
   * Set when the instance serves one long-lived connection in that era: it
   * then hears of every change and notifies its client itself. Leave unset
   * for per-request instances, whose changes travel on a listen bus.
   */
  connection?: DemoConnectionEra;
}

/** Hears of the changes made to a {@linkcode DemoState}. */
export interface DemoListener {
  /** The resource `uri` changed (`touch`). */
  resourceUpdated(uri: string): void;
  /** `change-lists` added the tool, resource and prompt `dynamic-<k>`. */
  listsChanged(k: number): void;
}

/** What every session and request of one demo server shares. */
export interface DemoState {
  /** The call counters the `stats` tool reports. */
  readonly stats: DemoStats;
  /** The value of `demo://counter`. */
  counter: number;
  /** How many `dynamic-K` tools, resources and prompts `change-lists` has added. */
  dynamicCount: number;
  /** Every connection or listen bus to tell about changes. */
  readonly listeners: Set<DemoListener>;
  /** The tasks of `research` (2026-07-28 Tasks extension). */
  readonly tasks: DemoTaskStore;
}

/** Options for {@linkcode startDemoHttpServer}. */
export interface DemoHttpServerOptions extends DemoServerOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** When set, every request to `/mcp` must carry `Authorization: Bearer <token>`. */
  requireBearer?: string;
  /** Hears of each request before it is served (tests look at its headers). */
  onRequest?: (request: Request) => void;
  /** Serve HTTPS with this certificate and key (PEM); the URL is then `https://`. */
  tls?: { cert: string; key: string };
}

/** A running HTTP demo server. */
export interface DemoHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  readonly url: string;
  /** The revisions it serves. */
  readonly era: DemoEra;
  /** Number of live MCP sessions (2025-era clients only: 2026-07-28 has none). */
  sessionCount(): number;
  /** A snapshot of the counters. */
  stats(): DemoStats;
  /** Closes every session and stops listening. */
  close(): Promise<void>;
}

/** Parsed command-line flags of the demo server. */
export interface DemoCliOptions extends DemoHttpServerOptions {
  /** Serve over stdio instead of HTTP. */
  stdio: boolean;
  /** Print a fatal line on stderr and exit 1 before serving. */
  failStart: boolean;
}

/** The URI of the markdown resource. */
export const README_URI = "demo://readme";
/** The URI of the PNG resource. */
export const LOGO_URI = "demo://logo.png";
/** The URI of the subscribable counter resource. */
export const COUNTER_URI = "demo://counter";
/** Most items one page of `resources/list`, `resources/templates/list` or `prompts/list` holds. */
export const DEMO_PAGE_SIZE = 50;

/** The text of `demo://readme`. */
export const README_TEXT = [
  "# mcpc demo server",
  "",
  "A small MCP server to try mcpc against.",
  "",
  "- Tools: echo, add, fail, slow, stats; touch, change-lists, log, progress, ask, find, research " +
  "(feature tools; research runs as a task for 2026-07-28 clients with the Tasks extension)",
  "- Resources: demo://readme, demo://logo.png, demo://counter, demo://greeting/{name}",
  "- Prompts: greet, review",
  "",
].join("\n");

/** `demo://logo.png`: a 16x16 RGB PNG (an orange square on blue), base64. */
export const LOGO_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAHklEQVR42mNQcFhAEmIY5Br+NzBgRaMa6KthiKYlAJqYH9D8YQgMAAAAAElFTkSuQmCC";

/**
 * How long 2026-07-28 clients may cache the tool, resource, template and
 * prompt lists (`ttlMs`): the server announces every change
 * (`list_changed`), so a cached list is dropped when it changes.
 */
const LIST_TTL_MS = 30_000;

/** Creates an empty counter set. */
export function createDemoStats(): DemoStats {
  return { slowStarted: 0, slowCancelled: 0, calls: {} };
}

/** Creates the shared state of one demo server: counter 0, nothing added yet. */
export function createDemoState(stats: DemoStats = createDemoStats()): DemoState {
  return { stats, counter: 0, dynamicCount: 0, listeners: new Set(), tasks: new DemoTaskStore() };
}

/** Bumps the counter (for `demo://counter`) and tells every listener `uri` changed; returns the counter. */
export function touchDemoResource(state: DemoState, uri: string = COUNTER_URI): number {
  if (uri === COUNTER_URI) state.counter++;
  for (const listener of [...state.listeners]) listener.resourceUpdated(uri);
  return state.counter;
}

/** Adds the next `dynamic-K` tool, resource and prompt and tells every listener; returns K. */
export function addDemoDynamicItems(state: DemoState): number {
  const k = ++state.dynamicCount;
  for (const listener of [...state.listeners]) listener.listsChanged(k);
  return k;
}

/** The states of callers that pass only a `stats` object (one state per `stats`). */
const statesByStats = new WeakMap<DemoStats, DemoState>();

/** The state that belongs to `stats`, created on first use. */
function stateOf(stats: DemoStats): DemoState {
  let state = statesByStats.get(stats);
  if (state === undefined) {
    state = createDemoState(stats);
    statesByStats.set(stats, state);
  }
  return state;
}

/** Copies `stats` so callers cannot change the live counters. */
export function snapshotDemoStats(stats: DemoStats): DemoStats {
  return {
    slowStarted: stats.slowStarted,
    slowCancelled: stats.slowCancelled,
    calls: { ...stats.calls },
  };
}

/**
 * Builds one `McpServer` with the demo tools, resources and prompts; `stats`
 * is updated in place and changes go through the shared state.
 */
export function createDemoMcpServer(
  stats: DemoStats,
  options: DemoInstanceOptions = {},
): McpServer {
  const state = options.state ?? stateOf(stats);
  const server = new McpServer(DEMO_SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
    },
    instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
    cacheHints: {
      "tools/list": { ttlMs: LIST_TTL_MS },
      "resources/list": { ttlMs: LIST_TTL_MS },
      "resources/templates/list": { ttlMs: LIST_TTL_MS },
      "prompts/list": { ttlMs: LIST_TTL_MS },
    },
  });
  const count = (name: string) => {
    stats.calls[name] = (stats.calls[name] ?? 0) + 1;
  };

  server.registerTool("echo", {
    title: "Echo",
    description: "Returns the message, optionally repeated (space-joined).",
    inputSchema: {
      message: z.string().describe("Text to echo back"),
      repeat: z.number().int().min(1).max(1000).default(1).describe("How many times to repeat"),
    },
    outputSchema: { message: z.string() },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ message, repeat }) => {
    count("echo");
    const text = Array.from({ length: repeat }, () => message).join(" ");
    return { content: [{ type: "text", text }], structuredContent: { message } };
  });

  server.registerTool("add", {
    title: "Add",
    description: "Adds two numbers.",
    inputSchema: {
      a: z.number().describe("First addend"),
      b: z.number().describe("Second addend"),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ a, b }) => {
    count("add");
    return { content: [{ type: "text", text: String(a + b) }] };
  });

  server.registerTool("fail", {
    title: "Fail",
    description: "Always returns a tool error (isError: true).",
    inputSchema: { reason: z.string().optional().describe("Text to include in the error") },
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
  }, ({ reason }) => {
    count("fail");
    const text = `Failure requested: ${reason ?? "no reason given"}`;
    return { isError: true, content: [{ type: "text", text }] };
  });

  server.registerTool("slow", {
    title: "Slow",
    description: "Waits the given number of milliseconds; honours cancellation.",
    inputSchema: {
      ms: z.number().int().min(0).max(600_000).default(1000).describe("Milliseconds to wait"),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ ms }, ctx) => {
    count("slow");
    stats.slowStarted++;
    try {
      await abortableDelay(ms, ctx.mcpReq.signal);
    } catch (error) {
      stats.slowCancelled++;
      throw error;
    }
    return { content: [{ type: "text", text: `slept ${ms} ms` }] };
  });

  server.registerTool("stats", {
    title: "Stats",
    description: "Reports call counters as JSON (slowStarted, slowCancelled, calls).",
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => ({ content: [{ type: "text", text: JSON.stringify(snapshotDemoStats(stats)) }] }));

  if (options.featureTools ?? true) {
    registerFeatureTools(server, state, count);
    attachDemoTasks(server, state.tasks, { extension: options.connection !== "legacy", count });
  }

  const extraTools = options.extraTools ?? 0;
  for (let i = 1; i <= extraTools; i++) {
    const name = `tool-${i}`;
    server.registerTool(name, {
      description: `Extra demo tool ${i} of ${extraTools}.`,
      annotations: { readOnlyHint: true, openWorldHint: false },
    }, () => {
      count(name);
      return { content: [{ type: "text", text: name }] };
    });
  }

  const catalog = new DemoCatalog(server, count);
  catalog.addStaticResources(state, options.extraResources ?? 0);
  catalog.addPrompts();
  for (let k = 1; k <= state.dynamicCount; k++) catalog.addDynamic(k);
  catalog.servePages();
  if (options.skills ?? true) attachDemoSkills(server, { tamper: options.tamperSkill });
  const subscribed = serveSubscriptions(server);
  if (options.connection !== undefined) {
    followState(server, { state, catalog, subscribed, era: options.connection });
  }
  return server;
}

/** Registers the tools that drive changes: `touch`, `change-lists`, `log`, `find`. */
function registerFeatureTools(
  server: McpServer,
  state: DemoState,
  count: (name: string) => void,
): void {
  server.registerTool("touch", {
    title: "Touch",
    description: "Marks a resource as updated: sends notifications/resources/updated to " +
      "the clients subscribed to it. For demo://counter (the default) it first increments " +
      "the counter.",
    inputSchema: {
      uri: z.string().default(COUNTER_URI).describe("Resource URI to mark as updated"),
    },
    annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  }, ({ uri }) => {
    count("touch");
    const counter = touchDemoResource(state, uri);
    return { content: [{ type: "text", text: `counter is now ${counter}` }] };
  });

  server.registerTool("change-lists", {
    title: "Change lists",
    description: "Adds a tool, a resource and a prompt named dynamic-K and notifies " +
      "every client that the tool, resource and prompt lists changed.",
    inputSchema: z.object({}),
    annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  }, () => {
    count("change-lists");
    const k = addDemoDynamicItems(state);
    return { content: [{ type: "text", text: `added dynamic-${k}` }] };
  });

  server.registerTool("log", {
    title: "Log",
    description: "Sends notifications/message to the calling client, unless the level " +
      "is below the minimum the client asked for.",
    inputSchema: {
      level: z.enum(LOG_LEVELS).describe("Severity of the message"),
      message: z.string().describe("Text of the message"),
      logger: z.string().default("demo").describe("Logger name"),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async ({ level, message, logger }, ctx) => {
    count("log");
    await ctx.mcpReq.log(level, message, logger);
    return { content: [{ type: "text", text: "logged" }] };
  });

  server.registerTool("progress", {
    title: "Progress",
    description: "Works for steps × ms milliseconds, reporting notifications/progress " +
      "after each step (to a caller that sent a progressToken).",
    inputSchema: {
      steps: z.number().int().min(1).max(1000).default(5).describe("Number of steps"),
      ms: z.number().int().min(0).max(60_000).default(200).describe("Duration of one step"),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ steps, ms }, ctx) => {
    count("progress");
    const token = ctx.mcpReq._meta?.progressToken;
    for (let step = 1; step <= steps; step++) {
      await abortableDelay(ms, ctx.mcpReq.signal);
      if (token !== undefined) {
        await ctx.mcpReq.notify({
          method: "notifications/progress",
          params: { progressToken: token, progress: step, total: steps, message: `step ${step}` },
        });
      }
    }
    return { content: [{ type: "text", text: `done after ${steps} steps` }] };
  });

  server.registerTool("ask", {
    title: "Ask",
    description: "Asks the user for a name, a colour and a count (elicitation: a request " +
      "on 2025-11-25, an input-required result on 2026-07-28) and echoes the answer.",
    inputSchema: z.object({}),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async (_args, ctx) => {
    count("ask");
    const form = {
      message: "Who is asking?",
      requestedSchema: ASK_FORM_SCHEMA,
    };
    let answer: ElicitResult | undefined;
    if (ctx.mcpReq.envelope !== undefined) {
      // 2026-07-28: ask with an input-required result; the client retries with the answer.
      answer = ctx.mcpReq.inputResponses?.who as ElicitResult | undefined;
      if (answer === undefined) {
        return inputRequired({ inputRequests: { who: inputRequired.elicit(form) } });
      }
    } else {
      answer = await ctx.mcpReq.elicitInput(form);
    }
    return { content: [{ type: "text", text: `answer: ${JSON.stringify(answer)}` }] };
  });

  server.registerTool("find", {
    title: "Find",
    description: "Searches the demo resources; answers with a resource_link to demo://readme.",
    inputSchema: { query: z.string().describe("What to look for") },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ query }) => {
    count("find");
    return {
      content: [
        {
          type: "resource_link",
          uri: README_URI,
          name: "readme",
          mimeType: "text/markdown",
          description: "The demo server readme",
        },
        { type: "text", text: `1 match for "${query}": ${README_URI}` },
      ],
    };
  });
}

/**
 * The resources, templates and prompts of one instance, registered with the
 * `McpServer` and listed in pages (the SDK's own list handlers return
 * everything at once).
 */
class DemoCatalog {
  readonly #server: McpServer;
  readonly #count: (name: string) => void;
  readonly #resources: Resource[] = [];
  readonly #templates: ResourceTemplateType[] = [];
  readonly #prompts: Prompt[] = [];
  /** The highest `dynamic-K` registered on this instance. */
  dynamicCount = 0;

  constructor(server: McpServer, count: (name: string) => void) {
    this.#server = server;
    this.#count = count;
  }

  /** Registers the readme, the logo, the counter, `demo://item/1..N` and the greeting template. */
  addStaticResources(state: DemoState, extraResources: number): void {
    this.#addResource({
      uri: README_URI,
      name: "readme",
      title: "Readme",
      description: "What this demo server offers",
      mimeType: "text/markdown",
    }, () => ({ text: README_TEXT }));
    this.#addResource({
      uri: LOGO_URI,
      name: "logo",
      title: "Logo",
      description: "A 16x16 PNG image",
      mimeType: "image/png",
    }, () => ({ blob: LOGO_PNG_BASE64 }));
    this.#addResource({
      uri: COUNTER_URI,
      name: "counter",
      title: "Counter",
      description: "A number that the touch tool increments; subscribable",
      mimeType: "text/plain",
    }, () => ({ text: String(state.counter) }));
    for (let i = 1; i <= extraResources; i++) {
      this.#addResource({
        uri: `demo://item/${i}`,
        name: `item-${i}`,
        description: `Extra demo resource ${i} of ${extraResources}`,
        mimeType: "text/plain",
      }, () => ({ text: `Item ${i} of ${extraResources}` }));
    }

    const template: ResourceTemplateType = {
      uriTemplate: "demo://greeting/{name}",
      name: "greeting",
      title: "Greeting",
      description: "A greeting for the name in the URI",
      mimeType: "text/plain",
    };
    this.#templates.push(template);
    const { uriTemplate, name, ...metadata } = template;
    this.#server.registerResource(
      name,
      new ResourceTemplate(uriTemplate, { list: undefined }),
      metadata,
      (uri, variables) => ({
        contents: [{
          uri: uri.href,
          mimeType: "text/plain",
          text: `Hello, ${String(variables.name)}!`,
        }],
      }),
    );
  }

  /** Registers the prompts `greet` and `review`. */
  addPrompts(): void {
    const greetArgs = {
      name: z.string().describe("Who to greet"),
      style: z.enum(["formal", "casual"]).optional().describe("formal or casual"),
    };
    this.#addPrompt("greet", {
      title: "Greet",
      description: "Asks for a greeting for someone, formal or casual",
    }, greetArgs);
    this.#server.registerPrompt("greet", {
      title: "Greet",
      description: "Asks for a greeting for someone, formal or casual",
      argsSchema: greetArgs,
    }, ({ name, style }): GetPromptResult => ({
      description: `A greeting for ${name}`,
      messages: [{
        role: "user",
        content: { type: "text", text: `Write a ${style ?? "friendly"} greeting for ${name}.` },
      }],
    }));

    const reviewArgs = { topic: z.string().describe("What to review") };
    this.#addPrompt("review", {
      title: "Review",
      description: "Asks for a review of a topic, with the readme and the logo attached",
    }, reviewArgs);
    this.#server.registerPrompt("review", {
      title: "Review",
      description: "Asks for a review of a topic, with the readme and the logo attached",
      argsSchema: reviewArgs,
    }, ({ topic }): GetPromptResult => ({
      description: `A review of ${topic}`,
      messages: [
        { role: "user", content: { type: "text", text: `Please review ${topic}.` } },
        {
          role: "user",
          content: {
            type: "resource",
            resource: { uri: README_URI, mimeType: "text/markdown", text: README_TEXT },
          },
        },
        { role: "user", content: { type: "image", data: LOGO_PNG_BASE64, mimeType: "image/png" } },
        {
          role: "assistant",
          content: {
            type: "text",
            text: `I will review ${topic} against the readme and the logo.`,
          },
        },
      ],
    }));
  }

  /** Registers the tool, resource and prompt `dynamic-<k>` (the SDK sends `list_changed` once connected). */
  addDynamic(k: number): void {
    const name = `dynamic-${k}`;
    this.#server.registerTool(name, {
      description: `Tool number ${k} added by change-lists.`,
      annotations: { readOnlyHint: true, openWorldHint: false },
    }, () => {
      this.#count(name);
      return { content: [{ type: "text", text: name }] };
    });
    this.#addResource({
      uri: `demo://dynamic/${k}`,
      name,
      description: `Resource number ${k} added by change-lists`,
      mimeType: "text/plain",
    }, () => ({ text: `Dynamic resource ${k}` }));
    this.#addPrompt(name, { description: `Prompt number ${k} added by change-lists` }, undefined);
    this.#server.registerPrompt(name, {
      description: `Prompt number ${k} added by change-lists`,
    }, (): GetPromptResult => ({
      messages: [{ role: "user", content: { type: "text", text: `Dynamic prompt ${k}` } }],
    }));
    this.dynamicCount = Math.max(this.dynamicCount, k);
  }

  /** Replaces the SDK's list handlers with paginated ones over this catalog. */
  servePages(): void {
    const low = this.#server.server;
    low.setRequestHandler("resources/list", (request) => {
      const { items, nextCursor } = pageOf(this.#resources, request.params?.cursor);
      return { resources: items, ...(nextCursor !== undefined && { nextCursor }) };
    });
    low.setRequestHandler("resources/templates/list", (request) => {
      const { items, nextCursor } = pageOf(this.#templates, request.params?.cursor);
      return { resourceTemplates: items, ...(nextCursor !== undefined && { nextCursor }) };
    });
    low.setRequestHandler("prompts/list", (request) => {
      const { items, nextCursor } = pageOf(this.#prompts, request.params?.cursor);
      return { prompts: items, ...(nextCursor !== undefined && { nextCursor }) };
    });
  }

  #addResource(
    resource: Resource,
    read: () => { text: string } | { blob: string },
  ): void {
    this.#resources.push(resource);
    const { uri, name, ...metadata } = resource;
    this.#server.registerResource(name, uri, metadata, (): ReadResourceResult => ({
      contents: [{ uri, mimeType: resource.mimeType, ...read() }],
    }));
  }

  #addPrompt(
    name: string,
    metadata: Omit<Prompt, "name" | "arguments">,
    args: Record<string, z.ZodType> | undefined,
  ): void {
    const listed: Prompt = { name, ...metadata };
    if (args !== undefined) {
      listed.arguments = Object.entries(args).map(([argName, schema]) => ({
        name: argName,
        description: schema.description,
        required: !schema.safeParse(undefined).success,
      }));
    }
    this.#prompts.push(listed);
  }
}

/** Answers 2025-era `resources/subscribe` and `resources/unsubscribe`; returns the subscribed URIs. */
function serveSubscriptions(server: McpServer): ReadonlySet<string> {
  const subscribed = new Set<string>();
  server.server.setRequestHandler("resources/subscribe", (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler("resources/unsubscribe", (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  return subscribed;
}

/** What {@linkcode followState} needs besides the instance. */
interface Follow {
  state: DemoState;
  catalog: DemoCatalog;
  subscribed: ReadonlySet<string>;
  era: DemoConnectionEra;
}

/**
 * Makes a long-lived instance follow the shared state until it closes: it
 * registers what `change-lists` adds (the SDK then sends the `list_changed`
 * notifications) and sends `notifications/resources/updated`: in a 2025-era
 * connection for the URIs the client subscribed to, in a 2026-07-28 one
 * always, as `serveStdio` delivers it only on matching listen streams.
 */
function followState(server: McpServer, { state, catalog, subscribed, era }: Follow): void {
  const low = server.server;
  const listener: DemoListener = {
    resourceUpdated: (uri) => {
      if (!server.isConnected() || (era === "legacy" && !subscribed.has(uri))) return;
      low.sendResourceUpdated({ uri }).catch(() => {
        // The client went away; nothing to tell.
      });
    },
    listsChanged: (k) => {
      for (let next = catalog.dynamicCount + 1; next <= k; next++) catalog.addDynamic(next);
    },
  };
  state.listeners.add(listener);
  const previousOnClose = low.onclose;
  low.onclose = () => {
    state.listeners.delete(listener);
    previousOnClose?.();
  };
}

/** One page of `items` starting at `cursor` (an offset), with the cursor of the next page. */
function pageOf<T>(items: readonly T[], cursor: string | undefined): {
  items: T[];
  nextCursor?: string;
} {
  let start = 0;
  if (cursor !== undefined) {
    start = Number(cursor);
    if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(start) || start > items.length) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor "${cursor}"`);
    }
  }
  const end = start + DEMO_PAGE_SIZE;
  return {
    items: items.slice(start, end),
    ...(end < items.length && { nextCursor: String(end) }),
  };
}

/**
 * Starts the Streamable HTTP demo server; resolves once it listens. 2025-era
 * clients get stateful MCP sessions (one transport and one `McpServer` each);
 * 2026-07-28 clients are served statelessly, one `McpServer` per request.
 */
export async function startDemoHttpServer(
  options: DemoHttpServerOptions = {},
): Promise<DemoHttpServer> {
  const state = createDemoState();
  const stats = state.stats;
  const era = options.era ?? "both";
  const host = options.host ?? "127.0.0.1";
  const legacy = era === "modern" ? undefined : legacySessions(state, options);
  const modern: McpHttpHandler | undefined = era === "legacy"
    ? undefined
    : createMcpHandler(() => createDemoMcpServer(stats, { ...options, state }), {
      legacy: "reject",
    });
  const modernListener = modern && listenBusListener(modern);
  if (modernListener) state.listeners.add(modernListener);
  const { promise: listening, resolve: onListening } = Promise.withResolvers<number>();

  const handle = async (req: Request): Promise<Response> => {
    options.onRequest?.(req);
    if (new URL(req.url).pathname !== "/mcp") {
      await req.body?.cancel();
      return new Response("Not Found\n", { status: 404 });
    }
    if (
      options.requireBearer !== undefined &&
      req.headers.get("authorization") !== `Bearer ${options.requireBearer}`
    ) {
      await req.body?.cancel();
      return Response.json({ error: "unauthorized", message: "Bearer token required" }, {
        status: 401,
        headers: { "WWW-Authenticate": 'Bearer realm="mcpc-demo-server"' },
      });
    }
    if (!legacy) return await modern!.fetch(req);
    if (!modern || await isLegacyRequest(req.clone())) return await legacy.handle(req);
    return await modern.fetch(req);
  };

  const httpServer = Deno.serve({
    hostname: host,
    port: options.port ?? 0,
    onListen: ({ port }) => onListening(port),
    ...(options.tls ?? {}),
  }, handle);
  const port = await listening;

  let closing: Promise<void> | undefined;
  const close = async () => {
    if (modernListener) state.listeners.delete(modernListener);
    await Promise.allSettled([legacy?.close(), modern?.close()]);
    state.tasks.close();
    await httpServer.shutdown();
  };
  return {
    url: `${options.tls ? "https" : "http"}://${urlHost(host)}:${port}/mcp`,
    era,
    sessionCount: () => legacy?.count() ?? 0,
    stats: () => snapshotDemoStats(stats),
    close: () => closing ??= close(),
  };
}

/**
 * Tells the 2026-07-28 clients of an HTTP handler about changes: the handler's
 * bus delivers each event on the open `subscriptions/listen` streams whose
 * filter asks for it.
 */
function listenBusListener(handler: McpHttpHandler): DemoListener {
  return {
    resourceUpdated: (uri) => handler.notify.resourceUpdated(uri),
    listsChanged: () => {
      handler.notify.toolsChanged();
      handler.notify.resourcesChanged();
      handler.notify.promptsChanged();
    },
  };
}

/** The 2025-era side of the HTTP server: MCP sessions keyed by `Mcp-Session-Id`. */
function legacySessions(state: DemoState, options: DemoServerOptions) {
  const sessions = new Map<string, DemoSession>();
  const handle = async (req: Request): Promise<Response> => {
    const sessionId = req.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = sessions.get(sessionId);
      if (session === undefined) {
        await req.body?.cancel();
        return jsonRpcErrorResponse(404, -32001, "Session not found");
      }
      return await session.transport.handleRequest(req);
    }
    if (req.method !== "POST") {
      await req.body?.cancel();
      return jsonRpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return jsonRpcErrorResponse(400, -32700, "Parse error: invalid JSON");
    }
    const messages = Array.isArray(body) ? body : [body];
    if (!messages.some((message) => isInitializeRequest(message))) {
      return jsonRpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    const server = createDemoMcpServer(state.stats, { ...options, state, connection: "legacy" });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { server, transport });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(req, { parsedBody: body });
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) {
      await server.close();
    }
    return response;
  };
  return {
    handle,
    count: () => sessions.size,
    close: async () => {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.server.close()));
    },
  };
}

/** Parses the demo server's flags (`--flag value` or `--flag=value`). */
export function parseDemoArgs(args: readonly string[]): DemoCliOptions {
  const options: DemoCliOptions = { stdio: false, failStart: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = flag === arg ? undefined : arg.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new TypeError(`Cannot parse "${flag}": missing value`);
      return next;
    };
    switch (flag) {
      case "--stdio":
        options.stdio = true;
        break;
      case "--fail-start":
        options.failStart = true;
        break;
      case "--host":
        options.host = value();
        break;
      case "--port":
        options.port = parseNonNegativeInt(flag, value(), 65535);
        break;
      case "--require-bearer":
        options.requireBearer = value();
        break;
      case "--instructions":
        options.instructions = value();
        break;
      case "--extra-tools":
        options.extraTools = parseNonNegativeInt(flag, value(), 100_000);
        break;
      case "--extra-resources":
        options.extraResources = parseNonNegativeInt(flag, value(), 5000);
        break;
      case "--no-feature-tools":
        options.featureTools = false;
        break;
      case "--no-skills":
        options.skills = false;
        break;
      case "--tamper-skill": {
        const tamper = value();
        if (!(SKILL_TAMPERS as readonly string[]).includes(tamper)) {
          const expected = SKILL_TAMPERS.join(", ");
          throw new TypeError(
            `Cannot parse "--tamper-skill": expected one of ${expected}, got "${tamper}"`,
          );
        }
        options.tamperSkill = tamper as SkillTamper;
        break;
      }
      case "--era": {
        const era = value();
        if (!(DEMO_ERAS as readonly string[]).includes(era)) {
          throw new TypeError(
            `Cannot parse "--era": expected one of ${DEMO_ERAS.join(", ")}, got "${era}"`,
          );
        }
        options.era = era as DemoEra;
        break;
      }
      default:
        throw new TypeError(`Cannot parse arguments: unknown option "${arg}"`);
    }
  }
  return options;
}

/** Runs the demo server as a command; resolves with the exit code once it has stopped. */
export async function runDemoServerCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined> } = {},
): Promise<number> {
  let cli: DemoCliOptions;
  try {
    cli = parseDemoArgs(args);
  } catch (error) {
    console.error(`demo server: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const env = options.env ?? Deno.env.toObject();
  const extraLines = Number.parseInt(env.DEMO_STDERR_LINES ?? "0", 10);
  for (let i = 1; i <= (Number.isFinite(extraLines) ? extraLines : 0); i++) {
    console.error(`demo stderr line ${i} of ${extraLines}`);
  }
  if (cli.failStart) {
    console.error("fatal: demo failure requested");
    return 1;
  }
  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  const removeSignals = onTerminationSignals(() => stop());
  try {
    if (cli.stdio) {
      const server = serveDemoStdio(cli, stop);
      process.stdin.once("end", () => stop());
      console.error("demo server ready (stdio)");
      await stopped;
      await server.close();
    } else {
      const server = await startDemoHttpServer(cli);
      console.log(`READY ${server.url}`);
      await stopped;
      await server.close();
    }
  } finally {
    removeSignals();
  }
  return 0;
}

/**
 * Serves one client over this process's stdin/stdout in the eras `options.era`
 * names; `onClosed` runs when the client goes away.
 */
function serveDemoStdio(
  options: DemoServerOptions,
  onClosed: () => void,
): { close(): Promise<void> } {
  const state = createDemoState();
  const era = options.era ?? "both";
  if (era === "legacy") {
    // A plain 2025-era server: it answers `server/discover` like any unknown method.
    const server = createDemoMcpServer(state.stats, { ...options, state, connection: "legacy" });
    const transport = new StdioServerTransport();
    transport.onclose = onClosed;
    server.connect(transport).catch(onClosed);
    return server;
  }
  return serveStdio(
    ({ era }) => createDemoMcpServer(state.stats, { ...options, state, connection: era }),
    {
      legacy: era === "modern" ? "reject" : "serve",
    },
  );
}

/** One MCP session of the HTTP server. */
interface DemoSession {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
}

/** Resolves after `ms`, or rejects with the abort reason once `signal` aborts. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason ?? new Error("Request aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error("Request aborted"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A JSON-RPC error body with no request id, as the SDK transport sends it. */
function jsonRpcErrorResponse(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

/** The host part of a URL for a listen address (wildcards map to loopback). */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** Parses an integer flag value in `0..max`. */
function parseNonNegativeInt(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value > max) {
    throw new RangeError(`Cannot parse "${flag}": expected an integer 0..${max}, got "${text}"`);
  }
  return value;
}

/** Calls `onSignal` on SIGINT/SIGTERM (SIGINT only on Windows); returns the remover. */
function onTerminationSignals(onSignal: () => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  };
}

if (import.meta.main) {
  Deno.exit(await runDemoServerCli(Deno.args));
}
