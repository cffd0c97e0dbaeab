import assert from "node:assert/strict";
import { renderTaskCancelled } from "../../../../src/render/human/tasks.ts";
import { createTheme } from "../../../../src/render/theme.ts";
import type { Task } from "../../../../src/mcp/types.ts";

const plain = createTheme(false);

function task(status: Task["status"]): Task {
  return { taskId: "t1", status, createdAt: "x", lastUpdatedAt: "x", ttl: null };
}

Deno.test("renderTaskCancelled() says a 2026 cancel was requested, a 2025 task's other status is an error", () => {
  assert.equal(renderTaskCancelled(task("cancelled"), plain), "✓ Task t1 cancelled");
  assert.equal(
    renderTaskCancelled(task("working"), plain, { eventual: true }),
    "✓ Cancellation of task t1 requested (status now: working; the server stops it in its own time)",
  );
  // A 2025-11-25 server must answer tasks/cancel with the cancelled task: anything else is wrong.
  assert.equal(renderTaskCancelled(task("working"), plain), "✗ Task t1 is in status: working");
  assert.equal(
    renderTaskCancelled(task("completed"), plain, { eventual: true }),
    "✗ Task t1 is in status: completed",
  );
});
