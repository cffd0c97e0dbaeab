import assert from "node:assert/strict";
import { settleWithin } from "../../../src/platform/settle.ts";
import { withDeadline } from "../../fakes/deadline.ts";

Deno.test("settleWithin() returns when the promise resolves or rejects", async () => {
  await withDeadline(settleWithin(Promise.resolve(1), 60_000), 5_000, "a resolved promise");
  await withDeadline(settleWithin(Promise.reject(new Error("x")), 60_000), 5_000, "a rejection");
});

Deno.test("settleWithin() gives up after the bound on a promise that never settles", async () => {
  const started = performance.now();
  await withDeadline(settleWithin(new Promise(() => {}), 20), 5_000, "the bound");
  assert.ok(performance.now() - started >= 15);
});
