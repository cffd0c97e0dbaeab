import assert from "node:assert/strict";
import {
  InputRouter,
  MAX_HELD,
  MAX_HELD_PER_TASK,
  UnansweredError,
  type UnroutedReason,
} from "../../../src/mcp/input_router.ts";
import { RELATED_TASK_META_KEY } from "../../../src/mcp/sdk.ts";
import type { ElicitRequestParams, ElicitResult } from "../../../src/mcp/types.ts";

function question(message: string, taskId?: string): ElicitRequestParams {
  return {
    mode: "form",
    message,
    requestedSchema: { type: "object", properties: {} },
    ...(taskId ? { _meta: { [RELATED_TASK_META_KEY]: { taskId } } } : {}),
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

Deno.test("a question about a task nobody waits on is held for the next command waiting on it", async () => {
  const { router, declined } = routerHearingDeclines();
  let answered = false;
  const held = router.answer(question("q", "t1")).finally(() => answered = true);
  await withInFlight(router, [{ name: "a plain call" }], async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(answered, false, "not put to a command that does not wait on the task");
    assert.equal(router.heldFor("t1"), 1);
  });
  await router.run(answerer("tasks-result t1"), () => held, "t1");
  assert.deepEqual(await held, { action: "accept", content: { by: "tasks-result t1" } });
  assert.equal(router.heldFor("t1"), 0);
  assert.deepEqual(declined, []);
});

Deno.test("a task's question its asker left unanswered goes to the next waiter, not back to it", async () => {
  const { router } = routerHearingDeclines();
  let asksOfLeaver = 0;
  const leaver = () => {
    asksOfLeaver++;
    return Promise.reject(new UnansweredError());
  };
  const { promise: leaverDone, resolve: finishLeaver } = Promise.withResolvers<void>();
  const leaving = router.run(leaver, () => leaverDone, "t1");
  const answer = router.answer(question("q", "t1"));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(asksOfLeaver, 1);
  assert.equal(router.heldFor("t1"), 1);
  await router.run(answerer("next"), () => answer, "t1");
  assert.deepEqual(await answer, { action: "accept", content: { by: "next" } });
  finishLeaver();
  await leaving;
  assert.equal(asksOfLeaver, 1);
});

Deno.test("a plain request's question its asker left unanswered is cancelled", async () => {
  const { router } = routerHearingDeclines();
  const answer = await router.run(
    () => Promise.reject(new UnansweredError()),
    () => router.answer(question("q")),
  );
  assert.deepEqual(answer, { action: "cancel" });
});

Deno.test("a handler's other failures reach the server's request as errors", async () => {
  const { router } = routerHearingDeclines();
  await assert.rejects(
    router.run(() => Promise.reject(new Error("broken")), () => router.answer(question("q"))),
    /broken/,
  );
});

Deno.test(`at most ${MAX_HELD_PER_TASK} questions are held for one task; more are declined`, async () => {
  const { router, declined } = routerHearingDeclines();
  const held = Array.from(
    { length: MAX_HELD_PER_TASK },
    (_, i) => router.answer(question(`${i}`, "t1")),
  );
  assert.deepEqual(await router.answer(question("one more", "t1")), { action: "decline" });
  assert.deepEqual(declined, ["too-many-held"]);
  await router.run(answerer("waiter"), () => Promise.all(held), "t1");
});

Deno.test(`at most ${MAX_HELD} questions are held for all tasks together`, async () => {
  const { router, declined } = routerHearingDeclines();
  const perTask = MAX_HELD_PER_TASK;
  const held = Array.from(
    { length: MAX_HELD },
    (_, i) => router.answer(question(`${i}`, `t${Math.floor(i / perTask)}`)),
  );
  assert.deepEqual(await router.answer(question("one more", "t-new")), { action: "decline" });
  assert.deepEqual(declined, ["too-many-held"]);
  for (let t = 0; t < MAX_HELD / perTask; t++) {
    await router.run(answerer("waiter"), () => Promise.resolve(), `t${t}`);
  }
  assert.equal((await Promise.all(held)).length, MAX_HELD);
});

Deno.test("a held question the server gives up is dropped, never asked", async () => {
  const router = new InputRouter();
  const gaveUp = new AbortController();
  const dropped = router.answer(question("stale", "t1"), gaveUp.signal);
  const kept = router.answer(question("fresh", "t1"));
  assert.equal(router.heldFor("t1"), 2);
  gaveUp.abort();
  assert.deepEqual(await dropped, { action: "cancel" });
  assert.equal(router.heldFor("t1"), 1);
  const asked: string[] = [];
  await router.run(
    (request) => {
      asked.push(request.message);
      return Promise.resolve({ action: "accept", content: {} });
    },
    () => kept.then(() => {}),
    "t1",
  );
  assert.deepEqual(asked, ["fresh"]);
  const late = new AbortController();
  late.abort();
  assert.deepEqual(await router.answer(question("late", "t2"), late.signal), { action: "cancel" });
  assert.equal(router.heldFor("t2"), 0);
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
  await router.run(answerer("done"), () => Promise.resolve());
  assert.equal(router.listening, false);
  assert.deepEqual(await router.answer(question("q")), { action: "decline" });
  assert.deepEqual(declined, ["no-listener"]);
});

Deno.test("a left plain request's later questions are cancelled, never put to another command", async () => {
  const { router } = routerHearingDeclines();
  let otherAsked = false;
  const { promise: otherDone, resolve: finishOther } = Promise.withResolvers<void>();
  const other = router.run(() => {
    otherAsked = true;
    return Promise.resolve({ action: "accept" as const });
  }, () => otherDone);
  const answers = await router.run(
    () => Promise.reject(new UnansweredError()),
    async () => [await router.answer(question("first")), await router.answer(question("second"))],
  );
  finishOther();
  await other;
  assert.deepEqual(answers, [{ action: "cancel" }, { action: "cancel" }]);
  assert.equal(otherAsked, false);
});
