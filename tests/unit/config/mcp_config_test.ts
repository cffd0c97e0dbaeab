import assert from "node:assert/strict";
import { McpcError } from "../../../src/errors.ts";
import {
  type McpConfig,
  parseMcpConfig,
  resolveConfigEntry,
  type ResolveConfigEntryOptions,
} from "../../../src/config/mcp_config.ts";

const FILE = "/work/project/.mcp.json";
const FORMAT_ERROR =
  'Invalid config file format: missing or invalid "mcpServers" (or "servers") field.';

function assertUsageError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof McpcError);
    assert.equal(error.kind, "usage");
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

function configOf(servers: Record<string, unknown>): McpConfig {
  return { servers };
}

function options(
  env: Record<string, string> = {},
): ResolveConfigEntryOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    filePath: FILE,
    lookupEnv: (name) => Object.hasOwn(env, name) ? env[name] : undefined,
    warn: (message) => warnings.push(message),
    warnings,
  };
}

function invalidEntry(detail: string): string {
  return `Invalid config for server "s" in ${FILE}: ${detail}`;
}

Deno.test("parseMcpConfig() reads the mcpServers map", () => {
  const config = parseMcpConfig('{"mcpServers": {"a": {"url": "x"}}, "other": 1}', FILE);
  assert.deepEqual(config, { servers: { a: { url: "x" } } });
});

Deno.test("parseMcpConfig() reads the VS Code servers map", () => {
  const config = parseMcpConfig('{"servers": {"b": {"type": "stdio", "command": "x"}}}', FILE);
  assert.deepEqual(config, { servers: { b: { type: "stdio", command: "x" } } });
});

Deno.test("parseMcpConfig() prefers mcpServers over servers", () => {
  const config = parseMcpConfig('{"servers": {"b": {}}, "mcpServers": {"a": {}}}', FILE);
  assert.deepEqual(Object.keys(config.servers), ["a"]);
});

Deno.test("parseMcpConfig() falls back to servers when mcpServers is not an object", () => {
  const config = parseMcpConfig('{"mcpServers": [], "servers": {"b": {}}}', FILE);
  assert.deepEqual(Object.keys(config.servers), ["b"]);
});

Deno.test("parseMcpConfig() names the file when the JSON does not parse", () => {
  assertUsageError(
    () => parseMcpConfig("{ not json", FILE),
    new RegExp(`^Invalid JSON in config file: ${FILE.replaceAll(".", "\\.")}\\n\\S`),
  );
});

Deno.test("parseMcpConfig() rejects a file without a server map", () => {
  for (const text of ["{}", "[]", "null", "5", '{"mcpServers": null}', '{"mcpServers": ["a"]}']) {
    assertUsageError(
      () => parseMcpConfig(text, FILE),
      new RegExp(`^${FORMAT_ERROR.replace(/[.()]/g, "\\$&")}\\nExpected \\{"mcpServers"`),
    );
  }
});

Deno.test("resolveConfigEntry() returns an HTTP server with headers and timeout", () => {
  const config = configOf({
    s: { type: "http", url: "https://mcp.example.com/mcp", headers: { "X-A": "1" }, timeout: 30 },
  });
  assert.deepEqual(resolveConfigEntry(config, "s", options()), {
    url: "https://mcp.example.com/mcp",
    headers: { "X-A": "1" },
    timeout: 30,
  });
});

Deno.test("resolveConfigEntry() returns a stdio server with args and env", () => {
  const config = configOf({ s: { command: "node", args: ["server.js", "--x"], env: { K: "v" } } });
  assert.deepEqual(resolveConfigEntry(config, "s", options()), {
    command: "node",
    args: ["server.js", "--x"],
    env: { K: "v" },
  });
});

Deno.test("resolveConfigEntry() ignores keys that do not belong to the entry kind", () => {
  const config = configOf({
    h: { url: "https://a.example", args: ["x"], env: { A: "1" }, type: "http" },
    c: { command: "srv", headers: { A: "1" }, timeout: 5, disabled: true },
  });
  assert.deepEqual(resolveConfigEntry(config, "h", options()), { url: "https://a.example" });
  assert.deepEqual(resolveConfigEntry(config, "c", options()), { command: "srv" });
});

Deno.test("resolveConfigEntry() normalises the URL after substitution", () => {
  const config = configOf({ s: { url: "localhost:${PORT}/mcp" } });
  assert.deepEqual(resolveConfigEntry(config, "s", options({ PORT: "3000" })), {
    url: "http://localhost:3000/mcp",
  });
});

