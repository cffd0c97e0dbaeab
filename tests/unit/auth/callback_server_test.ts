import assert from "node:assert/strict";
import {
  AuthorizationDeniedError,
  type CallbackResult,
  type CallbackServer,
  escapeHtml,
  hostAllowed,
  startCallbackServer,
} from "../../../src/auth/callback_server.ts";
import { withDeadline } from "../../fakes/deadline.ts";

const STATE = "expected-state-1234";

/** A free loopback port (closed again before it is returned). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Runs `fn` with a callback server on a free port; closes it afterwards. */
async function withCallbackServer(
  fn: (server: CallbackServer, warnings: string[]) => Promise<void>,
): Promise<void> {
  const warnings: string[] = [];
  const server = startCallbackServer({
    port: freePort(),
    state: STATE,
    serverUrl: "https://mcp.example.com/mcp",
    profile: "default",
    warn: (message) => warnings.push(message),
  });
  try {
    await fn(server, warnings);
  } finally {
    await server.close();
  }
}

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends one HTTP/1.1 request over a raw socket, so the `Host` header is exactly `host`. */
async function request(
  port: number,
  target: string,
  options: { host?: string; method?: string; address?: string } = {},
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: options.address ?? "127.0.0.1", port });
  try {
    const head = `${options.method ?? "GET"} ${target} HTTP/1.1\r\n` +
      `Host: ${options.host ?? `127.0.0.1:${port}`}\r\nConnection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    const text = await withDeadline(
      new Response(conn.readable).text(),
      5_000,
      `the answer to ${target}`,
    );
    const [headers, ...rest] = text.split("\r\n\r\n");
    return { status: Number(headers.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
  } finally {
    try {
      conn.close();
    } catch {
      // Closed by reading to the end.
    }
  }
}

/** `"pending"` when `promise` has not settled after a short wait. */
async function settledState(promise: Promise<unknown>): Promise<"pending" | "settled"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), 50);
  });
  try {
    const settled = promise.then((): "settled" => "settled", (): "settled" => "settled");
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}

function callbackPath(query: Record<string, string>): string {
  return `/callback?${new URLSearchParams(query)}`;
}

Deno.test("startCallbackServer() resolves the result with the code and iss of a good callback", async () => {
  await withCallbackServer(async (server) => {
    assert.equal(server.redirectUrl, `http://127.0.0.1:${server.port}/callback`);
    const response = await request(
      server.port,
      callbackPath({ code: "the-code", state: STATE, iss: "https://as.example.com" }),
    );
    assert.equal(response.status, 200);
    assert.match(response.body, /mcpc login succeeded/);
    assert.match(response.headers, /content-security-policy: default-src 'none'/i);
    assert.match(response.headers, /cache-control: no-store/i);
    const result = await withDeadline(server.result, 5_000, "the callback result");
    assert.deepEqual(result, { code: "the-code", iss: "https://as.example.com" });
  });
});

Deno.test("startCallbackServer() resolves without iss when the server sent none", async () => {
  await withCallbackServer(async (server) => {
    await request(server.port, callbackPath({ code: "c", state: STATE }));
    const result: CallbackResult = await withDeadline(server.result, 5_000, "the result");
    assert.deepEqual(result, { code: "c" });
  });
});

Deno.test("startCallbackServer() answers 400 to a wrong state and keeps waiting", async () => {
  await withCallbackServer(async (server, warnings) => {
    const wrong = await request(server.port, callbackPath({ code: "c", state: "other" }));
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /state parameter does not match/);
    // Nor can a forged error with a wrong state end the login.
    const forged = await request(
      server.port,
      callbackPath({ error: "access_denied", state: "other" }),
    );
    assert.equal(forged.status, 400);
    assert.equal(await settledState(server.result), "pending");
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /state does not match/);

    const good = await request(server.port, callbackPath({ code: "real", state: STATE }));
    assert.equal(good.status, 200);
    assert.deepEqual(await withDeadline(server.result, 5_000, "the result"), { code: "real" });
  });
});

Deno.test("startCallbackServer() answers 400 to a callback without a code and keeps waiting", async () => {
  await withCallbackServer(async (server) => {
    const response = await request(server.port, callbackPath({ state: STATE }));
    assert.equal(response.status, 400);
    assert.match(response.body, /No authorization code/);
    assert.equal(await settledState(server.result), "pending");
  });
});

Deno.test("startCallbackServer() refuses a request for another host with 403", async () => {
  await withCallbackServer(async (server, warnings) => {
    const response = await request(
      server.port,
      callbackPath({ code: "c", state: STATE }),
      { host: "evil.example" },
    );
    assert.equal(response.status, 403);
    assert.equal(await settledState(server.result), "pending");
    assert.deepEqual(warnings, ['Refused a callback request for host "evil.example"']);
    const otherPort = await request(server.port, callbackPath({ code: "c", state: STATE }), {
      host: `127.0.0.1:${server.port + 1}`,
    });
    assert.equal(otherPort.status, 403);
  });
});

