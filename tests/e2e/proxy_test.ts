/**
 * Outbound HTTP proxies from the environment: the bridge's requests go
 * through `HTTP_PROXY` (a forwarding proxy on loopback counts them), not with
 * `NO_PROXY` naming the server, and a proxy that is down fails with exit 3
 * and a message naming it, its credentials left out of messages, logs and
 * the session record.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { startForwardProxy } from "../fixtures/forward_proxy.ts";
import { Harness } from "./harness.ts";
import { makeCertificates } from "../fixtures/certificates.ts";

Deno.test("HTTP_PROXY carries the bridge's requests; NO_PROXY bypasses it; a dead proxy is named", async () => {
  const server = await startDemoHttpServer({ era: "both" });
  const proxy = startForwardProxy();
  const h = await Harness.create();
  try {
    const through = await h.run(["connect", server.url, "@via"], {
      env: { HTTP_PROXY: proxy.url },
    });
    assert.equal(through.code, 0, through.stderr);
    const echoed = await h.run(["@via", "tools-call", "echo", "message:=proxied"]);
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.match(echoed.stdout, /proxied/);
    const forwarded = proxy.forwarded();
    assert.ok(forwarded > 0, "the proxy forwarded the bridge's requests");

    const bypass = await h.run(["connect", server.url, "@direct"], {
      env: { HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" },
    });
    assert.equal(bypass.code, 0, bypass.stderr);
    assert.equal((await h.run(["@direct", "tools-call", "echo", "message:=direct"])).code, 0);
    assert.equal(proxy.forwarded(), forwarded, "NO_PROXY: not one request through the proxy");

    const dead = await h.run(["connect", server.url, "@dead"], {
      env: { HTTP_PROXY: "http://bob:s3cret-pw@127.0.0.1:1" },
    });
    assert.equal(dead.code, 3, dead.stderr);
    assert.match(
      dead.stderr,
      /Cannot reach the proxy http:\/\/127\.0\.0\.1:1 \(HTTP_PROXY\) for http:\/\/127\.0\.0\.1:\d+\/mcp\. Is the proxy running\?/,
    );
    assert.doesNotMatch(dead.stderr, /s3cret-pw/);
    const log = await Deno.readTextFile(`${h.home}/logs/bridge-@dead.log`);
    assert.doesNotMatch(log, /s3cret-pw/, "the bridge log names the proxy without its password");
    assert.match(log, /Cannot reach the proxy http:\/\/127\.0\.0\.1:1/);
    assert.doesNotMatch(await Deno.readTextFile(`${h.home}/sessions.json`), /s3cret-pw/);
  } finally {
    await h.cleanup();
    await proxy.close();
    await server.close();
  }
});

Deno.test("HTTPS goes through the proxy with CONNECT and its credentials, which reach the bridge only in its start config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpc-proxy-tls-" });
  const { ca, cert, key } = await makeCertificates(dir);
  const server = await startDemoHttpServer({ era: "both", tls: { cert, key } });
  const plain = await startDemoHttpServer({ era: "both" });
  const password = "pa:ss@w0rd";
  const proxy = startForwardProxy({ credentials: `alice:${password}` });
  const withCredentials = proxy.url.replace(
    "http://",
    `http://alice:${encodeURIComponent(password)}@`,
  );
  const h = await Harness.create();
  try {
    const env = { HTTPS_PROXY: withCredentials };
    const connected = await h.run(["connect", server.url, "@tunnel", "--ca-file", ca], { env });
    assert.equal(connected.code, 0, connected.stderr);
    assert.ok(proxy.tunnels() > 0, "the bridge opened a CONNECT tunnel");
    assert.equal(proxy.refused(), 0, "the proxy got the credentials");
    const echoed = await h.run(["@tunnel", "tools-call", "echo", "message:=tunnelled"]);
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.match(echoed.stdout, /tunnelled/);

    const pid = (await h.sessions()).sessions["@tunnel"].pid!;
    if (Deno.build.os === "linux") {
      const environ = await Deno.readTextFile(`/proc/${pid}/environ`);
      assert.doesNotMatch(environ, /_PROXY=/i, "no proxy variable in the bridge's environment");
      assert.doesNotMatch(await Deno.readTextFile(`/proc/${pid}/cmdline`), /alice|w0rd/);
    }
    const log = await Deno.readTextFile(`${h.home}/logs/bridge-@tunnel.log`);
    assert.doesNotMatch(log, /w0rd/);
    assert.doesNotMatch(await Deno.readTextFile(`${h.home}/sessions.json`), /w0rd|alice/);

    // HTTPS_PROXY is for https:// servers only.
    const tunnels = proxy.tunnels();
    const forwarded = proxy.forwarded();
    const direct = await h.run(["connect", plain.url, "@plain"], { env });
    assert.equal(direct.code, 0, direct.stderr);
    assert.deepEqual([proxy.tunnels(), proxy.forwarded()], [tunnels, forwarded]);

    const wrong = await h.run(["connect", server.url, "@wrong", "--ca-file", ca], {
      env: { HTTPS_PROXY: proxy.url.replace("http://", "http://alice:nope-pw@") },
    });
    assert.equal(wrong.code, 3, wrong.stderr);
    assert.ok(proxy.refused() > 0);
    assert.match(
      wrong.stderr,
      /The proxy http:\/\/127\.0\.0\.1:\d+ \(HTTPS_PROXY\) refused the request for https:\/\/127\.0\.0\.1:\d+\/mcp: 407 Proxy Authentication Required/,
    );
    assert.doesNotMatch(wrong.stderr, /nope-pw/);
  } finally {
    await h.cleanup();
    await proxy.close();
    await plain.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
