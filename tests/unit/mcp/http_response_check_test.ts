import assert from "node:assert/strict";
import {
  checkedAnswer,
  checkedEventStream,
  checkedJsonBody,
  postedRequest,
} from "../../../src/mcp/http_response_check.ts";
import { recordingFetch } from "../../../src/mcp/http_diagnostics.ts";
import { INVALID_RESPONSE_CODE, invalidResponseText } from "../../../src/mcp/response_check.ts";

const REQUEST = { id: 7, method: "tools/call" };
const encoder = new TextEncoder();

/** Runs `chunks` through the transform and returns what came out, chunk by chunk. */
async function transformed(chunks: string[] | Uint8Array[]): Promise<string[]> {
  const input = ReadableStream.from(
    (chunks as (string | Uint8Array)[]).map((chunk) =>
      typeof chunk === "string" ? encoder.encode(chunk) : chunk
    ),
  );
  const out: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of input.pipeThrough(checkedEventStream(REQUEST))) {
    out.push(decoder.decode(chunk));
  }
  return out;
}

/** The `data` of each event in an SSE text, parsed. */
function eventData(text: string): unknown[] {
  return text.split(/\r\n\r\n|\n\n|\r\r/).flatMap((event) => {
    const data = event.split(/\r\n|\r|\n/).filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trimStart());
    return data.length === 0 ? [] : [JSON.parse(data.join("\n"))];
  });
}

function errorText(message: unknown): string | undefined {
  const error = (message as { error?: { code?: unknown; data?: unknown } }).error;
  assert.equal(error?.code, INVALID_RESPONSE_CODE);
  return invalidResponseText(error?.data);
}

/** Every way to cut `text` in two. */
function splits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);
}

Deno.test("postedRequest() finds the one request of a POST body, not initialize", () => {
  assert.deepEqual(
    postedRequest('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}}'),
    REQUEST,
  );
  assert.deepEqual(postedRequest('{"jsonrpc":"2.0","id":"a","method":"ping"}'), {
    id: "a",
    method: "ping",
  });
  assert.equal(postedRequest('{"jsonrpc":"2.0","id":0,"method":"initialize"}'), undefined);
  assert.equal(postedRequest('{"jsonrpc":"2.0","method":"notifications/initialized"}'), undefined);
  assert.equal(postedRequest('[{"jsonrpc":"2.0","id":1,"method":"ping"}]'), undefined);
  assert.equal(postedRequest('{"jsonrpc":"2.0","id":1,"result":{}}'), undefined);
  assert.equal(postedRequest("not json"), undefined);
  assert.equal(postedRequest(undefined), undefined);
});

Deno.test("checkedJsonBody() keeps a valid answer and anything that is not a response", () => {
  for (
    const body of [
      '{"jsonrpc":"2.0","id":7,"result":{"content":[]}}',
      '{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Unknown tool"}}',
      '{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage","params":{}}',
      "not json",
    ]
  ) {
    assert.equal(checkedJsonBody(body, REQUEST), undefined, body);
  }
});

Deno.test("checkedJsonBody() replaces an invalid response by an error for the posted request", () => {
  const cases: [unknown, string][] = [
    [{ jsonrpc: "2.0", id: 7, error: { code: 1 } }, "the error has no message"],
    [{ jsonrpc: "2.0", id: 7, error: null }, "the error is null"],
    [{ jsonrpc: "2.0", id: 7, result: {}, error: { code: 1, message: "m" } }, "it has both"],
    [{ jsonrpc: "2.0", id: 99, result: {} }, "its id 99 matches no request"],
    [{ jsonrpc: "2.0", result: {} }, "it has no id"],
    [{ jsonrpc: "2.0", id: 7, result: "ok" }, 'the result is a string ("ok")'],
  ];
  for (const [message, reason] of cases) {
    const replaced = JSON.parse(checkedJsonBody(JSON.stringify(message), REQUEST) ?? "null");
    assert.equal(replaced?.id, 7, "the posted request is the one answered");
    assert.equal(replaced?.jsonrpc, "2.0");
    const text = errorText(replaced);
    assert.ok(text?.startsWith(`Server sent an invalid response to tools/call: ${reason}`), text);
  }
});

Deno.test("checkedJsonBody() checks the first response of a batch body only", () => {
  const body = JSON.stringify([
    { jsonrpc: "2.0", method: "notifications/message", params: {} },
    { jsonrpc: "2.0", id: 7, error: null },
    { jsonrpc: "2.0", id: 8, error: null },
  ]);
  const replaced = JSON.parse(checkedJsonBody(body, REQUEST)!);
  assert.equal(replaced[0].method, "notifications/message");
  assert.match(errorText(replaced[1])!, /the error is null/);
  assert.deepEqual(replaced[2], { jsonrpc: "2.0", id: 8, error: null });
});

