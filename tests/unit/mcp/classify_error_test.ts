import assert from "node:assert/strict";
import { httpError } from "../../fakes/sdk_errors.ts";
import { SessionNotResumedError } from "../../../src/mcp/client.ts";
import { classifyMcpError, rootMessage } from "../../../src/mcp/classify_error.ts";
import {
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  UnauthorizedError,
} from "../../../src/mcp/sdk.ts";
import { HttpEndpointError } from "../../../src/mcp/http_diagnostics.ts";
import { StdioServerError } from "../../../src/mcp/stdio_transport.ts";

const URL_ = "https://mcp.example.com/mcp";
const REFUSED =
  "error sending request for url (http://127.0.0.1:9/mcp): client error (Connect): tcp connect error: Connection refused (os error 111)";
const DNS =
  "error sending request for url (http://nowhere.invalid/): client error (Connect): dns error: failed to lookup address information: Name or service not known";

for (const status of [401, 403]) {
  Deno.test(`classifyMcpError() maps HTTP ${status} to auth and unauthorized`, () => {
    const error = httpError(status, "Error POSTing to endpoint");
    assert.deepEqual(classifyMcpError(error, { url: URL_, hadSession: true }), {
      kind: "auth",
      message: `Server returned HTTP ${status} at ${URL_}`,
      sessionStatus: "unauthorized",
    });
  });
}

Deno.test("classifyMcpError() prefixes the operation on an HTTP 401", () => {
  const error = httpError(401, "nope");
  const classified = classifyMcpError(error, {
    url: URL_,
    hadSession: false,
    operation: 'Failed to call tool "x"',
  });
  assert.equal(classified.message, `Failed to call tool "x": Server returned HTTP 401 at ${URL_}`);
});

Deno.test("classifyMcpError() maps HTTP 404 with a session to an expired session", () => {
  const error = httpError(404, "Session not found");
  assert.deepEqual(classifyMcpError(error, { url: URL_, hadSession: true }), {
    kind: "usage",
    message: "Session expired: the server rejected the MCP session ID (HTTP 404)",
    sessionStatus: "expired",
  });
});

Deno.test("classifyMcpError() maps HTTP 404 without a session to a wrong endpoint", () => {
  const error = httpError(404, "Not Found");
  const classified = classifyMcpError(error, { url: URL_, hadSession: false });
  assert.equal(classified.kind, "usage");
  assert.equal(classified.sessionStatus, undefined);
  assert.match(classified.message, /Check the endpoint URL/);
  assert.equal(
    classified.message,
    `Server returned 404 Not Found at ${URL_}. Check the endpoint URL.`,
  );
});

Deno.test("classifyMcpError() maps HTTP 400 saying the session is gone to expired (SDK servers' wording)", () => {
  for (
    const body of [
      "Bad Request: No valid session ID provided",
      "Bad Request: Mcp-Session-Id header is required",
      "Bad Request: Server not initialized",
      "Invalid or missing session ID",
      "Unknown session",
    ]
  ) {
    const error = httpError(
      400,
      `Error POSTing to endpoint: {"jsonrpc":"2.0","error":{"code":-32000,"message":"${body}"},"id":null}`,
    );
    assert.deepEqual(classifyMcpError(error, { url: URL_, hadSession: true }), {
      kind: "usage",
      message: "Session expired: the server rejected the MCP session ID (HTTP 400)",
      sessionStatus: "expired",
    }, body);
    assert.equal(
      classifyMcpError(error, { url: URL_, hadSession: false }).sessionStatus,
      undefined,
    );
  }
});

Deno.test("classifyMcpError() keeps an HTTP 400 about something else a usage error, not expired", () => {
  const error = httpError(
    400,
    '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Bad Request: bad params"},"id":null}',
  );
  assert.deepEqual(classifyMcpError(error, { url: URL_, hadSession: true }), {
    kind: "usage",
    message: `Server returned HTTP 400 at ${URL_}: "Bad Request: bad params"`,
  });
});

Deno.test("classifyMcpError() summarises an HTML error page by its title", () => {
  const error = httpError(
    418,
    "<!DOCTYPE html><html><head><title>I am a teapot</title></head><body>" +
      "x".repeat(5000) + "</body></html>",
  );
  const classified = classifyMcpError(error, { url: URL_, hadSession: false });
  assert.equal(classified.kind, "usage");
  assert.equal(
    classified.message,
    `Server returned HTTP 418 at ${URL_}: an HTML page ("I am a teapot")`,
  );
});

