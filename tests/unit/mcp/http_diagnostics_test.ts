import assert from "node:assert/strict";
import {
  describeBody,
  endpointMessage,
  htmlTitle,
  HttpEndpointError,
  isLegacySseEndpoint,
  recordingFetch,
} from "../../../src/mcp/http_diagnostics.ts";

const URL_ = "http://127.0.0.1:1/mcp";

Deno.test("htmlTitle() returns the collapsed, decoded title", () => {
  assert.equal(htmlTitle("<html><head><TITLE>\n  A &amp; B\n</TITLE>"), "A & B");
  assert.equal(htmlTitle("<html><body>no title</body></html>"), undefined);
});

Deno.test("describeBody() summarises HTML by its title, JSON-RPC errors by their message", () => {
  const base = { method: "POST", status: 404, contentType: "text/html" };
  assert.equal(
    describeBody({ ...base, body: "<!DOCTYPE html><title>Not Found</title>" + "x".repeat(9000) }),
    'an HTML page ("Not Found")',
  );
  assert.equal(describeBody({ ...base, body: "<html><body>x</body></html>" }), "an HTML page");
  assert.equal(
    describeBody({
      ...base,
      contentType: "application/json",
      body: '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request"},"id":null}',
    }),
    '"Bad Request"',
  );
  assert.equal(describeBody({ ...base, contentType: "", body: "" }), "an empty body");
  assert.equal(
    describeBody({ ...base, contentType: "text/plain", body: `${"y".repeat(200)}\n` }),
    JSON.stringify(`${"y".repeat(120)}…`),
  );
});

Deno.test("endpointMessage() words each kind of non-MCP answer", () => {
  const facts = {
    method: "POST",
    status: 200,
    contentType: "text/html",
    body: "<title>Hi</title>",
  };
  assert.equal(
    endpointMessage(URL_, facts, false),
    `Server at ${URL_} answered with an HTML page ("Hi") (content type text/html), which is not an MCP response. Check the endpoint URL`,
  );
  assert.match(
    endpointMessage(URL_, { ...facts, status: 405, body: "" }, false),
    /HTTP 405 .*Check the endpoint URL$/,
  );
  assert.doesNotMatch(endpointMessage(URL_, { ...facts, status: 503, body: "" }, false), /Check/);
  assert.match(
    endpointMessage(URL_, facts, true),
    /legacy HTTP\+SSE endpoint, which mcpc does not support/,
  );
  assert.match(endpointMessage(URL_, { ...facts, status: 307 }, false), /redirect \(HTTP 307\)/);
});

Deno.test("HttpEndpointError is transient only for 5xx, 408 and 429", () => {
  const facts = { method: "POST", status: 500, contentType: "", body: "" };
  assert.equal(new HttpEndpointError(URL_, facts, false).transient, true);
  assert.equal(new HttpEndpointError(URL_, { ...facts, status: 429 }, false).transient, true);
  assert.equal(new HttpEndpointError(URL_, { ...facts, status: 404 }, false).transient, false);
  assert.equal(new HttpEndpointError(URL_, { ...facts, status: 200 }, false).transient, false);
});

Deno.test("recordingFetch() remembers error and non-MCP answers and passes responses on unchanged", async () => {
  const answers = [
    new Response('{"jsonrpc":"2.0","id":1,"result":{}}', {
      headers: { "content-type": "application/json" },
    }),
    new Response("<title>Oops</title>", { status: 502, headers: { "content-type": "text/html" } }),
  ];
  const recorder = recordingFetch(() => Promise.resolve(answers.shift()!));
  const ok = await recorder.fetch(URL_, { method: "POST" });
  assert.equal(recorder.last(), undefined);
  assert.equal((await ok.json()).id, 1);
  const bad = await recorder.fetch(URL_, { method: "POST" });
  assert.deepEqual(recorder.last(), {
    method: "POST",
    status: 502,
    contentType: "text/html",
    body: "<title>Oops</title>",
  });
  assert.equal(await bad.text(), "<title>Oops</title>", "the caller still reads the body");
});

Deno.test("recordingFetch() reports a request accepted with 202 and no answer, not a notification", async () => {
  const heard: unknown[] = [];
  const recorder = recordingFetch(
    () => Promise.resolve(new Response(null, { status: 202 })),
    { onNoAnswer: (facts) => heard.push(facts) },
  );
  await recorder.fetch(URL_, {
    method: "POST",
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  });
  assert.deepEqual(heard, [], "a notification is answered with 202 by design");
  await recorder.fetch(URL_, {
    method: "POST",
    body: '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}',
  });
  assert.deepEqual(heard, [{ method: "POST", status: 202, contentType: "", body: "" }]);
});

Deno.test("recordingFetch() does not wait for an error body that never ends", async () => {
  const endless = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("<title>Slow</title>"));
    },
  });
  const recorder = recordingFetch(() =>
    Promise.resolve(
      new Response(endless, { status: 500, headers: { "content-type": "text/html" } }),
    )
  );
  const started = Date.now();
  const response = await recorder.fetch(URL_, { method: "POST" });
  assert.ok(Date.now() - started < 5_000);
  assert.equal(recorder.last()?.body, "<title>Slow</title>");
  await response.body?.cancel();
});

Deno.test("isLegacySseEndpoint() recognises an endpoint event and nothing else", async () => {
  const sse = (text: string) => () =>
    Promise.resolve(new Response(text, { headers: { "content-type": "text/event-stream" } }));
  assert.equal(
    await isLegacySseEndpoint(URL_, { fetch: sse("event: endpoint\ndata: /messages?x=1\n\n") }),
    true,
  );
  assert.equal(
    await isLegacySseEndpoint(URL_, { fetch: sse("event: message\ndata: {}\n\n") }),
    false,
  );
  assert.equal(
    await isLegacySseEndpoint(URL_, {
      fetch: () => Promise.resolve(new Response("nope", { status: 404 })),
    }),
    false,
  );
  assert.equal(
    await isLegacySseEndpoint(URL_, { fetch: () => Promise.reject(new Error("down")) }),
    false,
  );
});
