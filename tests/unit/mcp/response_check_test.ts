import assert from "node:assert/strict";
import {
  checkResponse,
  invalidResponseError,
  invalidResponseText,
  looksLikeResponse,
} from "../../../src/mcp/response_check.ts";

const pending = new Map<string | number, string>([[3, "tools/call"]]);

Deno.test("checkResponse accepts valid results and errors for a pending id", () => {
  assert.equal(checkResponse({ jsonrpc: "2.0", id: 3, result: {} }, pending), undefined);
  assert.equal(
    checkResponse({ jsonrpc: "2.0", id: 3, error: { code: -1, message: "no" } }, pending),
    undefined,
  );
});

Deno.test("checkResponse names what is wrong and which requests fail", () => {
  const cases: [Record<string, unknown>, string, (string | number)[]][] = [
    [{ jsonrpc: "2.0", id: 3, error: { code: 1 } }, "the error has no message", [3]],
    [
      { jsonrpc: "2.0", id: 3, error: { code: "x", message: "m" } },
      'the error code is a string ("x"), not an integer',
      [3],
    ],
    [{ jsonrpc: "2.0", id: 3, error: null }, "the error is null", [3]],
    [{ jsonrpc: "2.0", id: 3, result: {}, error: null }, "it has both a result and an error", [3]],
    [{ jsonrpc: "2.0", id: 9, result: {} }, "its id 9 matches no request", [3]],
    [{ jsonrpc: "2.0", result: {} }, "it has no id", [3]],
    [{ jsonrpc: "2.0", id: 3, result: "ok" }, 'the result is a string ("ok"), not an object', [3]],
    [{ jsonrpc: "2.0", id: 3, result: [] }, "the result is an array, not an object", [3]],
    [{ id: 3, result: {} }, '"jsonrpc" is missing, not "2.0"', [3]],
  ];
  for (const [message, reason, ids] of cases) {
    assert.deepEqual(checkResponse(message, pending), { reason, ids }, JSON.stringify(message));
  }
});

Deno.test("looksLikeResponse tells responses from requests and notifications", () => {
  assert.equal(looksLikeResponse({ jsonrpc: "2.0", id: 1, result: {} }), true);
  assert.equal(looksLikeResponse({ jsonrpc: "2.0", error: null }), true);
  assert.equal(looksLikeResponse({ jsonrpc: "2.0", id: 1, method: "ping" }), false);
  assert.equal(looksLikeResponse({ jsonrpc: "2.0", method: "notifications/x" }), false);
  assert.equal(looksLikeResponse([1]), false);
});

Deno.test("invalidResponseError carries the user-facing text", () => {
  const error = invalidResponseError(3, "tools/call", "the error is null") as {
    error: { data: unknown };
  };
  assert.equal(
    invalidResponseText(error.error.data),
    "Server sent an invalid response to tools/call: the error is null",
  );
  assert.equal(invalidResponseText({ other: 1 }), undefined);
});