Deno.test("classifyMcpError() reports a typed stdio or endpoint failure as a usage error", () => {
  const stdio = new StdioServerError(
    "echo",
    'The server command "cat" sent the initialize request back',
  );
  assert.deepEqual(classifyMcpError(stdio, { hadSession: false }), {
    kind: "usage",
    message: stdio.message,
  });
  const facts = { method: "POST", status: 200, contentType: "text/html", body: "<html></html>" };
  const html = new HttpEndpointError(URL_, facts, false);
  assert.equal(classifyMcpError(html, { hadSession: false }).kind, "usage");
  const down = new HttpEndpointError(
    URL_,
    { ...facts, status: 503, contentType: "text/plain" },
    false,
  );
  assert.equal(classifyMcpError(down, { hadSession: false }).kind, "network");
});

Deno.test("classifyMcpError() maps an HTTP redirect to a usage error", () => {
  const classified = classifyMcpError(httpError(302, "Found"), {
    url: URL_,
    hadSession: false,
  });
  assert.equal(classified.kind, "usage");
  assert.equal(classified.sessionStatus, undefined);
  assert.match(
    classified.message,
    /^Server returned a redirect at https:\/\/mcp\.example\.com\/mcp\./,
  );
});

for (const status of [500, 502, 503]) {
  Deno.test(`classifyMcpError() maps HTTP ${status} to network without a status change`, () => {
    const error = httpError(status, "Internal Server Error");
    const classified = classifyMcpError(error, { url: URL_, hadSession: true });
    assert.equal(classified.kind, "network");
    assert.equal(classified.sessionStatus, undefined);
    assert.equal(
      classified.message,
      `Server returned HTTP ${status} at ${URL_}: "Internal Server Error"`,
    );
  });
}

Deno.test("classifyMcpError() maps a ProtocolError to a server error", () => {
  const error = new ProtocolError(ProtocolErrorCode.InvalidParams, "Missing argument: text");
  const classified = classifyMcpError(error, {
    hadSession: true,
    operation: 'Failed to call tool "echo"',
  });
  assert.deepEqual(classified, {
    kind: "server",
    message: `Failed to call tool "echo": ${error.message}`,
  });
  assert.match(classified.message, /Missing argument: text/);
});

Deno.test("classifyMcpError() trusts the ProtocolError type over a misleading message", () => {
  const error = new ProtocolError(ProtocolErrorCode.InternalError, "upstream: Connection refused");
  assert.equal(classifyMcpError(error, { hadSession: true }).kind, "server");
});

for (const name of ["RequestTimeout", "ConnectionClosed"] as const) {
  Deno.test(`classifyMcpError() maps SdkError ${name} to network`, () => {
    const error = new SdkError(SdkErrorCode[name], "gone");
    const classified = classifyMcpError(error, { hadSession: true });
    assert.equal(classified.kind, "network");
    assert.equal(classified.sessionStatus, undefined);
    assert.equal(classified.message, error.message);
  });
}

Deno.test("classifyMcpError() maps UnauthorizedError to auth and unauthorized", () => {
  const error = new UnauthorizedError("Token expired");
  assert.deepEqual(classifyMcpError(error, { url: URL_, hadSession: true }), {
    kind: "auth",
    message: "Token expired",
    sessionStatus: "unauthorized",
  });
});

Deno.test("classifyMcpError() maps Deno's refused-connection TypeError to network", () => {
  const classified = classifyMcpError(new TypeError(REFUSED), { url: URL_, hadSession: false });
  assert.equal(classified.kind, "network");
  assert.equal(classified.sessionStatus, undefined);
  assert.equal(
    classified.message,
    `Cannot reach server at ${URL_}. Is the server running?\n  Original error: ${REFUSED}`,
  );
});

Deno.test("classifyMcpError() names the proxy when the refused connection was the proxy's", () => {
  const classified = classifyMcpError(new TypeError(REFUSED), {
    url: URL_,
    hadSession: false,
    operation: "Failed to call tool x",
    proxy: { variable: "HTTPS_PROXY", url: "http://proxy.corp:3128" },
  });
  assert.equal(classified.kind, "network");
  assert.equal(
    classified.message,
    `Failed to call tool x: Cannot reach the proxy http://proxy.corp:3128 (HTTPS_PROXY) for ${URL_}. ` +
      `Is the proxy running?\n  Original error: ${REFUSED}`,
  );
});

