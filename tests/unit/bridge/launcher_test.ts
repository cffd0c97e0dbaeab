import assert from "node:assert/strict";
import {
  BRIDGE_ENV_ALLOWLIST,
  BRIDGE_GLIBC_TUNABLES,
  bridgeEnvironment,
  checkSocketPath,
} from "../../../src/bridge/launcher.ts";
import { McpcError } from "../../../src/errors.ts";
import { maxSocketPathBytes } from "../../../src/platform/paths.ts";

/** `/bridges/` + `@s` + `.9999999.sock`: what the longest socket path adds to the home. */
const SUFFIX_BYTES = "/bridges/".length + "@s".length + ".9999999.sock".length;
/** The socket path limit on this OS. */
const LIMIT = maxSocketPathBytes(Deno.build.os);

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

Deno.test("bridgeEnvironment() keeps allow-listed variables", () => {
  const env = {
    HOME: "/home/alice",
    PATH: "/usr/bin:/bin",
    LANG: "C.UTF-8",
    DENO_DIR: "/cache/deno",
  };
  assert.deepEqual(bridgeEnvironment(env, "darwin"), env);
});

Deno.test("bridgeEnvironment() leaves the proxy variables out: they go in the start config", () => {
  assert.deepEqual(
    bridgeEnvironment({
      HOME: "/home/alice",
      HTTPS_PROXY: "http://bob:pw@proxy:3128",
      http_proxy: "http://bob:pw@proxy:3128",
      no_proxy: "localhost",
    }, "darwin"),
    { HOME: "/home/alice" },
  );
});

Deno.test("bridgeEnvironment() drops everything that is not allow-listed", () => {
  const result = bridgeEnvironment({
    HOME: "/home/alice",
    MY_TOKEN: "secret-1",
    AWS_SECRET_ACCESS_KEY: "secret-2",
    GITHUB_TOKEN: "secret-3",
    MCPC_HOME_DIR: "/tmp/mcpc",
    path: "/lowercase/is/another/name",
  }, "darwin");
  assert.deepEqual(result, { HOME: "/home/alice" });
});

Deno.test("bridgeEnvironment() returns an empty object for an empty environment", () => {
  assert.deepEqual(bridgeEnvironment({}, "darwin"), {});
});

Deno.test("bridgeEnvironment() passes every name on the allow-list and nothing else", () => {
  const env: Record<string, string> = { EXTRA: "x" };
  for (const name of BRIDGE_ENV_ALLOWLIST) env[name] = `value of ${name}`;
  const result = bridgeEnvironment(env, "darwin");
  assert.deepEqual(Object.keys(result).sort(), [...BRIDGE_ENV_ALLOWLIST].sort());
  for (const name of BRIDGE_ENV_ALLOWLIST) assert.equal(result[name], `value of ${name}`);
});

Deno.test("bridgeEnvironment() on Linux sets glibc's malloc to return freed memory, over the CLI's own setting", () => {
  const result = bridgeEnvironment({
    HOME: "/home/alice",
    GLIBC_TUNABLES: "glibc.malloc.arena_max=64",
  }, "linux");
  assert.deepEqual(result, { HOME: "/home/alice", GLIBC_TUNABLES: BRIDGE_GLIBC_TUNABLES });
  assert.match(
    BRIDGE_GLIBC_TUNABLES,
    /^glibc\.malloc\.mmap_threshold=65536:glibc\.malloc\.trim_threshold=65536$/,
  );
  assert.equal(bridgeEnvironment({}, "darwin").GLIBC_TUNABLES, undefined);
  assert.equal(bridgeEnvironment({}, "windows").GLIBC_TUNABLES, undefined);
});

Deno.test("checkSocketPath() accepts a short home", () => {
  checkSocketPath("/home/alice/.mcpc", "@s");
});

Deno.test("checkSocketPath() accepts a home whose longest socket path is exactly the limit", () => {
  const home = "/" + "a".repeat(LIMIT - SUFFIX_BYTES - 1);
  assert.equal(utf8Length(home) + SUFFIX_BYTES, LIMIT);
  checkSocketPath(home, "@s");
});

Deno.test("checkSocketPath() rejects a home one byte too long, naming MCPC_HOME_DIR", () => {
  const home = "/" + "a".repeat(LIMIT - SUFFIX_BYTES);
  const error = catchError(() => checkSocketPath(home, "@s"));
  assert.ok(error instanceof McpcError);
  assert.equal(error.kind, "usage");
  assert.match(error.message, /MCPC_HOME_DIR/);
  assert.match(error.message, /@s/);
  assert.ok(error.message.includes(`would be ${LIMIT + 1} bytes`), error.message);
  assert.ok(error.message.includes(`${home}/bridges/@s.9999999.sock`), error.message);
});

Deno.test("checkSocketPath() counts UTF-8 bytes, not characters", () => {
  // Fine by character count, too long in bytes ("é" is 2 bytes).
  const home = "/" + "é".repeat(Math.ceil((LIMIT - SUFFIX_BYTES) / 2));
  assert.ok(home.length + SUFFIX_BYTES <= LIMIT);
  const bytes = utf8Length(home) + SUFFIX_BYTES;
  assert.ok(bytes > LIMIT);
  const error = catchError(() => checkSocketPath(home, "@s"));
  assert.ok(error instanceof McpcError);
  assert.match(error.message, /MCPC_HOME_DIR/);
  assert.ok(error.message.includes(`would be ${bytes} bytes`), error.message);
});

Deno.test("checkSocketPath() takes the session name's length into account", () => {
  const home = "/home/alice/.mcpc";
  checkSocketPath(home, "@" + "n".repeat(20));
  const longName = "@" + "n".repeat(LIMIT);
  assert.throws(() => checkSocketPath(home, longName), McpcError);
});
