import assert from "node:assert/strict";
import { McpcError } from "../../../src/errors.ts";
import {
  getServerHost,
  invalidServerMessage,
  normalizeServerUrl,
  parseHeader,
  parseServerArg,
  type ServerTarget,
} from "../../../src/config/server_target.ts";

function assertUsageError(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof McpcError);
    assert.equal(error.kind, "usage");
    assert.equal(error.message, message);
    return true;
  });
}

const url = (value: string): ServerTarget => ({ type: "url", url: value });
const config = (file: string, entry: string): ServerTarget => ({ type: "config", file, entry });
const configFile = (file: string): ServerTarget => ({ type: "config-file", file });

const SERVER_ARG_ROWS: [string, ServerTarget | null][] = [
  // URLs as written, any scheme with a host.
  ["https://mcp.apify.com", url("https://mcp.apify.com")],
  ["ftp://files.example.com/x", url("ftp://files.example.com/x")],
  ["ws://example.com/socket", url("ws://example.com/socket")],
  ["http://[::1]:8080/mcp", url("http://[::1]:8080/mcp")],
  ["https://user:pass@example.com/mcp", url("https://user:pass@example.com/mcp")],
  ["https://mcp.apify.com/api:v1", url("https://mcp.apify.com/api:v1")],
  // Contains :// but is not a URL with a host.
  ["https://host:badport", null],
  ["file:///x", null],
  ["https://", null],
  // Bare hosts keep the original string.
  ["mcp.apify.com", url("mcp.apify.com")],
  ["localhost:3000/mcp", url("localhost:3000/mcp")],
  ["127.0.0.1:8080", url("127.0.0.1:8080")],
  ["[::1]:8080", url("[::1]:8080")],
  ["user:pass@example.com", url("user:pass@example.com")],
  ["example.com/mcp", url("example.com/mcp")],
  // Neither.
  ["example.com:foo", null],
  ["mcp.apify.com:", null],
  ["::1", null],
  ["", null],
  // Config entries.
  ["mcp.apify.com/api:v1", config("mcp.apify.com/api", "v1")],
  ["./config.json:8080", config("./config.json", "8080")],
  ["a.json:x:y", config("a.json", "x:y")],
  ["~/.vscode/mcp.json:filesystem", config("~/.vscode/mcp.json", "filesystem")],
  ["../shared/mcp.yaml:db", config("../shared/mcp.yaml", "db")],
  ["/etc/mcp:fs", config("/etc/mcp", "fs")],
  ["C:\\Users\\me\\mcp.json:fs", config("C:\\Users\\me\\mcp.json", "fs")],
  ["C:/Users/me/mcp.json:fs", config("C:/Users/me/mcp.json", "fs")],
  // Config files.
  ["CONFIG.JSON", configFile("CONFIG.JSON")],
  ["mcp.yml", configFile("mcp.yml")],
  ["/abs/servers", configFile("/abs/servers")],
  ["~/.vscode/mcp.json", configFile("~/.vscode/mcp.json")],
  ["./config.json:", configFile("./config.json:")],
  ["C:\\Users\\me\\mcp.json", configFile("C:\\Users\\me\\mcp.json")],
  ["dir\\servers", configFile("dir\\servers")],
];

for (const [arg, expected] of SERVER_ARG_ROWS) {
  Deno.test(`parseServerArg() reads ${JSON.stringify(arg)} as ${expected?.type ?? "invalid"}`, () => {
    assert.deepEqual(parseServerArg(arg), expected);
  });
}

Deno.test("invalidServerMessage() names the argument and both accepted forms", () => {
  assert.equal(
    invalidServerMessage("::1"),
    'Invalid server: "::1"\n\nExpected a URL (e.g. mcp.apify.com) or a config file entry ' +
      "(e.g. ~/.vscode/mcp.json:filesystem)",
  );
});

const NORMALIZE_ROWS: [string, string][] = [
  ["mcp.apify.com", "https://mcp.apify.com"],
  ["localhost:3000/mcp", "http://localhost:3000/mcp"],
  ["LOCALHOST:3000", "http://localhost:3000"],
  ["127.0.0.1:8080", "http://127.0.0.1:8080"],
  ["localhost", "http://localhost"],
  ["example.com:8443/mcp", "https://example.com:8443/mcp"],
  ["http://example.com/", "http://example.com"],
  ["http://example.com?test=1", "http://example.com/?test=1"],
  ["https://Example.COM/Path/", "https://example.com/Path/"],
  ["https://user:pass@example.com/mcp#frag", "https://example.com/mcp"],
  ["https://example.com:443/mcp", "https://example.com/mcp"],
  ["http://example.com:80", "http://example.com"],
  [" localhost:3000 ", "http://localhost:3000"],
];

for (const [input, expected] of NORMALIZE_ROWS) {
  Deno.test(`normalizeServerUrl() turns ${JSON.stringify(input)} into ${expected}`, () => {
    assert.equal(normalizeServerUrl(input), expected);
  });
}

Deno.test("normalizeServerUrl() rejects URLs that are not http(s)", () => {
  const inputs = [
    "ftp://example.com",
    "ws://example.com",
    "https://",
    "https://host:bad",
    "http://127.0.0.1:0/mcp",
  ];
  for (const input of inputs) {
    assertUsageError(() => normalizeServerUrl(input), `Invalid MCP server URL: ${input}`);
  }
});

Deno.test("getServerHost() returns the host with a non-default port", () => {
  assert.equal(getServerHost("https://mcp.apify.com/mcp"), "mcp.apify.com");
  assert.equal(getServerHost("https://Example.com:8443/x"), "example.com:8443");
  assert.equal(getServerHost("https://example.com:443/x"), "example.com");
  assert.equal(getServerHost("localhost:3000"), "localhost:3000");
});

Deno.test("parseHeader() splits at the first colon and trims both sides", () => {
  assert.deepEqual(parseHeader("Authorization: Bearer abc"), ["Authorization", "Bearer abc"]);
  assert.deepEqual(parseHeader("X-Url:  http://a:b/c "), ["X-Url", "http://a:b/c"]);
  assert.deepEqual(parseHeader("X-Empty:"), ["X-Empty", ""]);
});

Deno.test("parseHeader() rejects a value without a key before the colon", () => {
  for (const value of ["NoColon", ": value", "  : value"]) {
    assertUsageError(() => parseHeader(value), `Invalid header format: ${value}. Use "Key: Value"`);
  }
});
