import assert from "node:assert/strict";
import { login, type LoginInput, parseCallback } from "../../../src/app/login.ts";
import { AuthorizationDeniedError } from "../../../src/auth/callback_server.ts";
import type { AppContext } from "../../../src/context.ts";
import { McpcError } from "../../../src/errors.ts";
import { createTheme } from "../../../src/render/theme.ts";

const STATE = "abc123";

Deno.test("parseCallback() reads the code and iss of a pasted callback URL", () => {
  assert.deepEqual(
    parseCallback(
      `http://127.0.0.1:13316/callback?code=c0de&state=${STATE}&iss=https%3A%2F%2Fas.example.com`,
      STATE,
    ),
    { code: "c0de", iss: "https://as.example.com" },
  );
});

Deno.test("parseCallback() accepts the query string alone", () => {
  assert.deepEqual(parseCallback(`code=c0de&state=${STATE}`, STATE), { code: "c0de" });
  assert.deepEqual(parseCallback(`?code=c0de&state=${STATE}`, STATE), { code: "c0de" });
});

Deno.test("parseCallback() ignores a fragment", () => {
  assert.deepEqual(
    parseCallback(`http://127.0.0.1:1/callback?code=c0de&state=${STATE}#code=evil`, STATE),
    { code: "c0de" },
  );
});

Deno.test("parseCallback() refuses a URL whose state does not match", () => {
  for (const text of [`code=c0de&state=other`, "code=c0de", `code=c0de&state=${STATE}x`]) {
    assert.throws(() => parseCallback(text, STATE), (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.equal(error.kind, "auth");
      assert.equal(
        error.message,
        "The pasted URL does not belong to this login (its state does not match)",
      );
      return true;
    }, text);
  }
});

Deno.test("parseCallback() checks the state before reporting an OAuth error", () => {
  assert.throws(() => parseCallback("error=access_denied&state=other", STATE), McpcError);
});

Deno.test("parseCallback() reports the authorization server's error", () => {
  assert.throws(
    () => parseCallback(`error=access_denied&error_description=User+said+no&state=${STATE}`, STATE),
    (error: unknown) => {
      assert.ok(error instanceof AuthorizationDeniedError);
      assert.equal(error.error, "access_denied");
      assert.equal(error.description, "User said no");
      assert.equal(error.message, "OAuth error: User said no");
      return true;
    },
  );
  assert.throws(() => parseCallback(`error=server_error&state=${STATE}`, STATE), {
    message: "OAuth error: server_error",
  });
});

Deno.test("parseCallback() refuses a callback without a code", () => {
  for (const text of [`state=${STATE}`, `code=&state=${STATE}`]) {
    assert.throws(() => parseCallback(text, STATE), (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.equal(error.kind, "auth");
      assert.equal(error.message, "No authorization code in the pasted URL");
      return true;
    }, text);
  }
});

/** Thrown by the fake context's stderr: the login goes no further (no network). */
class StopHere extends Error {}

/**
 * A context whose first line on stderr is recorded and then stops the login,
 * before it could reach any server. Nothing else is used before that point.
 */
function stoppingContext(lines: string[], options: { json?: boolean } = {}): AppContext {
  const fail = () => {
    throw new Error("The login used the context before writing to stderr");
  };
  return {
    output: { json: options.json ?? false, verbose: false, theme: createTheme(false) },
    env: {},
    now: () => 0,
    timeoutMs: 1_000,
    stderr: (text: string) => {
      lines.push(text);
      throw new StopHere();
    },
    stdout: fail,
    onInterrupt: fail,
  } as unknown as AppContext;
}

