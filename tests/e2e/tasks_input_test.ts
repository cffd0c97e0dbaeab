/**
 * Long-running and interactive work, as a user meets it: tasks against a
 * third-party server that offers them (`@modelcontextprotocol/server-everything`,
 * 2025-11-25: a tool that requires a task, asks a question and reports its
 * status), detaching with Ctrl+C, a bridge that dies while a task runs, and
 * progress and questions against the demo server in both protocol eras.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { eraTest, Harness, isAlive, waitFor, withEverything } from "./harness.ts";

const RESEARCH = "simulate-research-query";

/** A `tools-call --task` running in the background, once the server made its task. */
interface RunningTask {
  child: Deno.ChildProcess;
  stdout: Promise<string>;
  stderr: Promise<string>;
}

/** Starts `tools-call RESEARCH topic:=<topic> --task`, runs `fn` once the task exists, then stops the CLI. */
async function withRunningTask(
  harness: Harness,
  topic: string,
  fn: (running: RunningTask) => Promise<void>,
): Promise<void> {
  const child = harness.spawn(["@ev", "tools-call", RESEARCH, `topic:=${topic}`, "--task"]);
  const running = { child, stdout: textOf(child.stdout), stderr: textOf(child.stderr) };
  try {
    await waitFor(
      async () => Object.keys((await harness.sessions()).sessions["@ev"].activeTasks ?? {}).length,
      20_000,
      "the task to exist",
    );
    await fn(running);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
  }
}

