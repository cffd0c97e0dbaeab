/**
 * OAuth end to end: real `mcpc login` runs (the browser is
 * tests/conformance/browser, which follows the authorization server's
 * redirect to the loopback callback) against tests/fixtures/oauth_server.ts,
 * then sessions on the saved profile: the default-profile rule, refresh after
 * expiry (before sending and after a 401), two bridges sharing one rotating
 * refresh token, recovery from a revoked grant by a new login, logout, one
 * profile per endpoint, a scope step-up, and no token outside
 * `credentials.json`.
 *
 * A session whose only credential is a static `-H "Authorization: Bearer x"`
 * and that got a 401 stays unauthorized and is never retried: that rule is
 * covered by tests/e2e/seed_test.ts.
 */

import assert from "node:assert/strict";
import {
  freePort,
  Harness,
  isAlive,
  revisionOf,
  type RunResult,
  SERVER_ERAS,
  type ServerEra,
} from "./harness.ts";
import {
  type OAuthServer,
  type OAuthServerOptions,
  startOAuthServer,
} from "../fixtures/oauth_server.ts";
import type { AuthProfile, ProfilesFile } from "../../src/auth/profile_store.ts";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";

const BROWSER = new URL("../conformance/browser", import.meta.url).pathname;

/** Every run: the redirect-following browser and the file secret store (no keyring needed). */
const ENV = { MCPC_BROWSER: BROWSER, MCPC_SECRET_STORE: "file" };

interface Listing {
  sessions: { name: string; status: string; profileName?: string; protocolVersion?: string }[];
  profiles: AuthProfile[];
}

/** One fixture and one private home per test; both are stopped afterwards (bridges by PID). */
async function withOAuth(
  options: OAuthServerOptions,
  fn: (server: OAuthServer, harness: Harness) => Promise<void>,
): Promise<void> {
  const server = await startOAuthServer(options);
  const harness = await Harness.create();
  try {
    await fn(server, harness);
  } finally {
    await harness.cleanup();
    await server.stop();
  }
}

/** Registers one test per era (the fixture speaks only that era). */
function oauthEraTest(
  name: string,
  options: OAuthServerOptions,
  fn: (server: OAuthServer, harness: Harness, era: ServerEra) => Promise<void>,
): void {
  for (const era of SERVER_ERAS) {
    Deno.test(`${name} [${era}]`, () => withOAuth({ ...options, era }, (s, h) => fn(s, h, era)));
  }
}

function run(harness: Harness, args: string[]): Promise<RunResult> {
  return harness.run(args, { env: ENV });
}

/** `mcpc --json login <url>` on a free callback port, bounded to 30 s. */
async function login(harness: Harness, url: string, extra: string[] = []) {
  const result = await run(harness, [
    "--json",
    "--timeout",
    "30",
    "login",
    url,
    "--callback-port",
    String(freePort()),
    ...extra,
  ]);
  assert.equal(result.code, 0, `login failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { profile: string; serverUrl: string; scopes: string[] };
}

async function connect(harness: Harness, url: string, name: string, extra: string[] = []) {
  const result = await run(harness, ["connect", url, name, ...extra]);
  assert.equal(result.code, 0, `connect ${name} failed: ${result.stderr}`);
}

async function echo(harness: Harness, name: string, message: string): Promise<string> {
  const result = await run(harness, ["--json", name, "tools-call", "echo", `message:=${message}`]);
  assert.equal(result.code, 0, `echo on ${name} failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { content: { text: string }[] }).content[0].text;
}

