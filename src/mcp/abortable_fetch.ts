/**
 * A `fetch` whose response bodies end when the request's signal aborts.
 *
 * Under Deno 2.9.6 the link between an `AbortSignal` and a fetch in flight
 * can be lost after a garbage collection, once the `Request` and `Response`
 * objects are unreachable. Aborting then no longer ends a long-lived body (the
 * standalone SSE stream of a 2025-era session), and that open stream keeps
 * the process alive after the client closed. Holding the body's reader here
 * and cancelling it on abort ends the stream whatever the runtime does.
 *
 * Layer: edge.
 * @module
 */

import type { FetchLike } from "./http_diagnostics.ts";

/** Wraps `inner` so that aborting a request's signal also cancels its response body. */
export function abortableFetch(inner: FetchLike): FetchLike {
  return async (url, init) => {
    const response = await inner(url, init);
    const signal = init?.signal;
    if (!signal || !response.body) return response;
    const reader = response.body.getReader();
    const cancel = () => reader.cancel(signal.reason).catch(() => {});
    signal.addEventListener("abort", cancel, { once: true });
    const release = () => signal.removeEventListener("abort", cancel);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) {
            release();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
