import assert from "node:assert/strict";
import {
  InputRouter,
  RELATED_TASK_KEY,
  type UnroutedReason,
} from "../../../src/mcp/input_router.ts";
import type { ElicitRequestParams, ElicitResult } from "../../../src/mcp/types.ts";

function question(message: string, taskId?: string): ElicitRequestParams {
  return {
    mode: "form",
    message,
    requestedSchema: { type: "object", properties: {} },
    ...(taskId ? { _meta: { [RELATED_TASK_KEY]: { taskId } } } : {}),
  } as ElicitRequestParams;
}

/** A handler that accepts with its own name, so a test sees who answered. */
function answerer(name: string) {
  return (): Promise<ElicitResult> => Promise.resolve({ action: "accept", content: { by: name } });
}

/** Keeps one request per entry of `requests` in flight while `body` runs outside all of them. */
async function withInFlight(
  router: InputRouter,
  requests: { name: string; taskId?: string }[],
  body: () => Promise<void>,
): Promise<void> {
  const { promise: finished, resolve } = Promise.withResolvers<void>();
  const running = requests.map(({ name, taskId }) =>
    router.run(answerer(name), () => finished, taskId)
  );
  try {
    await body();
  } finally {
    resolve();
    await Promise.all(running);
  }
}

function routerHearingDeclines(): { router: InputRouter; declined: UnroutedReason[] } {
  const declined: UnroutedReason[] = [];
  return { router: new InputRouter((reason) => declined.push(reason)), declined };
}

Deno.test("a question asked inside a request's own exchange goes to that request", async () => {
  const { router } = routerHearingDeclines();
  await withInFlight(router, [{ name: "other" }], async () => {
    const answer = await router.run(answerer("mine"), () => router.answer(question("q")));
    assert.deepEqual(answer, { action: "accept", content: { by: "mine" } });
  });
});

Deno.test("a question about a task goes to the command waiting on that task, not the newest", async () => {
  const { router } = routerHearingDeclines();
  const requests = [{ name: "waiting on t1", taskId: "t1" }, { name: "newer plain call" }];
  await withInFlight(router, requests, async () => {
    const answer = await router.answer(question("which one?", "t1"));
    assert.deepEqual(answer, { action: "accept", content: { by: "waiting on t1" } });
  });
});

Deno.test("a question about a task nobody waits on is declined, even with one listener", async () => {
  const { router, declined } = routerHearingDeclines();
  await withInFlight(router, [{ name: "waiting on t1", taskId: "t1" }], async () => {
    assert.deepEqual(await router.answer(question("q", "t2")), { action: "decline" });
  });
  assert.deepEqual(declined, ["task-not-waited-on"]);
});

Deno.test("a question without context goes to the only listener", async () => {
  const { router, declined } = routerHearingDeclines();
  await withInFlight(router, [{ name: "only" }], async () => {
    assert.deepEqual(await router.answer(question("q")), {
      action: "accept",
      content: { by: "only" },
    });
  });
  assert.deepEqual(declined, []);
});

Deno.test("a question without context is declined when several commands could be asked", async () => {
  const { router, declined } = routerHearingDeclines();
  await withInFlight(router, [{ name: "a" }, { name: "b" }], async () => {
    assert.deepEqual(await router.answer(question("q")), { action: "decline" });
  });
  assert.deepEqual(declined, ["ambiguous"]);
});

Deno.test("a question with nobody in flight is declined", async () => {
  const { router, declined } = routerHearingDeclines();
  assert.equal(router.listening, false);
  assert.deepEqual(await router.answer(question("q")), { action: "decline" });
  assert.deepEqual(declined, ["no-listener"]);
});

Deno.test("a finished request no longer takes questions", async () => {
  const { router, declined } = routerHearingDeclines();
  await router.run(answerer("done"), () => Promise.resolve(), "t1");
  assert.equal(router.listening, false);
  assert.deepEqual(await router.answer(question("q", "t1")), { action: "decline" });
  assert.deepEqual(declined, ["task-not-waited-on"]);
});