Deno.test("resolveConfigEntry() substitutes variables in url and header values", () => {
  const config = configOf({
    s: { url: "https://${HOST}/mcp", headers: { Authorization: "Bearer ${TOKEN}", "$K": "k" } },
  });
  const result = resolveConfigEntry(
    config,
    "s",
    options({ HOST: "api.example", TOKEN: "t0k", K: "x" }),
  );
  assert.deepEqual(result, {
    url: "https://api.example/mcp",
    headers: { Authorization: "Bearer t0k", "$K": "k" },
  });
});

Deno.test("resolveConfigEntry() does not substitute header names, and refuses invalid ones", () => {
  const config = configOf({ s: { url: "https://a", headers: { "${K}": "k" } } });
  assertUsageError(
    () => resolveConfigEntry(config, "s", options({ K: "x" })),
    invalidEntry('"${K}" in "headers" is not a valid header name'),
  );
});

Deno.test("resolveConfigEntry() substitutes variables in command, args and env values", () => {
  const config = configOf({
    s: {
      command: "${BIN}/server",
      args: ["--dir", "${DIR}", "${A}${B}"],
      env: { KEY: "${SECRET}" },
    },
  });
  const env = { BIN: "/opt/bin", DIR: "/data", A: "x", B: "y", SECRET: "s3cret" };
  assert.deepEqual(resolveConfigEntry(config, "s", options(env)), {
    command: "/opt/bin/server",
    args: ["--dir", "/data", "xy"],
    env: { KEY: "s3cret" },
  });
});

Deno.test("resolveConfigEntry() warns once per unknown variable across all values", () => {
  const config = configOf({
    s: { command: "srv", args: ["${MISSING}", "${MISSING}", "${OTHER}"], env: { A: "${MISSING}" } },
  });
  const opts = options();
  const result = resolveConfigEntry(config, "s", opts);
  assert.deepEqual(result, { command: "srv", args: ["", "", ""], env: { A: "" } });
  assert.deepEqual(opts.warnings, [
    "Environment variable not found: MISSING, using empty string",
    "Environment variable not found: OTHER, using empty string",
  ]);
});

Deno.test("resolveConfigEntry() lists the available servers when the entry is missing", () => {
  const config = configOf({ a: { url: "https://a.example" }, b: { command: "b" } });
  assertUsageError(
    () => resolveConfigEntry(config, "x", options()),
    'Server "x" not found in config file.\nAvailable servers: a, b',
  );
});

Deno.test("resolveConfigEntry() says when the config has no servers at all", () => {
  assertUsageError(
    () => resolveConfigEntry(configOf({}), "x", options()),
    'Server "x" not found in config file.\nAvailable servers: (none)',
  );
});

Deno.test("resolveConfigEntry() does not find inherited property names", () => {
  assertUsageError(
    () => resolveConfigEntry(configOf({ a: { command: "a" } }), "toString", options()),
    'Server "toString" not found in config file.\nAvailable servers: a',
  );
});

Deno.test("resolveConfigEntry() rejects an entry that is not an object", () => {
  for (const entry of ["https://a.example", 5, null, ["x"]]) {
    assertUsageError(
      () => resolveConfigEntry(configOf({ s: entry }), "s", options()),
      invalidEntry("the entry must be a JSON object"),
    );
  }
});

Deno.test("resolveConfigEntry() requires url or command", () => {
  assertUsageError(
    () => resolveConfigEntry(configOf({ s: { type: "http" } }), "s", options()),
    invalidEntry('missing "url" or "command"'),
  );
});

Deno.test("resolveConfigEntry() rejects an entry with both url and command", () => {
  assertUsageError(
    () => resolveConfigEntry(configOf({ s: { url: "https://a", command: "b" } }), "s", options()),
    invalidEntry('set either "url" or "command", not both'),
  );
});

Deno.test("resolveConfigEntry() requires an http(s) URL and names it as written", () => {
  const config = configOf({ s: { url: "ftp://${HOST}/x" } });
  assertUsageError(
    () => resolveConfigEntry(config, "s", options({ HOST: "secret-host" })),
    invalidEntry('"url" must be an http:// or https:// URL, got "ftp://${HOST}/x"'),
  );
});

Deno.test("resolveConfigEntry() rejects a url that is not a string", () => {
  assertUsageError(
    () => resolveConfigEntry(configOf({ s: { url: 42 } }), "s", options()),
    invalidEntry('"url" must be a string'),
  );
});

Deno.test("resolveConfigEntry() requires a non-empty command", () => {
  for (const command of ["", "   ", "${UNSET}", 7]) {
    assertUsageError(
      () => resolveConfigEntry(configOf({ s: { command } }), "s", options()),
      invalidEntry('"command" must be a non-empty string'),
    );
  }
});

