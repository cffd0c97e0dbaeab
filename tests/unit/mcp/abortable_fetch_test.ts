import assert from "node:assert/strict";
import { abortableFetch } from "../../../src/mcp/abortable_fetch.ts";
import { withDeadline } from "../../fakes/deadline.ts";

/** A fetch whose response body never ends and ignores the request's signal (as after the GC bug). */
function endlessFetch(): { fetch: typeof fetch; cancelled: Promise<unknown> } {
  const { promise: cancelled, resolve } = Promise.withResolvers<unknown>();
  const fake = () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(": open\n\n"));
      },
      cancel: resolve,
    });
    return Promise.resolve(new Response(body, { status: 200, headers: { "x-kept": "yes" } }));
  };
  return { fetch: fake as typeof fetch, cancelled };
}

Deno.test("abortableFetch() ends a body that outlives its request's abort", async () => {
  const inner = endlessFetch();
  const controller = new AbortController();
  const response = await abortableFetch(inner.fetch)("http://127.0.0.1/mcp", {
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-kept"), "yes");
  const reader = response.body!.getReader();
  assert.equal((await reader.read()).done, false);
  const next = reader.read();
  controller.abort(new DOMException("closed", "AbortError"));
  await withDeadline(inner.cancelled, 2_000, "the inner body to be cancelled");
  await withDeadline(next.catch(() => ({ done: true })), 2_000, "the read to end");
});

Deno.test("abortableFetch() passes a response without a signal unchanged", async () => {
  const inner = endlessFetch();
  const response = await abortableFetch(inner.fetch)("http://127.0.0.1/mcp");
  assert.equal(response.headers.get("x-kept"), "yes");
  await response.body!.cancel();
});
