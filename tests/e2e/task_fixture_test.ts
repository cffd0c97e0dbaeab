/**
 * Tasks against a hand-written 2025-11-25 server that can misbehave
 * (tests/fixtures/task_server.ts): progress that arrives after the task was
 * made, tasks that are not tasks, ids used twice, a task that never ends.
 */

import assert from "node:assert/strict";
import { denoEntry, Harness, ROOT, writeConfig } from "./harness.ts";

const TASK_FIXTURE = `${ROOT}tests/fixtures/task_server.ts`;

async function withTaskServer(fn: (harness: Harness) => Promise<void>): Promise<void> {
  const harness = await Harness.create();
  try {
    await writeConfig(`${harness.home}/mcp.json`, { tasks: denoEntry(TASK_FIXTURE) });
    const connect = await harness.run(["connect", `${harness.home}/mcp.json:tasks`, "@t"]);
    assert.equal(connect.code, 0, connect.stderr);
    await fn(harness);
  } finally {
    await harness.cleanup();
  }
}

Deno.test("a task's progress after it was made reaches the CLI; --json stays clean", async () => {
  await withTaskServer(async (harness) => {
    const run = await harness.run(["--verbose", "@t", "tools-call", "steady"]);
    assert.equal(run.code, 0, run.stderr);
    for (const step of [1, 2, 3]) {
      assert.match(run.stderr, new RegExp(`Progress: ${step}/3 step ${step}`));
    }
    assert.match(run.stdout, /steady done/);
    const json = await harness.json<{ content: { text: string }[] }>([
      "--json",
      "@t",
      "tools-call",
      "steady",
    ]);
    assert.equal(json.content[0].text, "steady done");
    // A detached task: its progress has nobody to go to, and a later tasks-result gets the result.
    const detached = await harness.run(["@t", "tools-call", "steady", "--detach"]);
    assert.equal(detached.code, 0, detached.stderr);
    const taskId = detached.stdout.match(/✓ Task started: (\S+)/)![1];
    const later = await harness.run(["@t", "tasks-result", taskId]);
    assert.equal(later.code, 0, later.stderr);
    assert.match(later.stdout, /steady done/);
  });
});

Deno.test("a server's malformed task is a clear error, not a crash", async () => {
  await withTaskServer(async (harness) => {
    const made = await harness.run(["@t", "tools-call", "garbled"]);
    assert.equal(made.code, 2, made.stderr);
    assert.match(made.stderr, /not a valid MCP message \(task\.taskId: /);

    // Polls that answer garbage do not stop the wait: the real result still comes.
    const waited = await harness.run(["@t", "tools-call", "garbled-later"]);
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /garbled-later done/);
    const detached = await harness.run(["@t", "tools-call", "garbled-later", "--detach"]);
    const taskId = detached.stdout.match(/✓ Task started: (\S+)/)![1];
    const got = await harness.run(["@t", "tasks-get", taskId]);
    assert.equal(got.code, 2, got.stderr);
    assert.match(got.stderr, /not a valid MCP message \(taskId: /);
  });
});

Deno.test("a task id the server uses twice is one task in the record and the list", async () => {
  await withTaskServer(async (harness) => {
    for (let i = 0; i < 2; i++) {
      const run = await harness.run(["@t", "tools-call", "same-id", "--detach"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /✓ Task started: dup/);
    }
    const record = (await harness.sessions()).sessions["@t"];
    assert.deepEqual(Object.keys(record.activeTasks ?? {}).filter((id) => id === "dup"), ["dup"]);
    const listed = await harness.json<{ tasks: { taskId: string }[] }>(["@t", "tasks-list"]);
    assert.equal(listed.tasks.filter((task) => task.taskId === "dup").length, 1);
    const result = await harness.run(["@t", "tasks-result", "dup"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /same-id done/);
  });
});

Deno.test("a task that never ends: --timeout bounds the wait and says how to follow it", async () => {
  await withTaskServer(async (harness) => {
    const run = await harness.run(["@t", "tools-call", "forever", "--timeout", "2"]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /timed out after 2 s/);
    const taskId = run.stderr.match(/Task (\S+) may still be running; follow it with/)?.[1];
    assert.ok(taskId, run.stderr);
    const got = await harness.json<{ status: string }>(["@t", "tasks-get", taskId]);
    assert.equal(got.status, "working");
    const again = await harness.run(["@t", "tasks-result", taskId, "--timeout", "1"]);
    assert.equal(again.code, 3, again.stderr);
  });
});