Deno.test("resolveConfigEntry() requires args to be strings", () => {
  for (const args of ["--flag", [1], ["ok", null]]) {
    assertUsageError(
      () => resolveConfigEntry(configOf({ s: { command: "c", args } }), "s", options()),
      invalidEntry('"args" must be an array of strings'),
    );
  }
});

Deno.test("resolveConfigEntry() requires env and header values to be strings", () => {
  assertUsageError(
    () =>
      resolveConfigEntry(configOf({ s: { command: "c", env: { PORT: 3000 } } }), "s", options()),
    invalidEntry('"env" must be an object with string values'),
  );
  assertUsageError(
    () =>
      resolveConfigEntry(configOf({ s: { url: "https://a", headers: ["A: b"] } }), "s", options()),
    invalidEntry('"headers" must be an object with string values'),
  );
});

Deno.test("resolveConfigEntry() requires a positive timeout", () => {
  for (const timeout of [0, -5, "30", Infinity]) {
    assertUsageError(
      () => resolveConfigEntry(configOf({ s: { url: "https://a", timeout } }), "s", options()),
      invalidEntry('"timeout" must be a positive number of seconds'),
    );
  }
});

Deno.test("resolveConfigEntry() refuses a timeout over 24 hours", () => {
  assert.equal(
    resolveConfigEntry(configOf({ s: { url: "https://a", timeout: 86_400 } }), "s", options())
      .timeout,
    86_400,
  );
  assertUsageError(
    () =>
      resolveConfigEntry(configOf({ s: { url: "https://a", timeout: 86_401 } }), "s", options()),
    invalidEntry('"timeout" must be at most 86400 seconds (24 hours)'),
  );
});

Deno.test("parseMcpConfig() does not quote the file when the JSON does not parse", () => {
  for (const text of ['{"mcpServers": sekret}', '{"a": "sekret" "b"}', '{"a": "sekret']) {
    assert.throws(() => parseMcpConfig(text, FILE), (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.equal(error.kind, "usage");
      assert.match(error.message, /^Invalid JSON in config file: /);
      assert.doesNotMatch(error.message, /sekret/);
      // The parser's own message quotes the file: it must not come along as the cause.
      assert.equal(error.cause, undefined);
      return true;
    });
  }
  assertUsageError(
    () => parseMcpConfig('{"mcpServers": sekret}', FILE),
    `Invalid JSON in config file: ${FILE}\nUnexpected token 's'`,
  );
});

Deno.test("resolveConfigEntry() turns URL userinfo into a Basic Authorization header", () => {
  const config = configOf({
    s: { url: "https://${USER}:${PASS}@api.example/mcp?k=v", headers: { "X-A": "1" } },
  });
  const opts = options({ USER: "me", PASS: "p@ss" });
  assert.deepEqual(resolveConfigEntry(config, "s", opts), {
    url: "https://api.example/mcp?k=v",
    headers: { "X-A": "1", Authorization: `Basic ${btoa("me:p@ss")}` },
  });
  assert.deepEqual(opts.warnings, []);
});

Deno.test("resolveConfigEntry() prefers an Authorization header to URL userinfo, and says so", () => {
  const config = configOf({
    s: { url: "https://me:pw@api.example/mcp", headers: { authorization: "Bearer t" } },
  });
  const opts = options();
  assert.deepEqual(resolveConfigEntry(config, "s", opts), {
    url: "https://api.example/mcp",
    headers: { authorization: "Bearer t" },
  });
  assert.deepEqual(opts.warnings, [
    'Ignoring the user name and password in the URL of server "s": its "headers" set Authorization',
  ]);
});

Deno.test("resolveConfigEntry() shows no password or query value of a URL it refuses", () => {
  const config = configOf({ s: { url: "ftp://me:sekret@host/x?key=sekret2" } });
  assertUsageError(
    () => resolveConfigEntry(config, "s", options()),
    invalidEntry('"url" must be an http:// or https:// URL, got "ftp://host/x?key=<redacted>"'),
  );
});

Deno.test("resolveConfigEntry() refuses header values with CR, LF or NUL, naming the key only", () => {
  for (const value of ["a\r\nX-Injected: 1", "sek\0ret", "${V}"]) {
    const config = configOf({ s: { url: "https://a", headers: { "X-Key": value } } });
    assert.throws(
      () => resolveConfigEntry(config, "s", options({ V: "sek\nret" })),
      (error: unknown) => {
        assert.ok(error instanceof McpcError);
        assert.equal(
          error.message,
          invalidEntry(
            'the value of header "X-Key" cannot be sent: ' +
              "it contains a line break (CR or LF) or a NUL character",
          ),
        );
        return true;
      },
    );
  }
});