Deno.test("classifyMcpError() says a proxy wants credentials when it answers 407, in either client's words", () => {
  const proxy = { variable: "HTTPS_PROXY", url: "http://proxy.corp:3128" };
  for (
    const message of [
      "client error (Connect): proxy authentication required",
      "Proxy response (407) !== 200 when HTTP Tunneling",
    ]
  ) {
    const error = new TypeError("fetch failed", { cause: new Error(message) });
    const classified = classifyMcpError(error, { url: URL_, hadSession: false, proxy });
    assert.equal(classified.kind, "network");
    assert.equal(
      classified.message,
      `The proxy http://proxy.corp:3128 (HTTPS_PROXY) refused the request for ${URL_}: 407 Proxy ` +
        "Authentication Required. Put its user name and password in the URL in HTTPS_PROXY." +
        `\n  Original error: fetch failed: ${message}`,
    );
  }
  const direct = classifyMcpError(new TypeError("proxy authentication required"), {
    url: URL_,
    hadSession: false,
  });
  assert.doesNotMatch(direct.message, /HTTPS_PROXY/, "no proxy in use: no proxy named");
});

Deno.test("classifyMcpError() finds a refused connection in a nested cause", () => {
  const error = new TypeError("fetch failed", { cause: new Error(REFUSED) });
  const classified = classifyMcpError(error, { url: URL_, hadSession: false });
  assert.equal(classified.kind, "network");
  assert.match(classified.message, /^Cannot reach server at https:\/\/mcp\.example\.com\/mcp\./);
  assert.match(classified.message, /Original error: fetch failed: error sending request/);
});

Deno.test("classifyMcpError() names the server generically without a url", () => {
  const classified = classifyMcpError(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
    hadSession: false,
  });
  assert.match(classified.message, /^Cannot reach server at the server\./);
});

Deno.test("classifyMcpError() maps a name that does not exist to a usage error (it cannot heal)", () => {
  const error = new TypeError("fetch failed", { cause: new Error(DNS) });
  assert.deepEqual(classifyMcpError(error, { url: URL_, hadSession: false }), {
    kind: "usage",
    message: `Cannot resolve hostname at ${URL_}: no such host. Check the server URL.`,
  });
});

Deno.test("classifyMcpError() keeps a temporary DNS failure transient", () => {
  for (
    const text of [
      "dns error: failed to lookup address information: Temporary failure in name resolution",
      "getaddrinfo EAI_AGAIN mcp.example.com",
      "getaddrinfo ENOTFOUND x",
    ]
  ) {
    const classified = classifyMcpError(new Error(text), { url: URL_, hadSession: false });
    assert.equal(classified.kind, "network", text);
    assert.match(
      classified.message,
      /^Cannot resolve hostname at https:\/\/mcp\.example\.com\/mcp\./,
    );
  }
});

Deno.test("classifyMcpError() treats https:// to a plain HTTP server as a TLS usage error", () => {
  const error = new TypeError("received corrupt message of type InvalidContentType");
  assert.equal(classifyMcpError(error, { url: URL_, hadSession: false }).kind, "usage");
});

Deno.test("classifyMcpError() maps a certificate failure to a TLS usage error (it cannot heal)", () => {
  const error = new TypeError("invalid peer certificate: UnknownIssuer");
  const classified = classifyMcpError(error, { url: URL_, hadSession: false });
  assert.equal(classified.kind, "usage");
  assert.match(classified.message, /^TLS\/SSL error at https:\/\/mcp\.example\.com\/mcp\./);
});

Deno.test("classifyMcpError() maps a timed-out message to a connection timeout", () => {
  const classified = classifyMcpError(new Error("operation timed out"), {
    url: URL_,
    hadSession: false,
  });
  assert.equal(classified.kind, "network");
  assert.match(classified.message, /^Connection timed out at https:\/\/mcp\.example\.com\/mcp\./);
});

for (const name of ["AbortError", "TimeoutError"]) {
  Deno.test(`classifyMcpError() maps the DOMException ${name} to network`, () => {
    const error = new DOMException("The signal has been aborted", name);
    assert.deepEqual(classifyMcpError(error, { hadSession: true, operation: "Ping" }), {
      kind: "network",
      message: "Ping: Request cancelled",
    });
  });
}

Deno.test("classifyMcpError() maps an untyped 401 message to auth", () => {
  const classified = classifyMcpError(new Error("HTTP 401: invalid_token"), { hadSession: true });
  assert.equal(classified.kind, "auth");
  assert.equal(classified.sessionStatus, "unauthorized");
});

Deno.test("classifyMcpError() falls back to network with the original message", () => {
  assert.deepEqual(classifyMcpError(new Error("something odd"), { hadSession: true }), {
    kind: "network",
    message: "something odd",
  });
  assert.deepEqual(classifyMcpError("plain string", { hadSession: false, operation: "Op" }), {
    kind: "network",
    message: "Op: plain string",
  });
});

