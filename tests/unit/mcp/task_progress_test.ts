import assert from "node:assert/strict";
import type { ProgressReport } from "../../../src/mcp/client.ts";
import {
  MAX_TRACKED_TASKS,
  TASK_PROGRESS_PREFIX,
  TaskProgress,
} from "../../../src/mcp/task_progress.ts";

function recorder(): { heard: ProgressReport[]; listener: (report: ProgressReport) => void } {
  const heard: ProgressReport[] = [];
  return { heard, listener: (report) => heard.push(report) };
}

Deno.test("TaskProgress: progress while the task is made goes to the call", () => {
  const progress = new TaskProgress();
  const call = recorder();
  const token = progress.open(call.listener);
  assert.equal(progress.take({ progressToken: token, progress: 1, total: 2 }), true);
  assert.deepEqual(call.heard, [{ progress: 1, total: 2 }]);
});

Deno.test("TaskProgress: after the task exists its progress goes to the newest waiter", () => {
  const progress = new TaskProgress();
  const call = recorder();
  const token = progress.open(call.listener);
  progress.created(token, "t1");
  const first = recorder();
  const second = recorder();
  const stopFirst = progress.wait("t1", first.listener);
  const stopSecond = progress.wait("t1", second.listener);
  progress.take({ progressToken: token, progress: 2, message: "half" });
  assert.deepEqual(second.heard, [{ progress: 2, message: "half" }]);
  assert.deepEqual(first.heard, []);
  assert.deepEqual(call.heard, [], "the call that made it is over");
  stopSecond();
  progress.take({ progressToken: token, progress: 3 });
  assert.deepEqual(first.heard, [{ progress: 3 }]);
  stopFirst();
  assert.equal(progress.take({ progressToken: token, progress: 4 }), true, "ours, dropped");
});

Deno.test("TaskProgress: other tokens are left to the SDK", () => {
  const progress = new TaskProgress();
  assert.equal(progress.take({ progressToken: 7, progress: 1 }), false);
  assert.equal(progress.take({ progressToken: "someone-else", progress: 1 }), false);
  const token = progress.open();
  progress.created(token); // the call failed: no task
  assert.equal(progress.take({ progressToken: token, progress: 1 }), true, "still ours: dropped");
});

Deno.test(`TaskProgress: remembers at most ${MAX_TRACKED_TASKS} tasks, forgetting the oldest`, () => {
  const progress = new TaskProgress();
  const tokens = Array.from({ length: MAX_TRACKED_TASKS + 1 }, (_, i) => {
    const token = progress.open();
    progress.created(token, `t${i}`);
    return token;
  });
  const oldest = recorder();
  const newest = recorder();
  progress.wait("t0", oldest.listener);
  progress.wait(`t${MAX_TRACKED_TASKS}`, newest.listener);
  progress.take({ progressToken: tokens[0], progress: 1 });
  progress.take({ progressToken: tokens.at(-1)!, progress: 1 });
  assert.deepEqual(oldest.heard, []);
  assert.deepEqual(newest.heard, [{ progress: 1 }]);
});

Deno.test("TaskProgress places a token it does not know by the task the notification names", () => {
  const progress = new TaskProgress();
  const heard: number[] = [];
  const stop = progress.wait("t-old", (report) => heard.push(report.progress));
  // A former bridge's token (the session was resumed after a restart).
  const former = `${TASK_PROGRESS_PREFIX}0000aaaa-7`;
  assert.equal(progress.take({ progressToken: former, progress: 1 }), true, "ours, unplaced");
  assert.deepEqual(heard, [], "without the task's name it cannot be placed");
  assert.equal(progress.take({ progressToken: former, progress: 2 }, "t-old"), true);
  assert.equal(progress.take({ progressToken: former, progress: 3 }), true, "learned");
  assert.deepEqual(heard, [2, 3]);
  // Another client's token about a task someone here waits on is taken too; one about a task
  // nobody waits on is left to the SDK.
  assert.equal(progress.take({ progressToken: "theirs", progress: 4 }, "t-old"), true);
  assert.equal(progress.take({ progressToken: "other", progress: 5 }, "t-none"), false);
  assert.deepEqual(heard, [2, 3, 4]);
  stop();
});
