/**
 * The demo server's long-running tool `research`, which a 2026-07-28 client
 * that declares the Tasks extension (SEP-2663) gets as a task: the call
 * answers at once with `resultType: "task"`, and `tasks/get`, `tasks/update`
 * and `tasks/cancel` follow it. The task works through `steps` steps of
 * {@linkcode DEMO_TASK_STEP_MS} (its `statusMessage` says which), and with
 * `ask` stops halfway in `input_required` with a question (how deep to go:
 * `quick` or `deep`) until `tasks/update` answers it. Tasks live in a store
 * shared by every client of one server process (a 2026-era client is served
 * by a new `McpServer` per request) and are forgotten after their TTL.
 *
 * Any other client (one without the extension, and every 2025-era client:
 * the SDK's v2 server has no runtime for 2025-11-25 tasks) gets the same work
 * as a plain call that reports `notifications/progress` and answers at the
 * end; for 2025-era tasks mcpc's tests use server-everything and
 * `tests/fixtures/task_server.ts`.
 *
 * Over Streamable HTTP the `tasks/*` requests must carry `Mcp-Name: <taskId>`
 * (SEP-2663): the SDK's server checks it against the body.
 *
 * Layer: edge (script: a test and demo server; timers).
 * @module
 */

import { type McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { z } from "zod";

/** The extension's identifier. */
export const DEMO_TASKS_EXTENSION = "io.modelcontextprotocol/tasks";
/** How long one step of `research` takes (ms). */
export const DEMO_TASK_STEP_MS = 300;
/** The poll interval a task suggests (ms). */
const POLL_INTERVAL_MS = 200;
/** How long a task is kept after it was made (ms). */
const TASK_TTL_MS = 10 * 60_000;
/** The most tasks one server keeps (the oldest are forgotten first). */
const MAX_TASKS = 500;
/** The per-request client capabilities key of a 2026-era request's `_meta`. */
const CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";

/** The form a task with `ask` puts to the user. */
export const DEPTH_FORM_SCHEMA = {
  type: "object" as const,
  properties: {
    depth: {
      type: "string" as const,
      title: "Depth",
      description: "How deep the research should go",
      enum: ["quick", "deep"],
      default: "quick",
    },
  },
  required: ["depth"],
};

type Status = "working" | "input_required" | "completed" | "failed" | "cancelled";

interface DemoTask {
  taskId: string;
  status: Status;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  topic: string;
  steps: number;
  step: number;
  ask: boolean;
  depth?: string;
  /** The key of the question still open (`input_required`). */
  question?: string;
  asked: number;
  result?: Record<string, unknown>;
  timer?: ReturnType<typeof setTimeout>;
}

/** The tasks of one demo server process. */
export class DemoTaskStore {
  readonly #tasks = new Map<string, DemoTask>();

  /** Makes a task and starts its work. */
  create(args: { topic: string; steps: number; ask: boolean }): DemoTask {
    this.#forgetOld();
    const now = new Date().toISOString();
    const task: DemoTask = {
      taskId: crypto.randomUUID(),
      status: "working",
      statusMessage: `Step 0/${args.steps}: starting on ${args.topic}`,
      createdAt: now,
      lastUpdatedAt: now,
      topic: args.topic,
      steps: args.steps,
      step: 0,
      ask: args.ask,
      asked: 0,
    };
    this.#tasks.set(task.taskId, task);
    this.#schedule(task);
    return task;
  }

  /** The task `taskId`; the extension's invalid-params error when there is none. */
  get(taskId: string): DemoTask {
    const task = this.#tasks.get(taskId);
    if (!task) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${taskId}`);
    }
    return task;
  }

  /** Applies the answers to the open question; others are ignored (as the extension asks). */
  update(taskId: string, responses: Record<string, unknown>): void {
    const task = this.get(taskId);
    if (task.status !== "input_required" || !task.question) return;
    const answer = responses[task.question] as
      | { action?: string; content?: { depth?: unknown } }
      | undefined;
    if (!answer) return;
    task.question = undefined;
    if (answer.action === "cancel") {
      this.#finish(task, "cancelled", "The user cancelled the research");
      return;
    }
    task.depth = answer.action === "accept" && typeof answer.content?.depth === "string"
      ? answer.content.depth
      : "quick";
    this.#touch(task, "working", `Step ${task.step}/${task.steps}: going ${task.depth}`);
    this.#schedule(task);
  }

  /** Stops the task's work (it is `cancelled` at once). */
  cancel(taskId: string): void {
    const task = this.get(taskId);
    if (task.status === "working" || task.status === "input_required") {
      this.#finish(task, "cancelled", "Cancelled at the client's request");
    }
  }

  /** Stops every task's timer (the server closes). */
  close(): void {
    for (const task of this.#tasks.values()) clearTimeout(task.timer);
  }

  #schedule(task: DemoTask): void {
    task.timer = setTimeout(() => this.#advance(task), DEMO_TASK_STEP_MS);
  }

  #advance(task: DemoTask): void {
    if (task.status !== "working") return;
    task.step++;
    if (task.step >= task.steps) {
      const depth = task.depth ?? "quick";
      task.result = {
        content: [{
          type: "text",
          text: `Research on ${task.topic} (${depth}): ${task.steps} steps done`,
        }],
      };
      this.#finish(task, "completed", `Done: ${task.steps} steps`);
      return;
    }
    if (task.ask && task.depth === undefined && task.step >= Math.ceil(task.steps / 2)) {
      task.question = `depth-${++task.asked}`;
      this.#touch(task, "input_required", "Waiting for an answer: how deep?");
      return;
    }
    this.#touch(task, "working", `Step ${task.step}/${task.steps}: reading about ${task.topic}`);
    this.#schedule(task);
  }

  #touch(task: DemoTask, status: Status, message: string): void {
    task.status = status;
    task.statusMessage = message;
    task.lastUpdatedAt = new Date().toISOString();
  }

  #finish(task: DemoTask, status: Status, message: string): void {
    clearTimeout(task.timer);
    this.#touch(task, status, message);
  }

  #forgetOld(): void {
    const now = Date.now();
    for (const [id, task] of this.#tasks) {
      const expired = now - Date.parse(task.createdAt) > TASK_TTL_MS;
      if (!expired && this.#tasks.size < MAX_TASKS) break;
      clearTimeout(task.timer);
      this.#tasks.delete(id);
    }
  }
}

/** The task as the extension's `tasks/get` (and the creating call) carry it. */
function wireTask(task: DemoTask): Record<string, unknown> {
  return {
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttlMs: TASK_TTL_MS,
    pollIntervalMs: POLL_INTERVAL_MS,
    ...(task.status === "completed" ? { result: task.result } : {}),
    ...(task.status === "input_required" && task.question
      ? {
        inputRequests: {
          [task.question]: {
            method: "elicitation/create",
            params: {
              mode: "form",
              message: `How deep should the research on ${task.topic} go?`,
              requestedSchema: DEPTH_FORM_SCHEMA,
            },
          },
        },
      }
      : {}),
  };
}

/** Whether a 2026-era request declared the Tasks extension in its per-request capabilities. */
function declaresTasks(envelope: Record<string, unknown> | undefined): boolean {
  const capabilities = envelope?.[CLIENT_CAPABILITIES] as
    | { extensions?: Record<string, unknown> }
    | undefined;
  return capabilities?.extensions?.[DEMO_TASKS_EXTENSION] !== undefined;
}

/**
 * Adds `research` to `server` and, unless it serves only 2025-era clients
 * (`extension: false`), declares the Tasks extension and serves `tasks/*`.
 */
export function attachDemoTasks(
  server: McpServer,
  store: DemoTaskStore,
  options: { extension: boolean; count: (name: string) => void },
): void {
  server.registerTool("research", {
    title: "Research",
    description: "Researches a topic in steps of 300 ms; with ask, asks halfway how deep " +
      "to go. A task for 2026-07-28 clients with the Tasks extension; a call reporting " +
      "progress for others.",
    inputSchema: {
      topic: z.string().describe("What to research"),
      steps: z.number().int().min(1).max(100).default(4).describe("Number of steps"),
      ask: z.boolean().default(false).describe("Ask how deep to go, halfway"),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async ({ topic, steps, ask }, ctx) => {
    options.count("research");
    if (
      options.extension && declaresTasks(ctx.mcpReq.envelope as Record<string, unknown> | undefined)
    ) {
      return { resultType: "task", ...wireTask(store.create({ topic, steps, ask })) } as never;
    }
    const token = ctx.mcpReq._meta?.progressToken;
    for (let step = 1; step <= steps; step++) {
      await new Promise((resolve) => setTimeout(resolve, DEMO_TASK_STEP_MS));
      ctx.mcpReq.signal.throwIfAborted();
      if (token !== undefined) {
        await ctx.mcpReq.notify({
          method: "notifications/progress",
          params: { progressToken: token, progress: step, total: steps, message: `step ${step}` },
        });
      }
    }
    return {
      content: [{ type: "text", text: `Research on ${topic} (quick): ${steps} steps done` }],
    };
  });
  if (!options.extension) return;
  server.server.registerCapabilities({ extensions: { [DEMO_TASKS_EXTENSION]: {} } });
  const byId = z.object({ taskId: z.string() }).passthrough();
  const requireExtension = (envelope: unknown) => {
    if (!declaresTasks(envelope as Record<string, unknown> | undefined)) {
      throw new ProtocolError(-32021, "Missing required client capability", {
        requiredCapabilities: { extensions: { [DEMO_TASKS_EXTENSION]: {} } },
      });
    }
  };
  // The SDK's server lifts a request's `inputResponses` out of its params into the context.
  type Context = { mcpReq: { envelope?: unknown; inputResponses?: Record<string, unknown> } };
  const handle = (method: string, run: (taskId: string, ctx: Context) => object) =>
    server.server.setRequestHandler(
      method as never,
      { params: byId } as never,
      ((params: { taskId: string }, ctx: Context) => {
        requireExtension(ctx.mcpReq.envelope);
        return run(params.taskId, ctx);
      }) as never,
    );
  handle("tasks/get", (taskId) => wireTask(store.get(taskId)));
  handle("tasks/cancel", (taskId) => {
    store.cancel(taskId);
    return {};
  });
  handle("tasks/update", (taskId, ctx) => {
    store.update(taskId, ctx.mcpReq.inputResponses ?? {});
    return {};
  });
}
