import assert from "node:assert/strict";
import { openerCommand } from "../../../src/auth/browser.ts";
import { idTokenClaims } from "../../../src/auth/id_token.ts";
import { McpcOAuthProvider } from "../../../src/auth/oauth_provider.ts";
import {
  expiresAt,
  profileClientAccount,
  ProfileSecrets,
  profileTokensAccount,
  type SavedTokens,
} from "../../../src/auth/profile_secrets.ts";
import type { SecretStore } from "../../../src/auth/secret_store.ts";

/** An unsigned JWT whose payload is `payload` (base64url, no padding). */
function jwt(payload: unknown): string {
  const part = (value: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
  };
  return `${part({ alg: "none" })}.${part(payload)}.signature`;
}

Deno.test("idTokenClaims() reads email, name and subject", () => {
  assert.deepEqual(
    idTokenClaims(jwt({ email: "a@example.com", name: "Ann", sub: "u-1", iss: "x" })),
    { userEmail: "a@example.com", userName: "Ann", userSubject: "u-1" },
  );
});

Deno.test("idTokenClaims() falls back to preferred_username for the name", () => {
  assert.deepEqual(idTokenClaims(jwt({ preferred_username: "ann", sub: "u-1" })), {
    userName: "ann",
    userSubject: "u-1",
  });
  assert.deepEqual(idTokenClaims(jwt({ name: "Ann", preferred_username: "ann" })), {
    userName: "Ann",
  });
});

Deno.test("idTokenClaims() decodes a base64url UTF-8 payload", () => {
  // "Zoë ~~~ ???" has bytes that encode to "-" and "_" in base64url.
  const name = "Zoë ~~~ ???";
  const token = jwt({ name });
  assert.match(token.split(".")[1], /[-_]/);
  assert.deepEqual(idTokenClaims(token), { userName: name });
});

Deno.test("idTokenClaims() ignores empty and non-string claims", () => {
  assert.deepEqual(idTokenClaims(jwt({ email: "", name: 42, sub: null })), {});
});

Deno.test("idTokenClaims() returns no claims for what is not a JWT with a JSON object", () => {
  const cases: (string | undefined)[] = [
    undefined,
    "",
    "opaque-token",
    "header.",
    "header.!!!notbase64!!!.sig",
    `h.${btoa("not json")}.s`,
    `h.${btoa("null")}.s`,
    `h.${btoa('"a string"')}.s`,
  ];
  for (const token of cases) assert.deepEqual(idTokenClaims(token), {}, String(token));
});

function tokens(fields: Partial<SavedTokens>): SavedTokens {
  return { access_token: "a", token_type: "Bearer", obtained_at: 1_000_000, ...fields };
}

Deno.test("expiresAt() is 60 s before the end of expires_in", () => {
  assert.equal(expiresAt(tokens({ expires_in: 300 })), 1_000_000 + 300_000 - 60_000);
  assert.equal(expiresAt(tokens({ expires_in: 120 })), 1_000_000 + 120_000 - 60_000);
});

Deno.test("expiresAt() is halfway through a lifetime shorter than two minutes", () => {
  assert.equal(expiresAt(tokens({ expires_in: 60 })), 1_000_000 + 30_000);
  assert.equal(expiresAt(tokens({ expires_in: 2 })), 1_000_000 + 1_000);
  assert.equal(expiresAt(tokens({ expires_in: 0 })), 1_000_000);
});

Deno.test("expiresAt() counts a token without expires_in as valid for an hour", () => {
  assert.equal(expiresAt(tokens({})), 1_000_000 + 3_600_000 - 60_000);
});

Deno.test("openerCommand() runs MCPC_BROWSER with the URL as its only argument", () => {
  const url = "https://as.example.com/authorize?a=1&b=$(touch x);c";
  for (const os of ["linux", "darwin", "windows"] as const) {
    assert.deepEqual(openerCommand(url, { MCPC_BROWSER: " /opt/browser " }, os), {
      command: "/opt/browser",
      args: [url],
    });
  }
});

Deno.test("openerCommand() uses the platform's opener without MCPC_BROWSER", () => {
  const url = "https://as.example.com/authorize";
  assert.deepEqual(openerCommand(url, {}, "darwin"), { command: "open", args: [url] });
  assert.deepEqual(openerCommand(url, {}, "windows"), {
    command: "rundll32",
    args: ["url.dll,FileProtocolHandler", url],
  });
  assert.deepEqual(openerCommand(url, {}, "linux"), { command: "xdg-open", args: [url] });
  assert.deepEqual(openerCommand(url, { MCPC_BROWSER: "  " }, "linux"), {
    command: "xdg-open",
    args: [url],
  });
});

/** A `SecretStore` in memory. */
function memoryStore(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: (account) => Promise.resolve(values.get(account)),
    set: (account, value) => Promise.resolve(void values.set(account, value)),
    delete: (account) => Promise.resolve(void values.delete(account)),
  };
}

const SERVER = "https://mcp.example.com/mcp";

function provider(store: SecretStore, options: { login?: boolean; now?: number } = {}) {
  return new McpcOAuthProvider({
    secrets: new ProfileSecrets(store, SERVER, "default"),
    redirectUrl: "http://127.0.0.1:13316/callback",
    now: () => options.now ?? 5_000,
    ...(options.login ? { onRedirect: () => {} } : {}),
  });
}

Deno.test("McpcOAuthProvider.saveTokens() keeps the refresh token a refresh response left out", async () => {
  const store = memoryStore();
  const oauth = provider(store, { now: 7_000 });
  await oauth.saveTokens({ access_token: "a1", token_type: "Bearer", refresh_token: "r1" });
  await oauth.saveTokens({ access_token: "a2", token_type: "Bearer" });
  const saved = JSON.parse(store.values.get(profileTokensAccount(SERVER, "default"))!);
  assert.deepEqual(saved, {
    access_token: "a2",
    token_type: "Bearer",
    refresh_token: "r1",
    obtained_at: 7_000,
  });
});

Deno.test("McpcOAuthProvider.invalidateCredentials() in a bridge forgets for itself only", async () => {
  const store = memoryStore();
  const secrets = new ProfileSecrets(store, SERVER, "default");
  await secrets.saveTokens({ access_token: "a", token_type: "Bearer" }, 1);
  await secrets.saveClient({ client_id: "c" });
  const bridge = provider(store);
  assert.equal((await bridge.tokens())?.access_token, "a");
  await bridge.invalidateCredentials("all");
  assert.equal(await bridge.tokens(), undefined);
  assert.ok(store.values.has(profileTokensAccount(SERVER, "default")));
  assert.ok(store.values.has(profileClientAccount(SERVER, "default")));

  const login = provider(store, { login: true });
  await login.invalidateCredentials("all");
  assert.deepEqual([...store.values.keys()], []);
});

Deno.test("McpcOAuthProvider records that a bridge would need a new login", async () => {
  const bridge = provider(memoryStore());
  assert.equal(bridge.loginNeeded, false);
  await bridge.redirectToAuthorization(new URL("https://as.example.com/authorize"));
  assert.equal(bridge.loginNeeded, true);
});

Deno.test("profileTokensAccount() keys tokens by endpoint, not by host", () => {
  assert.equal(
    profileTokensAccount("https://MCP.example.com:443/a/", "work"),
    "auth-profile:https://mcp.example.com/a:work:tokens",
  );
  assert.notEqual(
    profileTokensAccount("https://mcp.example.com/a", "default"),
    profileTokensAccount("https://mcp.example.com/b", "default"),
  );
});