/** Runs `login()` and returns the usage error it threw before printing anything. */
async function usageFailure(input: LoginInput): Promise<McpcError> {
  const lines: string[] = [];
  const error = await login(stoppingContext(lines), input).then(
    () => assert.fail("login() succeeded"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof McpcError, `not a usage error: ${error}`);
  assert.equal(error.kind, "usage");
  assert.equal(error.exitCode, 1);
  assert.deepEqual(lines, [], "nothing was printed before the usage error");
  return error;
}

const SERVER = "mcp.example.com";

Deno.test("login() needs --client-id for --client-secret", async () => {
  const error = await usageFailure({ server: SERVER, clientSecret: "s3cret" });
  assert.equal(error.message, "--client-secret needs --client-id");
});

Deno.test("login() refuses --client-metadata-url with --client-id", async () => {
  const error = await usageFailure({
    server: SERVER,
    clientId: "id",
    clientMetadataUrl: "https://example.com/mcpc.json",
  });
  assert.equal(error.message, "--client-metadata-url and --client-id are mutually exclusive");
});

Deno.test("login() refuses a client metadata URL that is not a CIMD URL", async () => {
  const cases: [string, string][] = [
    ["http://example.com/mcpc.json", "not an https:// URL"],
    ["not a url", "not an https:// URL"],
    ["ftp://example.com/mcpc.json", "not an https:// URL"],
    ["https://user:pw@example.com/mcpc.json", "it must not contain a user name or password"],
    ["https://example.com/mcpc.json#frag", "it must not have a fragment"],
    ["https://example.com/mcpc.json#", "it must not have a fragment"],
    ["https://example.com", "it needs a path"],
    ["https://example.com/", "it needs a path"],
    ["https://example.com/a/../mcpc.json", 'it must not contain "." or ".." segments'],
    ["https://example.com/./mcpc.json", 'it must not contain "." or ".." segments'],
    ["https://example.com/a/../b?x=1", 'it must not contain "." or ".." segments'],
  ];
  for (const [url, why] of cases) {
    const error = await usageFailure({ server: SERVER, clientMetadataUrl: url });
    assert.equal(error.message, `Invalid --client-metadata-url: ${why}`, url);
    assert.equal(
      error.hint,
      "It must be an https:// URL of a JSON document, e.g. https://example.com/mcpc.json",
    );
  }
});

Deno.test("login() refuses a --callback-port that is not a port number", async () => {
  for (const port of ["x", "0", "65536", "1.5", "-1", "", " 80", "8e3", "0x50"]) {
    const error = await usageFailure({ server: SERVER, callbackPort: port });
    assert.equal(
      error.message,
      `Invalid --callback-port value: "${port}". Must be an integer between 1 and 65535.`,
      port,
    );
  }
});

Deno.test("login() refuses an invalid profile name", async () => {
  for (const profile of ["bad name", "a/b", "", "x".repeat(65), "émile"]) {
    const error = await usageFailure({ server: SERVER, profile });
    assert.equal(
      error.message,
      `Invalid profile name: "${profile}". Use letters, digits, "_" and "-" (at most 64)`,
      profile,
    );
  }
});

Deno.test("login() refuses an empty --scope", async () => {
  const error = await usageFailure({ server: SERVER, scope: "  " });
  assert.equal(error.message, "--scope must not be empty");
});

Deno.test("login() refuses a server that is not a URL", async () => {
  const error = await usageFailure({ server: "./mcp.json:entry" });
  assert.equal(error.message, `Invalid server: "./mcp.json:entry". Give the MCP server's URL`);
  assert.equal(error.hint, "Example: mcpc login mcp.example.com");
});

Deno.test("login() refuses a server URL with a user name or password", async () => {
  const error = await usageFailure({ server: "https://user:pw@mcp.example.com/mcp" });
  assert.equal(
    error.message,
    "The server URL must not carry a user name or password for login",
  );
  assert.ok(!error.message.includes("pw"));
});

/** The first line `login()` prints for `server` (it stops there). */
async function firstLine(server: string, options: { json?: boolean } = {}): Promise<string> {
  const lines: string[] = [];
  await assert.rejects(
    login(stoppingContext(lines, options), { server, callbackPort: "65535" }),
    StopHere,
  );
  assert.equal(lines.length, 1);
  return lines[0];
}

const PLAIN_HTTP_WARNING = "Warning: OAuth over plain HTTP is insecure: tokens and codes can be " +
  "read on the way. Use https:// for servers that are not on this machine.\n";

Deno.test("login() warns about plain HTTP to a host that is not this machine", async () => {
  assert.equal(await firstLine("http://mcp.example.com/mcp"), PLAIN_HTTP_WARNING);
  assert.equal(await firstLine("http://192.168.1.10:8080/mcp"), PLAIN_HTTP_WARNING);
  // The warning is not chatter: --json prints it too.
  assert.equal(await firstLine("http://mcp.example.com/mcp", { json: true }), PLAIN_HTTP_WARNING);
});

Deno.test("login() does not warn for https or a loopback server", async () => {
  for (
    const server of [
      "https://mcp.example.com/mcp",
      "mcp.example.com",
      "http://localhost:8080/mcp",
      "localhost:8080",
      "http://127.0.0.1:8080/mcp",
      "http://[::1]:8080/mcp",
    ]
  ) {
    const line = await firstLine(server);
    assert.match(line, /^Starting OAuth authentication for https?:\/\//, server);
  }
});

Deno.test("login() checks the machine-login options before anything else", async () => {
  const cases: [LoginInput, string][] = [
    [{ server: SERVER, clientKey: "k.pem" }, "--client-key needs --client-id"],
    [
      { server: SERVER, clientId: "c", clientSecret: "s", clientKey: "k.pem" },
      "--client-key and --client-secret are mutually exclusive",
    ],
    [
      { server: SERVER, clientId: "c", clientKeyAlg: "ES256" },
      "--client-key-alg needs --client-key",
    ],
    [
      { server: SERVER, clientId: "c", clientCredentials: true },
      "--client-credentials needs --client-id and --client-secret (or --client-key)",
    ],
  ];
  for (const [input, message] of cases) {
    assert.equal((await usageFailure(input)).message, message, JSON.stringify(input));
  }
  const alg = await usageFailure({
    server: SERVER,
    clientId: "c",
    clientKey: "k.pem",
    clientKeyAlg: "HS256",
  });
  assert.match(alg.message, /^Unsupported --client-key-alg "HS256"/);
});

Deno.test("login() refuses a --client-key file that is missing or not a PKCS#8 PEM key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "login_test_" });
  try {
    const missing = await usageFailure({
      server: SERVER,
      clientId: "c",
      clientKey: `${dir}/missing.pem`,
    });
    assert.match(missing.message, /^Cannot read --client-key .*missing\.pem/);
    await Deno.writeTextFile(`${dir}/rsa.pem`, "-----BEGIN RSA PRIVATE KEY-----\nx\n");
    const wrong = await usageFailure({
      server: SERVER,
      clientId: "c",
      clientKey: `${dir}/rsa.pem`,
    });
    assert.match(wrong.message, /is not a PKCS#8 PEM private key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
