/**
 * HTTPS servers whose certificate no public CA signed: a local demo server
 * with a certificate authority and server certificate made in the test
 * with `openssl`. Without the CA mcpc refuses the server; with
 * `connect --ca-file <pem>` (kept as a path, read again by a restarted
 * bridge) or `DENO_CERT=<pem>` it connects.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { Harness } from "./harness.ts";

/** A CA and a certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const run = async (args: string[]) => {
    const { code, stderr } = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  };
  await run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=mcpc test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  await run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
    "-out",
    "server.pem",
  ]);
  return {
    ca: `${dir}/ca.pem`,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
  };
}

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