async function listing(harness: Harness): Promise<Listing> {
  const result = await run(harness, ["--json"]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

async function profilesFile(harness: Harness): Promise<ProfilesFile> {
  return JSON.parse(await Deno.readTextFile(`${harness.home}/profiles.json`));
}

async function credentials(harness: Harness): Promise<Record<string, string>> {
  try {
    return JSON.parse(await Deno.readTextFile(`${harness.home}/credentials.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Regular files under `dir`, recursively (paths relative to `dir`). */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${dir}${prefix}`)) {
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory) files.push(...await filesUnder(dir, path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}

function readProc(pid: number, file: string): string {
  return new TextDecoder().decode(Deno.readFileSync(`/proc/${pid}/${file}`));
}

/**
 * No access or refresh token the fixture issued is in any file of the home
 * but `credentials.json` (sessions.json, profiles.json, the bridge logs, the
 * refresh lock), nor in the argv or environment of a running bridge.
 */
async function assertNoTokenLeak(harness: Harness, server: OAuthServer): Promise<void> {
  const tokens = server.issuedTokens();
  assert.ok(tokens.length > 0, "the fixture issued tokens");
  const stored = await Deno.readTextFile(`${harness.home}/credentials.json`);
  assert.ok(tokens.some((token) => stored.includes(token)), "credentials.json holds the tokens");

  const files = await filesUnder(harness.home);
  for (const expected of ["/sessions.json", "/profiles.json"]) {
    assert.ok(files.includes(expected), `${expected} exists`);
  }
  assert.ok(files.some((file) => file.startsWith("/logs/bridge-")), "a bridge log exists");
  const leaking: string[] = [];
  for (const file of files) {
    if (file === "/credentials.json") continue;
    const text = await Deno.readTextFile(`${harness.home}${file}`);
    if (tokens.some((token) => text.includes(token))) leaking.push(file);
  }
  assert.deepEqual(leaking, [], "files other than credentials.json hold a token");

  const bridges = await harness.bridgePids();
  assert.ok(bridges.length > 0 && bridges.every(isAlive), "bridges are running");
  for (const pid of bridges) {
    const cmdline = readProc(pid, "cmdline");
    const environ = readProc(pid, "environ");
    assert.ok(cmdline.includes("__bridge"), cmdline);
    assert.ok(environ.includes("PATH="), `the environment of bridge ${pid} is readable`);
    for (const token of tokens) {
      assert.ok(!cmdline.includes(token), `bridge ${pid} has a token in its argv`);
      assert.ok(!environ.includes(token), `bridge ${pid} has a token in its environment`);
    }
  }
}

oauthEraTest(
  "login saves a profile without tokens and connect uses it by default",
  {},
  async (server, harness, era) => {
    const saved = await login(harness, server.url);
    assert.deepEqual(saved, { profile: "default", serverUrl: server.url, scopes: ["mcp"] });
    const counters = server.counters();
    assert.equal(counters.registrations, 1);
    assert.equal(counters.codeExchanges, 1);

    const file = await profilesFile(harness);
    assert.deepEqual(Object.keys(file.profiles), [server.url]);
    const profile = file.profiles[server.url].default;
    assert.equal(profile.serverUrl, server.url);
    assert.equal(profile.oauthIssuer, server.issuer);
    assert.equal(profile.userEmail, "tester@example.com");
    assert.ok(Date.parse(profile.authenticatedAt ?? "") > 0, "authenticatedAt is set");
    const text = await Deno.readTextFile(`${harness.home}/profiles.json`);
    for (const token of server.issuedTokens()) assert.ok(!text.includes(token));
    assert.doesNotMatch(text, /access_token|refresh_token/);
    const tokensAccount = `auth-profile:${server.url}:default:tokens`;
    assert.ok((await credentials(harness))[tokensAccount], "the tokens are in credentials.json");

    await connect(harness, server.url, "@s");
    assert.equal((await harness.sessions()).sessions["@s"].profileName, "default");
    assert.equal(await echo(harness, "@s", "hello"), "hello");
    assert.ok(server.counters().mcpRequests > 0);

    const listed = await listing(harness);
    const session = listed.sessions.find((entry) => entry.name === "@s");
    assert.equal(session?.status, "live");
    assert.equal(session?.profileName, "default");
    assert.equal(session?.protocolVersion, revisionOf(era));
    assert.deepEqual(
      listed.profiles.map((entry) => [entry.name, entry.serverUrl]),
      [["default", server.url]],
    );
    await assertNoTokenLeak(harness, server);
  },
);

oauthEraTest(
  "an access token the server stopped accepting is refreshed after the 401",
  // The token says it lasts an hour; the server drops it after 2 s.
  { accessTokenLifetimeS: 2, expiresInS: 3600 },
  async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    assert.equal(await echo(harness, "@s", "one"), "one");

    for (let round = 1; round <= 2; round++) {
      const before = server.counters();
      await sleep(2_300);
      assert.equal(await echo(harness, "@s", `after expiry ${round}`), `after expiry ${round}`);
      const after = server.counters();
      assert.ok(after.expiredRejections > before.expiredRejections, JSON.stringify(after));
      assert.ok(after.refreshes > before.refreshes, JSON.stringify(after));
      assert.equal(after.invalidGrants, 0);
    }
    const profile = (await profilesFile(harness)).profiles[server.url].default;
    assert.ok(
      Date.parse(profile.refreshedAt ?? "") > Date.parse(profile.authenticatedAt!),
      `refreshedAt after authenticatedAt: ${JSON.stringify(profile)}`,
    );
    assert.equal((await listing(harness)).sessions[0].status, "live");
    await assertNoTokenLeak(harness, server);
  },
);

Deno.test("a token about to expire is refreshed before it is sent", async () => {
  // mcpc renews a token shorter-lived than two minutes halfway through: this one is due for
  // renewal after 2 s, while the server would still accept it for 2 s more.
  await withOAuth({ accessTokenLifetimeS: 4 }, async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    assert.equal(await echo(harness, "@s", "fresh"), "fresh");
    const before = server.counters();
    await sleep(2_300);
    assert.equal(await echo(harness, "@s", "renewed"), "renewed");
    const after = server.counters();
    assert.ok(after.refreshes > before.refreshes, JSON.stringify(after));
    assert.equal(after.unauthorized, before.unauthorized, "no request was sent with the old token");
    await assertNoTokenLeak(harness, server);
  });
});

oauthEraTest(
  "two sessions on one profile keep working across expiries with rotating refresh tokens",
  { accessTokenLifetimeS: 2, expiresInS: 3600 },
  async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@a");
    await connect(harness, server.url, "@b");
    const rounds = 3;
    for (let round = 1; round <= rounds; round++) {
      await sleep(2_300);
      // Both bridges meet the expired token at once; then each alone.
      const [a, b] = await Promise.all([
        echo(harness, "@a", `a${round}`),
        echo(harness, "@b", `b${round}`),
      ]);
      assert.deepEqual([a, b], [`a${round}`, `b${round}`]);
      assert.equal(await echo(harness, "@b", `b${round}'`), `b${round}'`);
      assert.equal(await echo(harness, "@a", `a${round}'`), `a${round}'`);
    }
    const counters = server.counters();
    assert.equal(
      counters.invalidGrants,
      0,
      `a rotated refresh token was reused: ${JSON.stringify(counters)}`,
    );
    assert.ok(counters.refreshes >= rounds, JSON.stringify(counters));
    const logs = await Promise.all(
      ["@a", "@b"].map((name) => Deno.readTextFile(`${harness.home}/logs/bridge-${name}.log`)),
    );
    assert.ok(
      logs.some((log) => log.includes("that another process refreshed")),
      "one bridge adopted the token the other refreshed",
    );
    await assertNoTokenLeak(harness, server);
  },
);

oauthEraTest(
  "a refresh the authorization server rejects leaves the session unauthorized until mcpc login",
  {},
  async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    assert.equal(await echo(harness, "@s", "before"), "before");

    server.revokeAll();
    const failed = await run(harness, ["@s", "tools-call", "echo", "message:=revoked"]);
    assert.equal(failed.code, 4, failed.stderr);
    assert.ok(failed.stderr.includes(`mcpc login ${server.url}`), failed.stderr);
    assert.ok(server.counters().invalidGrants >= 1, "the bridge tried the refresh token");
    assert.equal((await harness.sessions()).sessions["@s"].status, "unauthorized");
    const again = await run(harness, ["@s", "tools-call", "echo", "message:=still"]);
    assert.equal(again.code, 4, "without a new login the session stays unauthorized");

    await login(harness, server.url);
    assert.equal(await echo(harness, "@s", "recovered"), "recovered");
    const session = (await listing(harness)).sessions.find((entry) => entry.name === "@s");
    assert.equal(session?.status, "live");
  },
);

Deno.test("connect --profile and --no-profile follow the profile rules", async () => {
  await withOAuth({}, async (server, harness) => {
    await login(harness, server.url);

    const missing = await run(harness, ["connect", server.url, "@m", "--profile", "missing"]);
    assert.equal(missing.code, 1, missing.stderr);
    assert.ok(missing.stderr.includes(`Profile missing for ${server.url} not found`));
    assert.ok(missing.stderr.includes(`mcpc login ${server.url} --profile missing`));

    const both = await run(harness, [
      "connect",
      server.url,
      "@h",
      "--profile",
      "default",
      "-H",
      "Authorization: Bearer x",
    ]);
    assert.equal(both.code, 1, both.stderr);
    assert.match(both.stderr, /either an Authorization header or --profile, not both/);
    const names = Object.keys((await harness.sessions().catch(() => ({ sessions: {} }))).sessions);
    assert.ok(!names.includes("@m") && !names.includes("@h"), names.join(", "));

    const anonymous = await run(harness, ["connect", server.url, "@n", "--no-profile"]);
    assert.equal(anonymous.code, 4, anonymous.stderr);
    assert.equal((await harness.sessions()).sessions["@n"].profileName, undefined);
    assert.equal((await harness.sessions()).sessions["@n"].status, "unauthorized");
  });
});

Deno.test("logout deletes the profile and its tokens and names the sessions using it", async () => {
  await withOAuth({}, async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    assert.equal(await echo(harness, "@s", "hi"), "hi");
    const account = `auth-profile:${server.url}:default`;
    assert.ok((await credentials(harness))[`${account}:tokens`]);

    const out = await run(harness, ["--json", "logout", server.url]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), {
      profile: "default",
      serverUrl: server.url,
      deleted: true,
      affectedSessions: ["@s"],
    });
    assert.deepEqual((await profilesFile(harness)).profiles, {});
    const stored = await credentials(harness);
    assert.deepEqual(Object.keys(stored).filter((key) => key.startsWith(account)), []);
    const text = JSON.stringify(stored);
    for (const token of server.issuedTokens()) assert.ok(!text.includes(token));
    assert.deepEqual((await listing(harness)).profiles, []);

    const twice = await run(harness, ["logout", server.url]);
    assert.equal(twice.code, 1);
    assert.ok(twice.stderr.includes(`Profile default for ${server.url} not found`), twice.stderr);
  });
});

