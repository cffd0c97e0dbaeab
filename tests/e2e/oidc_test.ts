/**
 * OAuth end to end against a certified OpenID provider (`npm:oidc-provider`,
 * tests/fixtures/oidc_server.ts) in front of the demo MCP server, with the
 * browser step done by headless Chromium (tests/fixtures/chromium_browser.ts):
 * `mcpc login` (discovery, dynamic registration, PKCE, resource indicator),
 * `connect` with the default profile, `tools-call`, the access token expiring
 * and being refreshed, and `logout`.
 *
 * Needs Debian's `chromium` package; without it the tests fail and say so.
 */

import assert from "node:assert/strict";
import type { OidcStats } from "../fixtures/oidc_server.ts";
import { baseEnv, freePort, groupMembers, Harness, killGroup, waitFor } from "./harness.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const OIDC_SERVER = `${ROOT}tests/fixtures/oidc_server.ts`;
const BROWSER = `${ROOT}tests/fixtures/chromium_browser.sh`;
/** The real lifetime of the provider's access tokens (s). */
const ACCESS_TOKEN_TTL_S = 5;

/** A running oidc_server.ts process. */
interface OidcProcess {
  mcpUrl: string;
  issuer: string;
  stats(): Promise<OidcStats>;
  /** What the process printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the fixture as a child process and waits (bounded) for its READY line. */
async function startOidc(args: string[]): Promise<OidcProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--frozen", "--config", `${ROOT}deno.json`, "--allow-all"]
      .concat(OIDC_SERVER, args),
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const { promise: ready, resolve: onReady } = Promise.withResolvers<string | undefined>();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output += text;
      const match = /^READY (.*)\n/m.exec(output);
      if (match) onReady(match[1]);
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  child.status.then(() => onReady(undefined));
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }, 5_000);
    await child.status;
    clearTimeout(timer);
    await drained;
  };
  const timer = setTimeout(() => onReady(undefined), 30_000);
  const line = await ready;
  clearTimeout(timer);
  if (line === undefined) {
    await stop();
    throw new Error(`The OIDC fixture did not start:\n${output}`);
  }
  const { issuer, mcpUrl, statsUrl } = JSON.parse(line);
  return {
    issuer,
    mcpUrl,
    stats: async () =>
      await (await fetch(statsUrl, { signal: AbortSignal.timeout(5_000) })).json() as OidcStats,
    output: () => output,
    stop,
  };
}

/** Fails (with the Debian package to install) unless `chromium` is on PATH. */
function requireChromium(): void {
  const found = (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return (Deno.statSync(`${dir}/chromium`).mode ?? 0) & 0o111;
    } catch {
      return false;
    }
  });
  if (!found) {
    throw new Error(
      'Cannot run the OIDC e2e test: "chromium" is not on PATH. ' +
        'Install the Debian package "chromium" (apt-get install -y chromium)',
    );
  }
  const mode = Deno.statSync(BROWSER).mode ?? 0;
  assert.ok(mode & 0o100, `${BROWSER} must be executable (chmod +x)`);
}