/** Reads a child's stream to the end as text. */
async function textOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("a tool that requires a task runs as one; --detach, tasks-* and questions work", async () => {
  await withEverything("stdio", async (harness) => {
    const run = await harness.run(["@ev", "tools-call", RESEARCH, "topic:=cats"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /must run as a task; running it as one/);
    assert.match(run.stdout, /✓ Tool simulate-research-query executed successfully \(\d+:\d\d\)/);
    assert.match(run.stdout, /Research Report: cats/);

    const detached = await harness.run(["@ev", "tools-call", RESEARCH, "topic:=dogs", "--detach"]);
    assert.equal(detached.code, 0, detached.stderr);
    const taskId = detached.stdout.match(/✓ Task started: (\S+)/)?.[1];
    assert.ok(taskId, detached.stdout);
    assert.match(detached.stdout, new RegExp(`mcpc @ev tasks-result ${taskId}`));
    const record = (await harness.sessions()).sessions["@ev"];
    assert.equal(record.activeTasks?.[taskId]?.toolName, RESEARCH, "the record keeps the task");

    const got = await harness.json<{ taskId: string; status: string }>([
      "@ev",
      "tasks-get",
      taskId,
    ]);
    assert.equal(got.taskId, taskId);
    const listed = await harness.json<{ tasks: { taskId: string }[] }>(["@ev", "tasks-list"]);
    assert.ok(listed.tasks.some((task) => task.taskId === taskId));
    const result = await harness.run(["@ev", "tasks-result", taskId]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`✓ Task ${taskId} completed with these results:`));
    assert.match(result.stdout, /Research Report: dogs/);
    const cancel = await harness.run(["@ev", "tasks-cancel", taskId]);
    assert.equal(cancel.code, 1, "a finished task cannot be cancelled");
    assert.match(cancel.stdout, new RegExp(`✗ Task ${taskId} is in status: completed`));

    // The task asks which meaning was meant: --input answers, a plain run declines with a note.
    const answered = await harness.run([
      "@ev",
      "tools-call",
      RESEARCH,
      "topic:=cats",
      "ambiguous:=true",
      "--input",
      '{"interpretation":"historical"}',
    ]);
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, /Research Report: cats \(historical\)/);
    const wrong = await harness.run([
      "@ev",
      "tools-call",
      RESEARCH,
      "topic:=cats",
      "ambiguous:=true",
      "--input",
      '{"interpretation":"pets"}',
    ]);
    assert.equal(wrong.code, 1, "an answer that does not fit the form is the user's error");
    assert.match(
      wrong.stderr,
      /--input does not fit the server's form: interpretation must be one of: technical, historical, current/,
    );
    // The task is not cancelled for the typo: its question waits for the next command to answer.
    const waiting = wrong.stderr.match(/Task (\S+) still waits for that answer; give it with/)?.[1];
    assert.ok(waiting, wrong.stderr);
    assert.match(wrong.stderr, new RegExp(`mcpc @ev tasks-result ${waiting} --input '<json>'`));
    const later = await harness.run([
      "@ev",
      "tasks-result",
      waiting,
      "--input",
      '{"interpretation":"technical"}',
    ]);
    assert.equal(later.code, 0, later.stderr);
    assert.match(later.stdout, /Research Report: cats \(technical\)/);
    const declined = await harness.run([
      "@ev",
      "tools-call",
      RESEARCH,
      "topic:=x",
      "ambiguous:=true",
    ]);
    assert.equal(declined.code, 0, declined.stderr);
    assert.match(declined.stderr, /Note: the server asked for input \(".*multiple interpretations/);
    assert.match(declined.stdout, /User declined/);
    // A wait that times out says the task goes on, and how to follow it.
    const late = await harness.run([
      "@ev",
      "tools-call",
      RESEARCH,
      "topic:=owls",
      "--timeout",
      "1",
    ]);
    assert.equal(late.code, 3, late.stderr);
    assert.match(late.stderr, /timed out after 1 s/);
    assert.match(late.stderr, /Task \S+ may still be running; follow it with mcpc @ev tasks-get/);
    const json = await harness.run(["--json", "@ev", "tools-call", RESEARCH, "topic:=cats"]);
    assert.doesNotMatch(json.stderr, /must run as a task/, "--json keeps stderr for errors");
    assert.ok(Array.isArray(JSON.parse(json.stdout).content));
  });
});

Deno.test("Ctrl+C during --task detaches: exit 0, the task goes on and its result is there", async () => {
  await withEverything("stdio", async (harness) => {
    await withRunningTask(harness, "birds", async ({ child, stdout, stderr }) => {
      child.kill("SIGINT");
      const status = await child.status;
      const out = await stdout;
      assert.equal(status.code, 0, await stderr);
      assert.match(out, /ℹ Detached\. Task (\S+) continues in background/);
      const taskId = out.match(/Task (\S+) continues/)![1];
      const result = await harness.run(["@ev", "tasks-result", taskId]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Research Report: birds/);
    });
  });
});

Deno.test("a bridge that dies during --task is restarted and the task's real result fetched", async () => {
  await withEverything("http", async (harness) => {
    await withRunningTask(harness, "fish", async ({ child, stdout, stderr }) => {
      const pid = (await harness.sessions()).sessions["@ev"].pid!;
      Deno.kill(pid, "SIGKILL");
      await waitFor(() => !isAlive(pid), 10_000, "the bridge to die");
      const status = await child.status;
      assert.equal(status.code, 0, await stderr);
      assert.match(await stdout, /Research Report: fish/, "the server's result, not a made-up one");
    });
  });
});

Deno.test("a stdio server's task lost with its bridge: a clear error, not a hang", async () => {
  await withEverything("stdio", async (harness) => {
    await withRunningTask(harness, "moles", async ({ child, stderr }) => {
      const pid = (await harness.sessions()).sessions["@ev"].pid!;
      Deno.kill(pid, "SIGKILL");
      await waitFor(() => !isAlive(pid), 10_000, "the bridge to die");
      const status = await child.status;
      const text = await stderr;
      assert.equal(status.code, 2, text);
      assert.match(
        text,
        /its stdio server stopped with it; the restarted server does not know the task/,
      );
    });
  });
});

eraTest("progress and questions reach the CLI in both eras", async (era) => {
  const server = await startDemoHttpServer({ era });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@d"])).code, 0);
    const progress = await harness.run([
      "--verbose",
      "@d",
      "tools-call",
      "progress",
      "steps:=3",
      "ms:=50",
    ]);
    assert.equal(progress.code, 0, progress.stderr);
    assert.match(progress.stderr, /Progress: 1\/3 step 1/);
    assert.match(progress.stderr, /Progress: 3\/3 step 3/);
    const quiet = await harness.run(["@d", "tools-call", "progress", "steps:=2", "ms:=10"]);
    assert.doesNotMatch(quiet.stderr, /Progress/, "nothing on a non-terminal without --verbose");

    const answered = await harness.run(["@d", "tools-call", "ask", "--input", '{"name":"Ada"}']);
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, /"action":"accept","content":\{"name":"Ada"/);
    const declined = await harness.run(["@d", "tools-call", "ask"]);
    assert.match(declined.stdout, /"action":"decline"/);
    assert.match(
      declined.stderr,
      /Note: the server asked for input \("Who is asking\?"\); declined/,
    );
    const cancelled = await harness.run(["@d", "tools-call", "ask", "--on-input", "cancel"]);
    assert.match(cancelled.stdout, /"action":"cancel"/);
    const bad = await harness.run(["@d", "tools-call", "ask", "--on-input", "maybe"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid --on-input value: maybe/);
    const notJson = await harness.run(["@d", "tools-call", "ask", "--input", "{nope"]);
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /--input is not valid JSON/);

    // --task on echo: the 2025-era demo server has no tasks, so the call runs as usual with a
    // warning; the 2026-era one has the Tasks extension and answers echo at once, without one.
    const fallback = await harness.run(["@d", "tools-call", "echo", "message:=hi", "--task"]);
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(
      fallback.stderr,
      era === "legacy"
        ? /Server does not support tasks, falling back/
        : /The server ran tool echo at once, without a task/,
    );
    assert.match(fallback.stdout, /hi/);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});