Deno.test("two MCP endpoints on one host do not share a profile", async () => {
  await withOAuth({ paths: ["/a", "/b"] }, async (server, harness) => {
    const a = server.urlOf("/a");
    const b = server.urlOf("/b");
    await login(harness, a);
    assert.deepEqual(Object.keys((await profilesFile(harness)).profiles), [a]);

    const unauthenticated = await run(harness, ["connect", b, "@b0"]);
    assert.equal(unauthenticated.code, 4, "/b has no profile: the connect is anonymous");
    assert.equal((await harness.sessions()).sessions["@b0"].profileName, undefined);
    const named = await run(harness, ["connect", b, "@b1", "--profile", "default"]);
    assert.equal(named.code, 1, named.stderr);

    await login(harness, b);
    assert.deepEqual(Object.keys((await profilesFile(harness)).profiles).sort(), [a, b]);
    const stored = await credentials(harness);
    const tokenOf = (url: string) => JSON.parse(stored[`auth-profile:${url}:default:tokens`]);
    assert.notEqual(tokenOf(a).access_token, tokenOf(b).access_token);
    // The fixture accepts a token only at the endpoint it was issued for.
    await connect(harness, a, "@a");
    await connect(harness, b, "@b");
    assert.equal(await echo(harness, "@a", "to a"), "to a");
    assert.equal(await echo(harness, "@b", "to b"), "to b");
    const sessions = (await harness.sessions()).sessions;
    assert.deepEqual([sessions["@a"].profileName, sessions["@b"].profileName], [
      "default",
      "default",
    ]);
  });
});

