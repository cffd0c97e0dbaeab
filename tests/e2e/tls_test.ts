/**
 * HTTPS servers whose certificate no public CA signed: a local demo server
 * with a certificate authority and server certificate made in the test
 * with `openssl`. Without the CA mcpc refuses the server; with
 * `connect --ca-file <pem>` (kept as a path, read again by a restarted
 * bridge) or `DENO_CERT=<pem>` it connects.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { freePort, Harness } from "./harness.ts";
import { startForwardProxy } from "../fixtures/forward_proxy.ts";
import { startOAuthServer } from "../fixtures/oauth_server.ts";

const BROWSER = new URL("../conformance/browser", import.meta.url).pathname;
import { makeCertificates } from "../fixtures/certificates.ts";

Deno.test("an HTTPS server with a private CA: refused without it, trusted with --ca-file or DENO_CERT", async () => {
  const h = await Harness.create();
  const dir = await Deno.makeTempDir({ prefix: "mcpc-tls-" });
  const { ca, cert, key } = await makeCertificates(dir);
  const server = await startDemoHttpServer({ era: "both", tls: { cert, key } });
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const refused = await h.run(["connect", server.url, "@plain"]);
    assert.notEqual(refused.code, 0, refused.stdout);
    assert.match(refused.stderr, /TLS\/SSL error at https:\/\/127\.0\.0\.1:\d+\/mcp/);
    assert.match(refused.stderr, /trust it with connect --ca-file <pem>, or DENO_CERT=<pem>/);

    const trusted = await h.run(["connect", server.url, "@ca", "--ca-file", ca]);
    assert.equal(trusted.code, 0, trusted.stderr);
    const record = (await h.sessions()).sessions["@ca"];
    assert.equal(record.server?.caFile, ca, "kept as a path");
    assert.equal((await h.run(["@ca", "tools-call", "echo", "message:=over tls"])).code, 0);
    // A restarted bridge reads the file again.
    assert.equal((await h.run(["@ca", "restart"])).code, 0);
    const echoed = await h.run(["@ca", "tools-call", "echo", "message:=again"]);
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.match(echoed.stdout, /again/);

    const viaEnv = await h.run(["connect", server.url, "@env"], { env: { DENO_CERT: ca } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);

    const missing = await h.run(["connect", server.url, "@none", "--ca-file", `${dir}/nope.pem`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read --ca-file .*nope\.pem/);
    const notPem = await h.run(["connect", server.url, "@none", "--ca-file", `${dir}/ext.cnf`]);
    assert.equal(notPem.code, 1);
    assert.match(notPem.stderr, /holds no PEM certificate/);
  } finally {
    await h.cleanup();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("connect --insecure: no certificate check for that session (kept, warned about once), direct and through a proxy", async () => {
  const h = await Harness.create();
  const dir = await Deno.makeTempDir({ prefix: "mcpc-tls-" });
  const { cert, key } = await makeCertificates(dir);
  const server = await startDemoHttpServer({ era: "both", tls: { cert, key } });
  const proxy = startForwardProxy();
  try {
    const connected = await h.run(["connect", server.url, "@unchecked", "--insecure"]);
    assert.equal(connected.code, 0, connected.stderr);
    const warning =
      /Warning: --insecure: the server's TLS certificate is not checked for this session/g;
    assert.equal(connected.stderr.match(warning)?.length, 1, connected.stderr);
    assert.equal((await h.sessions()).sessions["@unchecked"].server?.insecure, true, "kept");
    const echoed = await h.run(["@unchecked", "tools-call", "echo", "message:=unchecked"]);
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.doesNotMatch(echoed.stderr, /insecure/, "the warning comes with the connect only");
    assert.equal((await h.run(["@unchecked", "restart"])).code, 0);
    const again = await h.run(["@unchecked", "tools-call", "echo", "message:=restarted"]);
    assert.equal(again.code, 0, again.stderr);
    const log = await Deno.readTextFile(`${h.home}/logs/bridge-@unchecked.log`);
    assert.match(log, /TLS certificates are not checked for this session/);

    const proxied = await h.run(["connect", server.url, "@proxied", "--insecure"], {
      env: { HTTPS_PROXY: proxy.url },
    });
    assert.equal(proxied.code, 0, proxied.stderr);
    assert.ok(proxy.tunnels() > 0, "--insecure requests still go through HTTPS_PROXY");
    assert.equal((await h.run(["@proxied", "tools-call", "echo", "message:=p"])).code, 0);

    // Only where it means something.
    await Deno.writeTextFile(`${dir}/mcp.json`, '{"mcpServers": {"local": {"command": "cat"}}}');
    const stdio = await h.run(["connect", `${dir}/mcp.json:local`, "@x", "--insecure"]);
    assert.equal(stdio.code, 1);
    assert.match(stdio.stderr, /--insecure applies to HTTP servers only, not to stdio servers/);
    const bulk = await h.run(["connect", `${dir}/mcp.json`, "--insecure"]);
    assert.equal(bulk.code, 1);
    assert.match(bulk.stderr, /--insecure apply to one server, not to every entry of config files/);
  } finally {
    await h.cleanup();
    await proxy.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("OAuth over HTTPS with a private CA: login --ca-file, and the bridge renews tokens trusting the session's --ca-file", async () => {
  const h = await Harness.create();
  const dir = await Deno.makeTempDir({ prefix: "mcpc-tls-" });
  const { ca, cert, key } = await makeCertificates(dir);
  const oauth = await startOAuthServer({ tls: { cert, key }, accessTokenLifetimeS: 4 });
  // The browser (not mcpc) trusts the CA through DENO_CERT.
  const browser = `${dir}/browser`;
  await Deno.writeTextFile(browser, `#!/bin/sh\nDENO_CERT='${ca}' exec '${BROWSER}' "$@"\n`);
  await Deno.chmod(browser, 0o755);
  const env = { MCPC_BROWSER: browser, MCPC_SECRET_STORE: "file" };
  const loginArgs = ["login", oauth.url, "--callback-port", String(freePort())];
  try {
    const refused = await h.run(loginArgs, { env });
    assert.notEqual(refused.code, 0, "without the CA the login fails");
    const loggedIn = await h.run([...loginArgs, "--ca-file", ca], { env });
    assert.equal(loggedIn.code, 0, loggedIn.stderr);
    const connected = await h.run(["connect", oauth.url, "@s", "--ca-file", ca], { env });
    assert.equal(connected.code, 0, connected.stderr);
    const before = oauth.counters().refreshes;
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    const echoed = await h.run(["@s", "tools-call", "echo", "message:=renewed"], { env });
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.ok(oauth.counters().refreshes > before, "the bridge renewed the token over HTTPS");
  } finally {
    await h.cleanup();
    await oauth.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
