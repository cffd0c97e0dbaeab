import assert from "node:assert/strict";
import { McpcError } from "../../../src/errors.ts";
import {
  basicAuthorization,
  getServerHost,
  headerValueProblem,
  invalidServerMessage,
  isHeaderName,
  normalizeServerUrl,
  parseHeader,
  parseServerArg,
  parseServerUrl,
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

Deno.test("parseHeader() rejects a value without a key before the colon, showing none of it", () => {
  for (const value of ["NoColon", ": value", "  : value", "Authorization Bearer sekret"]) {
    assertUsageError(
      () => parseHeader(value),
      'Invalid header in --header: expected "Key: Value" ' +
        "(the text given is not shown: it may hold a secret)",
    );
  }
});

Deno.test("parseHeader() names the position of the bad --header when given", () => {
  assert.throws(
    () => parseHeader("Bearer sekret", { position: 2 }),
    (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.match(error.message, /^Invalid header in --header #2: /);
      assert.doesNotMatch(error.message, /sekret/);
      return true;
    },
  );
});

Deno.test("parseHeader() rejects text before the colon that is no header name, without showing it", () => {
  for (const value of ["Authorization Bearer sek:ret", "X(A): v", "Zoë: v"]) {
    assert.throws(() => parseHeader(value), (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.equal(error.kind, "usage");
      assert.match(error.message, /is not a header name/);
      assert.doesNotMatch(error.message, /sek|Bearer|X\(A\)|Zo/);
      return true;
    });
  }
});

Deno.test("parseHeader() rejects a value with CR, LF or NUL, naming the key only", () => {
  for (const value of ["X-Key: sek\r\nInjected: 1", "X-Key: sek\nret", "X-Key: sek\0ret"]) {
    assertUsageError(
      () => parseHeader(value),
      'Invalid value of header "X-Key" in --header: ' +
        "it contains a line break (CR or LF) or a NUL character",
    );
  }
  assertUsageError(
    () => parseHeader("X-Key: sek😀ret", { position: 1 }),
    'Invalid value of header "X-Key" in --header #1: ' +
      "it contains a character above U+00FF, which HTTP headers cannot carry",
  );
});

Deno.test("parseHeader() accepts Latin-1 values and trims a trailing line break", () => {
  assert.deepEqual(parseHeader("X-Name: Zoë"), ["X-Name", "Zoë"]);
  assert.deepEqual(parseHeader("X-Key: abc\n"), ["X-Key", "abc"]);
});

Deno.test("headerValueProblem() accepts what fetch sends and refuses what it rejects", () => {
  for (const value of ["Bearer abc", "", "a\tb", "ÿ"]) {
    assert.equal(headerValueProblem(value), undefined, JSON.stringify(value));
    new Headers({ "X-Test": value });
  }
  for (const value of ["a\rb", "a\nb", "a\0b", "a\u0100b"]) {
    assert.ok(headerValueProblem(value), JSON.stringify(value));
    assert.throws(() => new Headers({ "X-Test": value }));
  }
});

Deno.test("isHeaderName() accepts RFC 9110 tokens only", () => {
  for (const name of ["Authorization", "X-Api-Key", "x_y.z", "!#$%&'*+-.^_`|~"]) {
    assert.ok(isHeaderName(name), name);
  }
  for (const name of ["", "X A", "X:A", "X(A)", "Zoë", "X\nA"]) {
    assert.ok(!isHeaderName(name), name);
  }
});

Deno.test("parseServerUrl() turns userinfo into a Basic Authorization value", () => {
  assert.deepEqual(parseServerUrl("http://user:pass@127.0.0.1:8080/mcp"), {
    url: "http://127.0.0.1:8080/mcp",
    authorization: `Basic ${btoa("user:pass")}`,
  });
  assert.deepEqual(parseServerUrl("https://user@example.com/mcp?q=1"), {
    url: "https://example.com/mcp?q=1",
    authorization: `Basic ${btoa("user:")}`,
  });
  assert.deepEqual(parseServerUrl("https://:secret@example.com"), {
    url: "https://example.com",
    authorization: `Basic ${btoa(":secret")}`,
  });
  assert.deepEqual(
    parseServerUrl("user:pass@example.com/mcp").authorization,
    `Basic ${btoa("user:pass")}`,
  );
});

Deno.test("parseServerUrl() keeps the query and returns no Authorization without userinfo", () => {
  assert.deepEqual(parseServerUrl("https://example.com/mcp?key=abc&x=1#frag"), {
    url: "https://example.com/mcp?key=abc&x=1",
  });
});

Deno.test("parseServerUrl() percent-decodes userinfo to bytes, as fetch does", () => {
  // "p@ss:w%rd" typed as p%40ss%3Aw%25rd, and a UTF-8 user name.
  const parsed = parseServerUrl("https://j%C3%BCrgen:p%40ss%3Aw%25rd@example.com/");
  const decoded = atob(parsed.authorization!.slice("Basic ".length));
  const bytes = Uint8Array.from(decoded, (char) => char.charCodeAt(0));
  assert.equal(new TextDecoder().decode(bytes), "jürgen:p@ss:w%rd");
  // Characters the URL parser encodes itself come out as typed.
  const spaced = parseServerUrl("https://us er:pa ss@example.com/").authorization!;
  assert.equal(atob(spaced.slice("Basic ".length)), "us er:pa ss");
});

Deno.test("basicAuthorization() leaves a % that starts no escape as it is", () => {
  assert.equal(basicAuthorization("a%zz", "%4"), `Basic ${btoa("a%zz:%4")}`);
  assert.equal(basicAuthorization("%41", "%62"), `Basic ${btoa("A:b")}`);
});

Deno.test("parseServerUrl() shows no password or query value when it rejects a URL", () => {
  assertUsageError(
    () => parseServerUrl("ftp://user:sekret@example.com/x?key=sekret2"),
    "Invalid MCP server URL: ftp://example.com/x?key=<redacted>",
  );
});

Deno.test("invalidServerMessage() shows no password or query value", () => {
  const message = invalidServerMessage("https://user:sekret@host:bad/?token=sekret2");
  assert.ok(message.startsWith('Invalid server: "https://host:bad/?token=<redacted>"'), message);
});