Deno.test("a tool that needs another scope fails alone and the next login asks for it", async () => {
  await withOAuth({}, async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    const denied = await run(harness, ["--verbose", "@s", "tools-call", "admin"]);
    assert.equal(denied.code, 4, denied.stderr);
    assert.ok(denied.stderr.includes('needs the OAuth scope "mcp admin"'), denied.stderr);
    assert.equal(await echo(harness, "@s", "still usable"), "still usable");
    assert.equal((await listing(harness)).sessions[0].status, "live");
    const remembered = (await profilesFile(harness)).profiles[server.url].default;
    assert.deepEqual(remembered.requiredScopes, ["mcp", "admin"]);

    const wider = await login(harness, server.url);
    assert.deepEqual(wider.scopes.sort(), ["admin", "mcp"]);
    const allowed = await run(harness, ["--json", "@s", "tools-call", "admin"]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(JSON.parse(allowed.stdout).content[0].text, "admin ok");
  });
});

Deno.test("the error of a call refused for a missing scope names the scope", () =>
  withOAuth({}, async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    const denied = await run(harness, ["@s", "tools-call", "admin"]);
    assert.equal(denied.code, 4, denied.stderr);
    assert.ok(denied.stderr.includes('needs the OAuth scope "mcp admin"'), denied.stderr);
    assert.ok(denied.stderr.includes("check logs at"), denied.stderr);
    assert.doesNotMatch(denied.stderr, /rejected the OAuth profile/);
    // The session goes on: the next call that needs no more scope works.
    const echo = await run(harness, ["--json", "@s", "tools-call", "echo", "message:=still"]);
    assert.equal(echo.code, 0, echo.stderr);
  }));

