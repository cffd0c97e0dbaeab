import assert from "node:assert/strict";
import { allowedHostnames } from "../../../src/bridge/mcp_proxy.ts";
import { tokensEqual } from "../../../src/bridge/token_compare.ts";

Deno.test("allowedHostnames() allows the loopback names for a loopback address, only the name otherwise", () => {
  assert.deepEqual(allowedHostnames({ host: "127.0.0.1", port: 1 }).sort(), [
    "127.0.0.1",
    "[::1]",
    "localhost",
  ]);
  assert.deepEqual(allowedHostnames({ host: "::1", port: 1 }).sort(), [
    "127.0.0.1",
    "[::1]",
    "localhost",
  ]);
  assert.deepEqual(allowedHostnames({ host: "10.1.2.3", port: 1 }), ["10.1.2.3"]);
  assert.deepEqual(allowedHostnames({ host: "Box.Local", port: 1 }), ["box.local"]);
});

Deno.test("allowedHostnames() allows every interface's address and the machine name for a wildcard", () => {
  const names = allowedHostnames({ host: "0.0.0.0", port: 1 });
  assert.ok(names.includes("localhost") && names.includes("127.0.0.1"));
  assert.ok(names.includes(Deno.hostname().toLowerCase()));
  for (const nic of Deno.networkInterfaces()) {
    const name = nic.address.includes(":") ? `[${nic.address}]` : nic.address;
    assert.ok(names.includes(name.toLowerCase()), name);
  }
  assert.ok(!names.includes("evil.example"));
});

Deno.test("tokensEqual() is true only for the same token", async () => {
  assert.equal(await tokensEqual("s3cret", "s3cret"), true);
  assert.equal(await tokensEqual("s3cret", "s3creT"), false);
  assert.equal(await tokensEqual("s3cre", "s3cret"), false);
  assert.equal(await tokensEqual("", "s3cret"), false);
  assert.equal(await tokensEqual("s3cret-and-more", "s3cret"), false);
});
