/**
 * Tasks of the 2025-11-25 revision (SEP-1686): a `tools/call` made with
 * `task` returns a task at once; `tasks/get` polls it, `tasks/result` waits
 * for its outcome (and carries the server's questions for it), `tasks/list`
 * and `tasks/cancel` manage them. The SDK's v2 line keeps the wire schemas
 * but no runtime for them, so mcpc sends these requests itself.
 *
 * Layer: edge (loads the SDK).
 * @module
 */

import { type Client, specTypeSchemas } from "./sdk.ts";
import type { CallToolResult, Task } from "./types.ts";
export { type TaskSupport, taskSupportOf } from "./task_status.ts";

/** SDK options of one task request. */
export interface TaskRequestOptions {
  signal?: AbortSignal;
  timeout?: number;
}

/** Most pages of `tasks/list` read in one listing. */
const MAX_TASK_PAGES = 100;

/** Calls tool `name` as a task; resolves with the task once the server made it. */
export async function createToolTask(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  options: TaskRequestOptions & { ttlMs?: number; progressToken?: string },
): Promise<Task> {
  const { ttlMs, progressToken, ...sdk } = options;
  const created = await client.request(
    {
      method: "tools/call",
      params: {
        name,
        arguments: args,
        task: ttlMs === undefined ? {} : { ttl: ttlMs },
        ...(progressToken === undefined ? {} : { _meta: { progressToken } }),
      },
    } as never,
    specTypeSchemas.CreateTaskResult,
    sdk,
  );
  return taskOf((created as { task: unknown }).task);
}

/** The task's current state (`tasks/get`). */
export function getTask(
  client: Client,
  taskId: string,
  options: TaskRequestOptions,
): Promise<Task> {
  return taskRequest(client, "tasks/get", taskId, options);
}

/** Waits for the task's outcome (`tasks/result`): the tool's result, or the server's error. */
export async function taskResult(
  client: Client,
  taskId: string,
  options: TaskRequestOptions,
): Promise<CallToolResult> {
  const result = await client.request(
    { method: "tasks/result", params: { taskId } } as never,
    specTypeSchemas.GetTaskPayloadResult,
    options,
  );
  return result as CallToolResult;
}

/** Every task the server lists for this client (all pages, bounded). */
export async function listTasks(client: Client, options: TaskRequestOptions): Promise<Task[]> {
  const tasks: Task[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TASK_PAGES; page++) {
    const result = await client.request(
      { method: "tasks/list", params: cursor === undefined ? {} : { cursor } } as never,
      specTypeSchemas.ListTasksResult,
      options,
    ) as { tasks: unknown[]; nextCursor?: string };
    tasks.push(...result.tasks.map(taskOf));
    cursor = result.nextCursor;
    if (cursor === undefined) return tasks;
    if (seen.has(cursor)) {
      throw new Error(`tasks/list repeated the cursor ${JSON.stringify(cursor)}`);
    }
    seen.add(cursor);
  }
  throw new Error(`tasks/list did not end within ${MAX_TASK_PAGES} pages`);
}

/** Asks the server to cancel the task; resolves with its state afterwards. */
export function cancelTask(
  client: Client,
  taskId: string,
  options: TaskRequestOptions,
): Promise<Task> {
  return taskRequest(client, "tasks/cancel", taskId, options);
}

/** A request about one task whose answer is the task (`tasks/get`, `tasks/cancel`). */
async function taskRequest(
  client: Client,
  method: "tasks/get" | "tasks/cancel",
  taskId: string,
  options: TaskRequestOptions,
): Promise<Task> {
  const schema = method === "tasks/get"
    ? specTypeSchemas.GetTaskResult
    : specTypeSchemas.CancelTaskResult;
  return taskOf(await client.request({ method, params: { taskId } } as never, schema, options));
}

function taskOf(value: unknown): Task {
  const { _meta: _, ...task } = value as Task & { _meta?: unknown };
  return task as Task;
}
