import assert from "node:assert/strict";
import {
  formatProxyAddress,
  parseProxyAddress,
  portInUseMessage,
  sameProxyAddress,
} from "../../../src/session/proxy_address.ts";

Deno.test("parseProxyAddress() takes a port, host:port and [v6]:port, split at the last colon", () => {
  assert.deepEqual(parseProxyAddress("8080"), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseProxyAddress("0.0.0.0:1"), { host: "0.0.0.0", port: 1 });
  assert.deepEqual(parseProxyAddress("localhost:65535"), { host: "localhost", port: 65535 });
  assert.deepEqual(parseProxyAddress("[::1]:9000"), { host: "::1", port: 9000 });
});

Deno.test("parseProxyAddress() refuses ports out of range and an empty host, in the original's words", () => {
  for (const bad of ["0", "65536", "x", "80a", "-1", "1.5", ""]) {
    assert.throws(
      () => parseProxyAddress(bad),
      (error: Error) =>
        error.message === `Invalid --proxy port: "${bad}". Must be a number between 1 and 65535.`,
      bad,
    );
  }
  assert.throws(
    () => parseProxyAddress("::1:8080"),
    (error: Error) => /Put an IPv6 address in brackets/.test(error.message),
  );
  assert.throws(
    () => parseProxyAddress(":8080"),
    (error: Error) => error.message === 'Invalid --proxy format: ":8080". Host cannot be empty.',
  );
});

Deno.test("formatProxyAddress() brackets IPv6 hosts; sameProxyAddress() compares host and port", () => {
  assert.equal(formatProxyAddress({ host: "::1", port: 8 }), "[::1]:8");
  assert.equal(formatProxyAddress({ host: "127.0.0.1", port: 8 }), "127.0.0.1:8");
  assert.ok(sameProxyAddress({ host: "a", port: 1 }, { host: "a", port: 1 }));
  assert.ok(!sameProxyAddress({ host: "a", port: 1 }, { host: "a", port: 2 }));
  assert.ok(!sameProxyAddress(undefined, { host: "a", port: 2 }));
  assert.equal(
    portInUseMessage({ host: "127.0.0.1", port: 80 }),
    "Port 80 is already in use on 127.0.0.1. Choose a different port with --proxy [host:]port",
  );
});