/** The parsed `credentials.json` of the home (empty when there is none). */
async function credentials(harness: Harness): Promise<Record<string, string>> {
  try {
    return JSON.parse(await Deno.readTextFile(`${harness.home}/credentials.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

/** The profile's stored tokens (the value under its `...:tokens` account). */
async function storedTokens(
  harness: Harness,
  mcpUrl: string,
): Promise<Record<string, unknown> | undefined> {
  const value = (await credentials(harness))[`auth-profile:${mcpUrl}:default:tokens`];
  return value === undefined ? undefined : JSON.parse(value);
}

/** Waits (bounded) until every Chromium the browser fixture started is gone. */
async function assertBrowsersGone(log: string): Promise<void> {
  const pids = [...log.matchAll(/chromium pid (\d+)/g)].map((match) => Number(match[1]));
  assert.ok(pids.length > 0, `the browser fixture started no Chromium:\n${log}`);
  try {
    await waitFor(() => pids.every((pid) => groupMembers(pid).length === 0), 10_000, "Chromium");
  } finally {
    for (const pid of pids) killGroup(pid);
  }
}

interface Scenario {
  harness: Harness;
  oidc: OidcProcess;
  env: Record<string, string>;
}

/** Starts the provider, logs in through Chromium, runs `fn`, and cleans up by PID. */
async function withLogin(
  oidcArgs: string[],
  fn: (scenario: Scenario) => Promise<void>,
): Promise<void> {
  requireChromium();
  const oidc = await startOidc(["--access-token-ttl", String(ACCESS_TOKEN_TTL_S), ...oidcArgs]);
  const harness = await Harness.create();
  const browserLog = `${harness.home}/browser.log`;
  const env = {
    MCPC_SECRET_STORE: "file",
    MCPC_BROWSER: BROWSER,
    MCPC_TEST_BROWSER_LOG: browserLog,
  };
  const readLog = () => Deno.readTextFile(browserLog).catch(() => "(no browser log)");
  try {
    const login = await harness.run(
      ["--json", "login", oidc.mcpUrl, "--timeout", "40", "--callback-port", String(freePort())],
      { env },
    );
    assert.equal(
      login.code,
      0,
      `login failed: ${login.stderr}\nbrowser:\n${await readLog()}\nprovider:\n${oidc.output()}`,
    );
    const result = JSON.parse(login.stdout);
    assert.equal(result.profile, "default");
    assert.equal(result.serverUrl, oidc.mcpUrl);
    assert.ok(result.scopes.includes("mcp:tools"), login.stdout);
    await assertBrowsersGone(await readLog());

    const afterLogin = await oidc.stats();
    assert.equal(afterLogin.registrations, 1, "mcpc registered its client dynamically");
    assert.equal(afterLogin.logins, 1, "Chromium submitted the provider's login form");
    assert.deepEqual(afterLogin.grants, { authorization_code: 1 });
    const tokens = await storedTokens(harness, oidc.mcpUrl);
    assert.equal(typeof tokens?.access_token, "string", "the access token is stored");
    assert.equal(typeof tokens?.refresh_token, "string", "the refresh token is stored");

    await fn({ harness, oidc, env });
  } finally {
    await harness.stopBridges().catch(() => {});
    await harness.cleanup();
    await oidc.stop();
  }
}

/** `connect` with the default profile, then one `tools-call`. */
async function connectAndCall(scenario: Scenario): Promise<void> {
  const { harness, oidc, env } = scenario;
  const [connect] = await harness.json<{ _mcpc: { profileName?: string } }[]>(
    ["connect", oidc.mcpUrl, "@o"],
    { env },
  );
  assert.equal(connect._mcpc.profileName, "default", "connect picked the default profile");
  await callEcho(scenario, "first");
}

async function callEcho({ harness, env }: Scenario, message: string): Promise<void> {
  const call = await harness.json<{ content: { text: string }[] }>(
    ["@o", "tools-call", "echo", `message:=${message}`],
    { env },
  );
  assert.equal(call.content[0].text, message);
}

/** `logout`, then checks that the profile's secrets left `credentials.json`. */
async function logout({ harness, oidc, env }: Scenario): Promise<void> {
  const stored = await storedTokens(harness, oidc.mcpUrl);
  const result = await harness.json<Record<string, unknown>>(["logout", oidc.mcpUrl], { env });
  assert.deepEqual(result, {
    profile: "default",
    serverUrl: oidc.mcpUrl,
    deleted: true,
    affectedSessions: ["@o"],
  });
  const after = await credentials(harness);
  assert.deepEqual(Object.keys(after).filter((key) => key.startsWith("auth-profile:")), []);
  const text = JSON.stringify(after);
  assert.ok(!text.includes(String(stored?.access_token)), "the access token is gone");
  assert.ok(!text.includes(String(stored?.refresh_token)), "the refresh token is gone");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test({
  name:
    "oidc-provider: login through Chromium, connect, call, expired token refreshed after 401, logout",
  fn: () =>
    // The token response claims an hour: mcpc learns of the expiry from the server's 401 only.
    withLogin(["--advertised-expires-in", "3600"], async (scenario) => {
      const { oidc } = scenario;
      await connectAndCall(scenario);
      const before = await oidc.stats();
      await sleep(ACCESS_TOKEN_TTL_S * 1000 + 1000);
      await callEcho(scenario, "after-expiry");
      const after = await oidc.stats();
      assert.ok(
        after.mcpRejected > before.mcpRejected,
        `the server refused the expired token: ${JSON.stringify(after)}`,
      );
      assert.ok(
        (after.grants.refresh_token ?? 0) > (before.grants.refresh_token ?? 0),
        `mcpc refreshed the token: ${JSON.stringify(after)}`,
      );
      assert.deepEqual(after.grantErrors, {});
      await logout(scenario);
    }),
});

Deno.test({
  name: "oidc-provider: a short-lived access token is refreshed before it is sent expired",
  fn: () =>
    withLogin([], async (scenario) => {
      const { oidc } = scenario;
      const loggedIn = await oidc.stats();
      await connectAndCall(scenario);
      const before = await oidc.stats();
      await sleep(ACCESS_TOKEN_TTL_S * 1000 + 1000);
      await callEcho(scenario, "after-expiry");
      const after = await oidc.stats();
      assert.ok(
        (after.grants.refresh_token ?? 0) > (before.grants.refresh_token ?? 0),
        `mcpc refreshed the token: ${JSON.stringify(after)}`,
      );
      assert.equal(
        after.mcpRejected,
        loggedIn.mcpRejected,
        `mcpc sent no expired token (expires_in is honest here): ${JSON.stringify(after)}`,
      );
      assert.deepEqual(after.grantErrors, {});
      await logout(scenario);
    }),
});