Deno.test("checkedEventStream() passes valid events byte for byte, however the stream is cut", async () => {
  const stream = ": keep-alive\r\n\r\n" +
    'id: 1\nretry: 500\ndata: {"jsonrpc":"2.0","method":"notifications/message",\ndata: "params":{}}\n\n' +
    'event: other\ndata: {"jsonrpc":"2.0","id":7,"error":null}\n\n' +
    'data: {"jsonrpc":"2.0","id":7,"result":{"text":"h\u00e9\u2603"}}\r\r' +
    'data: {"jsonrpc":"2.0","id":7,"error":null}\n\n' +
    "data: unfinished";
  for (const chunks of splits(stream)) {
    assert.equal((await transformed(chunks)).join(""), stream, JSON.stringify(chunks));
  }
  const bytes = encoder.encode(stream);
  const oneByOne = Array.from(bytes, (byte) => Uint8Array.of(byte));
  assert.equal((await transformed(oneByOne)).join(""), stream);
});

Deno.test("checkedEventStream() rewrites the event of an invalid response and keeps its other fields", async () => {
  const notice = '{"jsonrpc":"2.0","method":"notifications/message","params":{}}';
  const stream = `data: ${notice}\n\n` +
    'id: ev-3\nevent: message\ndata: {"jsonrpc":"2.0","id":7,\ndata: "error":{"code":"x","message":"m"}}\n\n' +
    'data: {"jsonrpc":"2.0","id":7,"error":null}\n\n';
  for (const chunks of splits(stream)) {
    const out = (await transformed(chunks)).join("");
    assert.ok(out.startsWith(`data: ${notice}\n\nid: ev-3\nevent: message\ndata: {`), out);
    const [first, second, third] = eventData(out);
    assert.equal(first && JSON.stringify(first), notice);
    assert.equal(
      errorText(second),
      'Server sent an invalid response to tools/call: the error code is a string ("x"), not an integer',
    );
    assert.deepEqual(third, { jsonrpc: "2.0", id: 7, error: null }, "only the first answer counts");
  }
});

Deno.test("checkedEventStream() drops the LF of a rewritten event's CRLF, wherever it falls", async () => {
  const stream = 'data: {"jsonrpc":"2.0","error":{"code":1,"message":"m"}}\r\n\r\n: next\r\n\r\n';
  for (const chunks of splits(stream)) {
    const out = (await transformed(chunks)).join("");
    assert.ok(out.endsWith("}\n\n: next\r\n\r\n"), JSON.stringify(out));
    assert.match(errorText(eventData(out)[0])!, /: it has no id$/);
  }
});

Deno.test("checkedEventStream() hands each event on as soon as its blank line arrives", async () => {
  const source = new TransformStream<Uint8Array, Uint8Array>();
  const writer = source.writable.getWriter();
  const reader = source.readable.pipeThrough(checkedEventStream(REQUEST)).getReader();
  const decoder = new TextDecoder();
  writer.write(encoder.encode('data: {"jsonrpc":"2.0","method":"a"}\n\ndata: {"js'));
  assert.equal(
    decoder.decode((await reader.read()).value),
    'data: {"jsonrpc":"2.0","method":"a"}\n\n',
  );
  writer.write(encoder.encode('onrpc":"2.0","id":7,"result":1}\n\n'));
  assert.match(errorText(eventData(decoder.decode((await reader.read()).value))[0])!, /number 1/);
  await reader.cancel();
  await writer.abort().catch(() => {});
});

Deno.test("checkedAnswer() rewrites a JSON body and keeps status and headers", async () => {
  const response = new Response('{"jsonrpc":"2.0","id":7,"error":null}', {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": "37",
      "mcp-session-id": "abc",
    },
  });
  const checked = await checkedAnswer(response, REQUEST);
  assert.equal(checked.status, 200);
  assert.equal(checked.headers.get("mcp-session-id"), "abc");
  assert.equal(checked.headers.get("content-length"), null);
  assert.match(errorText(await checked.json())!, /the error is null/);
});

Deno.test("checkedAnswer() leaves error statuses and other content types alone", async () => {
  const failed = new Response('{"jsonrpc":"2.0","id":7,"error":null}', {
    status: 500,
    headers: { "content-type": "application/json" },
  });
  assert.equal(await checkedAnswer(failed, REQUEST), failed);
  const text = new Response("hello", { headers: { "content-type": "text/plain" } });
  assert.equal(await checkedAnswer(text, REQUEST), text);
  const valid = await checkedAnswer(
    new Response('{"jsonrpc":"2.0","id":7,"result":{}}', {
      headers: { "content-type": "application/json" },
    }),
    REQUEST,
  );
  assert.equal(await valid.text(), '{"jsonrpc":"2.0","id":7,"result":{}}');
});

Deno.test("recordingFetch() replaces an invalid answer to a request, not to initialize", async () => {
  const bad = () =>
    Promise.resolve(
      new Response('{"jsonrpc":"2.0","id":1,"error":{"code":1}}', {
        headers: { "content-type": "application/json" },
      }),
    );
  const recorder = recordingFetch(bad);
  const call = await recorder.fetch("http://127.0.0.1:1/mcp", {
    method: "POST",
    body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
  });
  assert.equal(
    errorText(await call.json()),
    "Server sent an invalid response to tools/list: the error has no message",
  );
  const initialize = await recorder.fetch("http://127.0.0.1:1/mcp", {
    method: "POST",
    body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}',
  });
  assert.deepEqual(await initialize.json(), { jsonrpc: "2.0", id: 1, error: { code: 1 } });
});
