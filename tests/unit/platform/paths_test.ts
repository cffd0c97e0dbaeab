import assert from "node:assert/strict";
import {
  bridgeLogPath,
  bridgeSocketPath,
  homePaths,
  joinPath,
  MAX_SOCKET_PATH_BYTES,
  maxSocketPathBytes,
  resolveHomeDir,
} from "../../../src/platform/paths.ts";

const USER_HOME = "/home/alice";
const CWD = "/work/project";

function resolve(envHome: string | undefined): string {
  return resolveHomeDir({ envHome, userHome: USER_HOME, cwd: CWD });
}

Deno.test("resolveHomeDir() defaults to ~/.mcpc when MCPC_HOME_DIR is unset", () => {
  assert.equal(resolve(undefined), "/home/alice/.mcpc");
});

Deno.test("resolveHomeDir() treats an empty or blank MCPC_HOME_DIR as unset", () => {
  assert.equal(resolve(""), "/home/alice/.mcpc");
  assert.equal(resolve("   "), "/home/alice/.mcpc");
});

Deno.test("resolveHomeDir() expands a lone ~ to the user's home", () => {
  assert.equal(resolve("~"), USER_HOME);
});

Deno.test("resolveHomeDir() expands ~/ to a folder in the user's home", () => {
  assert.equal(resolve("~/x"), "/home/alice/x");
  assert.equal(resolve("~/x/y/"), "/home/alice/x/y");
});

Deno.test("resolveHomeDir() keeps an absolute path without its trailing slash", () => {
  assert.equal(resolve("/var/mcpc/"), "/var/mcpc");
  assert.equal(resolve("/var/mcpc"), "/var/mcpc");
  assert.equal(resolve("/"), "/");
});

Deno.test("resolveHomeDir() resolves a relative path under cwd", () => {
  assert.equal(resolve("state"), "/work/project/state");
  assert.equal(resolve("state/mcpc/"), "/work/project/state/mcpc");
});

Deno.test("resolveHomeDir() trims whitespace around MCPC_HOME_DIR", () => {
  assert.equal(resolve("  /var/mcpc  "), "/var/mcpc");
});

Deno.test("resolveHomeDir() does not double the slash after a user home ending in /", () => {
  assert.equal(
    resolveHomeDir({ envHome: undefined, userHome: "/home/alice/", cwd: CWD }),
    "/home/alice/.mcpc",
  );
});

Deno.test("homePaths() lists the files and folders under the home", () => {
  assert.deepEqual(homePaths("/h"), {
    home: "/h",
    sessionsFile: "/h/sessions.json",
    profilesFile: "/h/profiles.json",
    bridgesDir: "/h/bridges",
    logsDir: "/h/logs",
  });
});

Deno.test("bridgeLogPath() names the log after the session", () => {
  assert.equal(bridgeLogPath("/h", "@s"), "/h/logs/bridge-@s.log");
});

Deno.test("bridgeSocketPath() names the socket after the session and pid", () => {
  assert.equal(bridgeSocketPath("/h", "@s", 1234), "/h/bridges/@s.1234.sock");
});

Deno.test("joinPath() joins with / and collapses duplicate separators", () => {
  assert.equal(joinPath("/a/", "/b", "c"), "/a/b/c");
  assert.equal(joinPath("a", "b"), "a/b");
  assert.equal(joinPath("/a//b", "c//"), "/a/b/c");
});

Deno.test("joinPath() drops a trailing slash but keeps the root", () => {
  assert.equal(joinPath("/a", "b/"), "/a/b");
  assert.equal(joinPath("/"), "/");
  assert.equal(joinPath("/", "/"), "/");
});

Deno.test("maxSocketPathBytes() is 107 on Linux and 103 elsewhere", () => {
  assert.equal(MAX_SOCKET_PATH_BYTES, 107);
  assert.equal(maxSocketPathBytes("linux"), 107);
  assert.equal(maxSocketPathBytes("darwin"), 103);
  assert.equal(maxSocketPathBytes("freebsd"), 103);
});
