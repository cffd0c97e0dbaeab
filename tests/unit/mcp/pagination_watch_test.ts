import assert from "node:assert/strict";
import {
  CursorWatch,
  MAX_LIST_PAGES,
  PaginationError,
  watchCursors,
} from "../../../src/mcp/pagination_watch.ts";
import type { JSONRPCMessage } from "../../../src/mcp/types.ts";

let id = 0;
function list(method: string, cursor?: string): JSONRPCMessage {
  return {
    jsonrpc: "2.0",
    id: ++id,
    method,
    params: cursor === undefined ? {} : { cursor },
  } as JSONRPCMessage;
}

Deno.test("CursorWatch lets a walk with fresh cursors through", () => {
  const watch = new CursorWatch();
  watch.note(list("resources/list"));
  watch.note(list("resources/list", "a"));
  watch.note(list("resources/list", "b"));
});

Deno.test("CursorWatch stops a walk that asks for a cursor twice", () => {
  const watch = new CursorWatch();
  watch.note(list("tools/list"));
  watch.note(list("tools/list", "a"));
  watch.note(list("tools/list", "b"));
  assert.throws(
    () => watch.note(list("tools/list", "a")),
    (error: unknown) =>
      error instanceof PaginationError && error.kind === "server" &&
      /tools\/list returned the cursor "a" a second time \(after 3 pages\)/.test(error.message),
  );
});

Deno.test("CursorWatch starts over with each first page and keeps methods apart", () => {
  const watch = new CursorWatch();
  watch.note(list("prompts/list"));
  watch.note(list("prompts/list", "a"));
  watch.note(list("resources/list"));
  watch.note(list("resources/list", "a"));
  watch.note(list("prompts/list"));
  watch.note(list("prompts/list", "a"));
});

Deno.test("CursorWatch stops a walk past the page limit", () => {
  const watch = new CursorWatch(3);
  watch.note(list("resources/templates/list"));
  watch.note(list("resources/templates/list", "1"));
  watch.note(list("resources/templates/list", "2"));
  assert.throws(
    () => watch.note(list("resources/templates/list", "3")),
    /did not end after 3 pages/,
  );
  assert.equal(MAX_LIST_PAGES, 1_000);
});

Deno.test("CursorWatch ignores other requests and notifications", () => {
  const watch = new CursorWatch(1);
  watch.note({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { cursor: "x" } });
  watch.note({ jsonrpc: "2.0", method: "notifications/cancelled", params: {} } as JSONRPCMessage);
});

Deno.test("watchCursors rejects the refused request and sends nothing", async () => {
  const sent: JSONRPCMessage[] = [];
  const transport = watchCursors({
    send(message: JSONRPCMessage) {
      sent.push(message);
      return Promise.resolve();
    },
  });
  await transport.send(list("tools/list"));
  await transport.send(list("tools/list", "a"));
  await assert.rejects(transport.send(list("tools/list", "a")), PaginationError);
  assert.equal(sent.length, 2);
});