Deno.test("startCallbackServer() answers 404 to other paths and 405 to other methods", async () => {
  await withCallbackServer(async (server) => {
    assert.equal((await request(server.port, "/")).status, 404);
    assert.equal(
      (await request(server.port, `/other?${new URLSearchParams({ code: "c", state: STATE })}`))
        .status,
      404,
    );
    const post = await request(server.port, callbackPath({ code: "c", state: STATE }), {
      method: "POST",
    });
    assert.equal(post.status, 405);
    assert.equal(await settledState(server.result), "pending");
  });
});

Deno.test("startCallbackServer() answers 410 to a second callback after success", async () => {
  await withCallbackServer(async (server) => {
    await request(server.port, callbackPath({ code: "first", state: STATE }));
    const second = await request(server.port, callbackPath({ code: "second", state: STATE }));
    assert.equal(second.status, 410);
    assert.deepEqual(await withDeadline(server.result, 5_000, "the result"), { code: "first" });
  });
});

Deno.test("startCallbackServer() rejects on an OAuth error and escapes it in the page", async () => {
  await withCallbackServer(async (server) => {
    const description = `<script>alert("x")</script>`;
    const response = await request(
      server.port,
      callbackPath({ error: "access_denied", error_description: description, state: STATE }),
    );
    assert.equal(response.status, 400);
    assert.ok(!response.body.includes("<script>"), response.body);
    assert.ok(
      response.body.includes("access_denied: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
      response.body,
    );
    const error = await withDeadline(server.result.catch((e) => e), 5_000, "the rejection");
    assert.ok(error instanceof AuthorizationDeniedError);
    assert.equal(error.error, "access_denied");
    assert.equal(error.description, description);
    assert.equal(error.message, `OAuth error: ${description}`);
    const later = await request(server.port, callbackPath({ code: "c", state: STATE }));
    assert.equal(later.status, 410);
  });
});

Deno.test({
  name: "startCallbackServer() listens on 127.0.0.1 only",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withCallbackServer(async (server) => {
      const hexPort = server.port.toString(16).toUpperCase().padStart(4, "0");
      const listening = (file: string) =>
        Deno.readTextFileSync(file).split("\n").slice(1).map((line) => line.trim().split(/\s+/))
          .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A")
          .map((fields) => fields[1]);
      assert.deepEqual(listening("/proc/net/tcp"), [`0100007F:${hexPort}`]);
      assert.deepEqual(listening("/proc/net/tcp6"), []);
      // Another loopback address of this machine does not reach it.
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.2", port: server.port }),
        Deno.errors.ConnectionRefused,
      );
    });
  },
});

Deno.test("startCallbackServer() throws AddrInUse for a taken port and close() frees it", async () => {
  await withCallbackServer(async (server) => {
    assert.throws(
      () =>
        startCallbackServer({
          port: server.port,
          state: STATE,
          serverUrl: "https://mcp.example.com/mcp",
          profile: "default",
        }),
      Deno.errors.AddrInUse,
    );
    await server.close();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: server.port });
    listener.close();
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: server.port }),
      Deno.errors.ConnectionRefused,
    );
  });
});

Deno.test("hostAllowed() accepts only 127.0.0.1 and localhost with the right port", () => {
  const cases: [string, boolean][] = [
    ["127.0.0.1:13316", true],
    ["localhost:13316", true],
    ["LOCALHOST:13316", true],
    [" 127.0.0.1:13316 ", true],
    ["127.0.0.1", true],
    ["localhost", true],
    ["127.0.0.1:13317", false],
    ["localhost:1", false],
    ["evil.example", false],
    ["evil.example:13316", false],
    ["127.0.0.1.evil.example:13316", false],
    ["localhost.evil.example", false],
    ["[::1]:13316", false],
    ["0.0.0.0:13316", false],
    ["127.0.0.1:13316:13316", false],
    ["", false],
  ];
  for (const [host, allowed] of cases) {
    assert.equal(hostAllowed(host, 13316), allowed, host);
  }
});

Deno.test("escapeHtml() escapes the five HTML-significant characters", () => {
  const cases: [string, string][] = [
    ["plain text", "plain text"],
    ["<script>", "&lt;script&gt;"],
    ["a & b", "a &amp; b"],
    ["&lt;", "&amp;lt;"],
    [`"double"`, "&quot;double&quot;"],
    ["'single'", "&#39;single&#39;"],
    [`<img src="x" onerror='y'>&`, "&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;"],
    ["", ""],
  ];
  for (const [input, escaped] of cases) assert.equal(escapeHtml(input), escaped, input);
});