oauthEraTest(
  "a client-credentials login needs no browser and the bridge gets new tokens the same way",
  { accessTokenLifetimeS: 2, machineClient: { id: "ci-bot", secret: "machine-s3cret" } },
  async (server, harness) => {
    const result = await harness.run(
      [
        "--json",
        "login",
        server.url,
        "--client-credentials",
        "--client-id",
        "ci-bot",
        "--client-secret",
        "machine-s3cret",
      ],
      // No browser at all: a machine login must not need one.
      { env: { MCPC_SECRET_STORE: "file", MCPC_BROWSER: "/nonexistent/browser" } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "", "nothing on stderr (no SDK warning either)");
    assert.equal(JSON.parse(result.stdout).profile, "default");
    assert.equal(server.counters().authorizations, 0, "no authorization request was made");
    assert.equal(server.counters().clientCredentialGrants, 1);
    const saved = (await profilesFile(harness)).profiles;
    assert.equal(Object.values(saved)[0].default.grantType, "client_credentials");
    await connect(harness, server.url, "@ci");
    assert.equal(await echo(harness, "@ci", "one"), "one");
    await sleep(2_300);
    assert.equal(await echo(harness, "@ci", "two"), "two");
    assert.ok(server.counters().clientCredentialGrants >= 2, JSON.stringify(server.counters()));
    // The client secret is a secret: only in the secret store.
    for (const file of ["sessions.json", "profiles.json"]) {
      const text = await Deno.readTextFile(`${harness.home}/${file}`);
      assert.ok(!text.includes("machine-s3cret"), file);
    }
    assert.ok(JSON.stringify(await credentials(harness)).includes("machine-s3cret"));
    await assertNoTokenLeak(harness, server);
  },
);

Deno.test("login to a server that does not use OAuth says so and saves nothing", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    const result = await harness.run(["login", server.url, "--callback-port", String(freePort())], {
      env: { MCPC_SECRET_STORE: "file", MCPC_BROWSER: "/nonexistent/browser" },
    });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /does not use OAuth: it answered without asking for credentials/);
    assert.match(result.stderr, /Connect without logging in: mcpc connect /);
    assert.doesNotMatch(result.stderr, /Authorization URL/);
    const listed = await harness.run(["--json"], { env: { MCPC_SECRET_STORE: "file" } });
    assert.deepEqual(JSON.parse(listed.stdout).profiles, []);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a stored token another process saved is refreshed when the server rejects it too", () =>
  // The server ends tokens after 2 s but says they last an hour: a bridge that adopts the token
  // a second login stored finds it rejected as well, and must refresh instead of giving up.
  withOAuth({ accessTokenLifetimeS: 2, expiresInS: 3600 }, async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    assert.equal(await echo(harness, "@s", "first"), "first");
    // Another process stores a newer token, which the bridge has not seen.
    await login(harness, server.url);
    await sleep(2_300);
    const before = server.counters().refreshes;
    assert.equal(await echo(harness, "@s", "second"), "second");
    assert.ok(server.counters().refreshes > before, JSON.stringify(server.counters()));
    const log = await Deno.readTextFile(`${harness.home}/logs/bridge-@s.log`);
    assert.match(log, /that another process refreshed/);
  }));

oauthEraTest(
  "an authorization server that is down fails the call as a network error and the session recovers",
  { accessTokenLifetimeS: 2, expiresInS: 3600 },
  async (server, harness) => {
    await login(harness, server.url);
    await connect(harness, server.url, "@s");
    assert.equal(await echo(harness, "@s", "before"), "before");
    await sleep(2_300);
    server.setTokenOutage(true);
    const down = await run(harness, ["@s", "tools-call", "echo", "message:=down"]);
    assert.equal(down.code, 3, down.stderr);
    assert.match(down.stderr, /Cannot reach the authorization server to refresh the token/);
    assert.doesNotMatch(down.stderr, /Log in again/);
    const record = (await listing(harness)).sessions.find((session) => session.name === "@s");
    assert.notEqual(record?.status, "unauthorized", JSON.stringify(record));
    server.setTokenOutage(false);
    assert.equal(await echo(harness, "@s", "after"), "after");
  },
);

Deno.test("the default profile of one query (tenant) is not used for another", () =>
  withOAuth({}, async (server, harness) => {
    await login(harness, `${server.url}?tenant=a`);
    await connect(harness, `${server.url}?tenant=a`, "@a");
    assert.equal(await echo(harness, "@a", "mine"), "mine");
    const other = await run(harness, ["connect", `${server.url}?tenant=b`, "@b"]);
    assert.equal(other.code, 4, other.stderr);
    const records = (await listing(harness)).sessions;
    assert.equal(records.find((session) => session.name === "@b")?.profileName, undefined);
  }));