Deno.test("classifyMcpError() classifies a real refused fetch to 127.0.0.1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const url = `http://127.0.0.1:${port}/mcp`;
  let thrown: unknown;
  try {
    const response = await fetch(url, { method: "POST", body: "{}" });
    await response.body?.cancel();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown !== undefined, `fetch to closed port ${port} did not fail`);
  const classified = classifyMcpError(thrown, { url, hadSession: false });
  assert.equal(classified.kind, "network");
  assert.equal(classified.sessionStatus, undefined);
  assert.match(
    classified.message,
    new RegExp(`^Cannot reach server at ${url.replaceAll(".", "\\.")}\\. Is the server running\\?`),
  );
});

Deno.test("rootMessage() returns the message of an error without a cause", () => {
  assert.equal(rootMessage(new Error("alone")), "alone");
});

Deno.test("rootMessage() joins the top message with the deepest cause", () => {
  const error = new Error("top", { cause: new Error("middle", { cause: new Error("root") }) });
  assert.equal(rootMessage(error), "top: root");
});

Deno.test("rootMessage() does not repeat a cause the top message already contains", () => {
  const error = new Error("request failed: socket hang up", {
    cause: new Error("socket hang up"),
  });
  assert.equal(rootMessage(error), "request failed: socket hang up");
});

Deno.test("rootMessage() stringifies non-errors", () => {
  assert.equal(rootMessage("text"), "text");
  assert.equal(rootMessage(42), "42");
  assert.equal(rootMessage(undefined), "undefined");
});

Deno.test("rootMessage() stops on a cyclic cause chain", () => {
  const error = new Error("loop");
  (error as { cause?: unknown }).cause = error;
  assert.equal(rootMessage(error), "loop");
});

Deno.test("classifyMcpError() in the connect phase makes server errors usage errors", () => {
  const error = new ProtocolError(ProtocolErrorCode.InvalidRequest, "go away");
  assert.equal(classifyMcpError(error, { hadSession: false }).kind, "server");
  assert.equal(classifyMcpError(error, { hadSession: false, phase: "connect" }).kind, "usage");
  const refused = new Error("tcp connect error: Connection refused");
  assert.equal(classifyMcpError(refused, { hadSession: false, phase: "connect" }).kind, "network");
});

Deno.test("classifyMcpError() marks a session the server did not resume as expired", () => {
  const classified = classifyMcpError(new SessionNotResumedError("abc", "xyz"), {
    hadSession: true,
  });
  assert.equal(classified.kind, "usage");
  assert.equal(classified.sessionStatus, "expired");
  assert.match(classified.message, /expected abc, got xyz/);
});

Deno.test("classifyMcpError() words protocol violations in one line, as server errors", () => {
  const zod = Object.assign(new Error('[{"code":"invalid_type", ... 150 lines ...}]'), {
    name: "ZodError",
    issues: [{ path: ["result", "serverInfo"], message: "Invalid input: expected object" }],
  });
  assert.deepEqual(classifyMcpError(zod, { url: URL_, hadSession: false }), {
    kind: "server",
    message:
      `${URL_} sent an answer that is not a valid MCP message (result.serverInfo: Invalid input: expected object)`,
  });
  const mini = Object.assign(new Error("[...]"), {
    name: "$ZodError",
    issues: [{ path: ["serverInfo"], message: "Invalid input" }],
  });
  assert.equal(
    classifyMcpError(mini, { url: URL_, hadSession: false }).message,
    `${URL_} sent an answer that is not a valid MCP message (serverInfo: Invalid input)`,
  );
  const json = new TypeError("x", { cause: new SyntaxError("Unexpected end of JSON input") });
  assert.deepEqual(classifyMcpError(json, { url: URL_, hadSession: false }), {
    kind: "server",
    message: `${URL_} sent an answer that is not valid JSON (Unexpected end of JSON input)`,
  });
  const version = new Error("Server's protocol version is not supported: 1999-01-01");
  assert.deepEqual(classifyMcpError(version, { url: URL_, hadSession: false }), {
    kind: "server",
    message: `${URL_} speaks MCP protocol version "1999-01-01", which mcpc does not support`,
  });
});

Deno.test("classifyMcpError() reports a refused handshake as a usage error", async () => {
  const { HandshakeError } = await import("../../../src/mcp/handshake_guard.ts");
  const error = new HandshakeError("not-a-response", "Server at x answered with a message ...");
  assert.deepEqual(classifyMcpError(error, { hadSession: false }), {
    kind: "usage",
    message: error.message,
  });
});