Deno.test("resolveConfigEntry() refuses env values with NUL, naming the key and entry only", () => {
  for (const value of ["sek\0ret", "${V}"]) {
    const config = configOf({ s: { command: "srv", env: { API_KEY: value } } });
    assertUsageError(
      () => resolveConfigEntry(config, "s", options({ V: "sek\0ret" })),
      invalidEntry(
        'the value of env "API_KEY" cannot be passed to the server: it contains a NUL character',
      ),
    );
  }
});

Deno.test("resolveConfigEntry() refuses env names a process cannot take", () => {
  for (const name of ["", "A=B", "A\0B"]) {
    const config = configOf({ s: { command: "srv", env: { [name]: "v" } } });
    assertUsageError(
      () => resolveConfigEntry(config, "s", options()),
      invalidEntry(
        `${JSON.stringify(name)} in "env" is not a valid variable name (empty, or has "=" or NUL)`,
      ),
    );
  }
});

Deno.test("resolveConfigEntry() refuses a command or args with NUL without showing them", () => {
  assertUsageError(
    () => resolveConfigEntry(configOf({ s: { command: "${C}" } }), "s", options({ C: "a\0b" })),
    invalidEntry('"command" contains a NUL character'),
  );
  assertUsageError(
    () =>
      resolveConfigEntry(
        configOf({ s: { command: "srv", args: ["ok", "--key=${K}"] } }),
        "s",
        options({ K: "sek\0ret" }),
      ),
    invalidEntry('"args" item 2 contains a NUL character'),
  );
});

Deno.test("resolveConfigEntry() refuses a substituted value over 1 MiB, naming the variable", () => {
  const big = "b".repeat(1024 * 1024 + 1);
  assertUsageError(
    () =>
      resolveConfigEntry(
        configOf({ s: { url: "https://a", headers: { "X-Key": "${BIG}" } } }),
        "s",
        options({ BIG: big }),
      ),
    invalidEntry('environment variable BIG (used in header "X-Key") is over the 1 MiB limit'),
  );
  const chunk = "c".repeat(512 * 1024);
  assertUsageError(
    () =>
      resolveConfigEntry(
        configOf({ s: { command: "srv", args: ["${CHUNK}${CHUNK}${CHUNK}"] } }),
        "s",
        options({ CHUNK: chunk }),
      ),
    invalidEntry('"args" item 1 is over the 1 MiB limit after substituting ${CHUNK}'),
  );
});

Deno.test('resolveConfigEntry() checks "type" against the entry and refuses legacy SSE', () => {
  const url = { url: "https://mcp.example.com/mcp" };
  const stdio = { command: "server" };
  for (const type of ["http", "streamable-http", "streamableHttp"]) {
    const server = resolveConfigEntry(configOf({ s: { ...url, type } }), "s", options());
    assert.equal(server.url, "https://mcp.example.com/mcp");
  }
  assert.equal(
    resolveConfigEntry(configOf({ s: { ...stdio, type: "stdio" } }), "s", options()).command,
    "server",
  );
  assertUsageError(
    () => resolveConfigEntry(configOf({ s: { ...url, type: "sse" } }), "s", options()),
    invalidEntry(
      'legacy SSE ("type": "sse") is not supported, only Streamable HTTP: give the ' +
        'server\'s Streamable HTTP endpoint with "type": "http"',
    ),
  );
  assertUsageError(
    () => resolveConfigEntry(configOf({ s: { ...url, type: "stdio" } }), "s", options()),
    invalidEntry('"type" is "stdio" but the entry has a "url"'),
  );
  assertUsageError(
    () => resolveConfigEntry(configOf({ s: { ...stdio, type: "http" } }), "s", options()),
    invalidEntry('"type" is "http" but the entry has no "url"'),
  );
  const warned = options();
  const local = resolveConfigEntry(configOf({ s: { ...stdio, type: "local" } }), "s", warned);
  assert.equal(local.command, "server", "another tool's own type is ignored");
  assert.deepEqual(warned.warnings, [
    'Ignoring the unknown "type" "local" of this server entry "s"',
  ]);
});

Deno.test("resolveConfigEntry() expands a leading ~/ in command and args to HOME", () => {
  const server = resolveConfigEntry(
    configOf({ s: { command: "~/bin/server", args: ["--root", "~/data", "a~/b", "~"] } }),
    "s",
    options({ HOME: "/home/ada" }),
  );
  assert.equal(server.command, "/home/ada/bin/server");
  assert.deepEqual(server.args, ["--root", "/home/ada/data", "a~/b", "/home/ada"]);
});
