/**
 * `mcpc login <server>`: an OAuth 2.1 authorization-code login (PKCE, `state`,
 * RFC 8707 resource, RFC 9207 `iss`) that saves an OAuth profile
 * (reference.md §7.4). The SDK's `auth()` does discovery, registration and
 * the token requests; this module picks the client (a pre-registered one,
 * a CIMD URL, else dynamic registration), runs the loopback callback, sends
 * the user to the browser (or asks for the callback URL on a TTY) and saves
 * the result. Chatter goes to stderr; stdout gets the result only.
 *
 * Layer: application (I/O through the context and the auth edge modules).
 * @module
 */

import {
  auth,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  discoverOAuthServerInfo,
  extractWWWAuthenticateParams,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/client";
import { openBrowser } from "../auth/browser.ts";
import {
  AuthorizationDeniedError,
  CALLBACK_PORTS,
  type CallbackResult,
  type CallbackServer,
  startCallbackServer,
} from "../auth/callback_server.ts";
import { idTokenClaims } from "../auth/id_token.ts";
import { McpcOAuthProvider } from "../auth/oauth_provider.ts";
import {
  type ClientKey,
  ProfileSecrets,
  type SavedTokens,
  StagedSecrets,
} from "../auth/profile_secrets.ts";
import { openRefreshLock, refreshLockPath } from "../auth/profile_tokens.ts";
import { DEFAULT_PROFILE, isValidProfileName } from "../auth/profile_store.ts";
import { proxyVariables } from "../config/proxy_env.ts";
import { parseServerArg, parseServerUrl } from "../config/server_target.ts";
import { checkedCaFile, outboundFetch } from "../platform/outbound_fetch.ts";
import type { AppContext } from "../context.ts";
import { authError, McpcError, networkError, usageError } from "../errors.ts";
import { VERSION } from "../version.ts";
import type { CommandOutput } from "./output.ts";

/** What `mcpc login` was given. */
export interface LoginInput {
  server: string;
  profile?: string;
  scope?: string;
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  callbackPort?: string;
  /** `--client-credentials`: a machine login with the client's id and secret. */
  clientCredentials?: boolean;
  /** `--dpop`: DPoP-bound tokens when the authorization server offers them. */
  dpop?: boolean;
  /** `--client-key <file>`: a PKCS#8 PEM private key the client signs assertions with. */
  clientKey?: string;
  /** `--client-key-alg <alg>` (default ES256). */
  clientKeyAlg?: string;
  /** `--ca-file <pem>`: CA certificates trusted besides the system's for this login's requests. */
  caFile?: string;
  /** `--insecure`: no TLS certificate checks for this login's requests. */
  insecure?: boolean;
}

/** Bounds a single HTTP request of the login (discovery, registration, token). */
const LOGIN_REQUEST_TIMEOUT_MS = 30_000;

/** Runs the login and returns what to print. */
export async function login(ctx: AppContext, input: LoginInput): Promise<CommandOutput> {
  const options = validate(input);
  // Before any request: an unreadable key is the user's to fix, not the network's.
  const clientKey = options.clientKey ? await readClientKey(options.clientKey) : undefined;
  const outbound = outboundFetch({
    proxyEnv: proxyVariables(ctx.env),
    ...(input.caFile !== undefined ? { caFile: await checkedCaFile(input.caFile, ctx.cwd) } : {}),
    ...(input.insecure ? { insecure: true } : {}),
  });
  const serverUrl = options.serverUrl;
  const say = (line: string) => {
    if (!ctx.output.json) ctx.stderr(`${line}\n`);
  };
  warnPlainHttp(ctx, serverUrl);
  say(`Starting OAuth authentication for ${serverUrl}`);
  say(`Profile: ${options.profile}`);

  if (input.insecure) {
    say("Warning: --insecure: TLS certificates are not checked for this login's requests");
  }
  const fetchFn = boundedFetch(outbound, Math.min(ctx.timeoutMs, LOGIN_REQUEST_TIMEOUT_MS));
  const challenge = await probe(serverUrl, fetchFn);
  if (!challenge.challenged) await requireOAuth(serverUrl, fetchFn);
  if (await usesClientCredentials(options, serverUrl, challenge, fetchFn)) {
    return await machineLogin(ctx, options, challenge, fetchFn, clientKey);
  }
  const state = randomHex(32);
  const callback = listen(options.ports, {
    state,
    serverUrl,
    profile: options.profile,
    warn: (message) => ctx.stderr(`Warning: ${message}\n`),
  });
  const stopOnInterrupt = ctx.onInterrupt(() => callback.close());
  try {
    // The profile keeps its client, tokens and key until this login succeeds. Without
    // --client-id it registers afresh: a registration is bound to its redirect URI's port.
    const secrets = new StagedSecrets(
      options.clientId
        ? {
          client_id: options.clientId,
          ...(options.clientSecret ? { client_secret: options.clientSecret } : {}),
        }
        : undefined,
    );
    let pasted: Promise<CallbackResult> | undefined;
    const provider = new McpcOAuthProvider({
      secrets,
      redirectUrl: callback.redirectUrl,
      clientMetadataUrl: options.clientMetadataUrl,
      confidential: Boolean(options.clientSecret),
      now: ctx.now,
      state,
      ignoreStoredTokens: true,
      dpop: options.dpop ? "prefer" : "required-only",
      onRedirect: async (url) => {
        pasted = (await sendToBrowser(ctx, url, state)).pasted;
      },
    });
    const scope = options.scope ?? await scopeToRequest(ctx, options, challenge.scope);
    const first = await runAuth(() =>
      auth(provider, {
        serverUrl,
        scope,
        resourceMetadataUrl: challenge.resourceMetadataUrl,
        fetchFn,
      })
    );
    if (first === "REDIRECT") {
      const answer = await waitForAnswer(ctx, [callback.result, ...(pasted ? [pasted] : [])]);
      await runAuth(() =>
        auth(provider, {
          serverUrl,
          scope,
          resourceMetadataUrl: challenge.resourceMetadataUrl,
          authorizationCode: answer.code,
          iss: answer.iss,
          fetchFn,
        })
      );
    }
    await commitLogin(ctx, options, secrets);
    return await saveProfile(ctx, options, provider.currentTokens);
  } finally {
    stopOnInterrupt();
    await callback.close();
  }
}

/**
 * Writes a successful login's secrets into the profile, under the lock every
 * refresh takes: a bridge refreshing the old tokens right now cannot
 * overwrite them afterwards (it re-reads the store under that lock).
 */
async function commitLogin(
  ctx: AppContext,
  options: LoginOptions,
  staged: StagedSecrets,
  clientKey?: ClientKey,
): Promise<void> {
  const target = new ProfileSecrets(ctx.secrets, options.serverUrl, options.profile);
  await openRefreshLock(refreshLockPath(ctx.paths.home)).update(() =>
    staged.commit(target, clientKey)
  );
}

/** Saves the profile for the tokens a login got and says so. */
async function saveProfile(
  ctx: AppContext,
  options: LoginOptions,
  tokens: SavedTokens | undefined,
  grantType?: "client_credentials",
): Promise<CommandOutput> {
  if (!tokens) throw authError("The authorization server returned no tokens");
  const serverUrl = options.serverUrl;
  const scopes = tokens.scope ? tokens.scope.split(" ").filter(Boolean) : undefined;
  const profile = await ctx.profiles.saveLogin({
    name: options.profile,
    serverUrl,
    oauthIssuer: tokens.issuer,
    scopes,
    grantType,
    ...idTokenClaims(tokens.id_token),
  }, new Date(ctx.now()));
  return {
    json: { profile: profile.name, serverUrl, scopes: scopes ?? [] },
    human: (theme) =>
      [
        theme.green("✓ Authentication successful!"),
        `Profile ${profile.name} saved`,
        ...(scopes?.length ? [`Scopes: ${scopes.join(", ")}`] : []),
        "",
        `Connect with: mcpc connect ${serverUrl} @name` +
        (profile.name === DEFAULT_PROFILE ? "" : ` --profile ${profile.name}`),
      ].join("\n"),
  };
}

/**
 * Whether to log in with the client credentials grant: asked for, or the only
 * grant the authorization server offers to a client given with its secret.
 */
async function usesClientCredentials(
  options: LoginOptions,
  serverUrl: string,
  challenge: { resourceMetadataUrl?: URL },
  fetchFn: typeof fetch,
): Promise<boolean> {
  if (options.clientCredentials) return true;
  if (!options.clientId || !options.clientSecret) return false;
  const info = await runAuth(() =>
    discoverOAuthServerInfo(serverUrl, {
      resourceMetadataUrl: challenge.resourceMetadataUrl,
      fetchFn,
    })
  );
  const grants = info.authorizationServerMetadata?.grant_types_supported;
  return Boolean(
    grants?.includes("client_credentials") && !grants.includes("authorization_code"),
  );
}

/** Reads a `--client-key` file: a PKCS#8 PEM private key (a usage error otherwise). */
async function readClientKey(key: { path: string; alg: string }): Promise<ClientKey> {
  let pem: string;
  try {
    pem = await Deno.readTextFile(key.path);
  } catch (error) {
    throw usageError(`Cannot read --client-key ${key.path}: ${errorText(error)}`);
  }
  if (!pem.includes("-----BEGIN PRIVATE KEY-----")) {
    throw usageError(
      `--client-key ${key.path} is not a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----")`,
    );
  }
  return { pem, alg: key.alg };
}

/** A login with the client's own credentials: one token request, no browser. */
async function machineLogin(
  ctx: AppContext,
  options: LoginOptions,
  challenge: { resourceMetadataUrl?: URL; scope?: string },
  fetchFn: typeof fetch,
  clientKey: ClientKey | undefined,
): Promise<CommandOutput> {
  const secrets = new StagedSecrets({
    client_id: options.clientId!,
    ...(options.clientSecret ? { client_secret: options.clientSecret } : {}),
  });
  const provider = new McpcOAuthProvider({
    secrets,
    redirectUrl: "http://127.0.0.1/callback",
    confidential: true,
    clientKey,
    now: ctx.now,
    ignoreStoredTokens: true,
    grant: "client_credentials",
    dpop: options.dpop ? "prefer" : "required-only",
  });
  await runAuth(() =>
    auth(provider, {
      serverUrl: options.serverUrl,
      scope: options.scope ?? challenge.scope,
      resourceMetadataUrl: challenge.resourceMetadataUrl,
      fetchFn,
    })
  );
  await commitLogin(ctx, options, secrets, clientKey);
  return await saveProfile(ctx, options, provider.currentTokens, "client_credentials");
}

/**
 * Without `--scope`: the scope the server's challenge names, plus what the
 * profile had and what servers asked for since (step-up, SEP-2350: a new
 * login keeps the scopes granted before). `undefined` leaves the choice to
 * the SDK (the resource's `scopes_supported`, else none).
 */
async function scopeToRequest(
  ctx: AppContext,
  options: LoginOptions,
  challenged: string | undefined,
): Promise<string | undefined> {
  const saved = await ctx.profiles.find(options.serverUrl, options.profile);
  const scopes = new Set([
    ...(challenged?.split(" ") ?? []),
    ...(saved?.scopes ?? []),
    ...(saved?.requiredScopes ?? []),
  ].filter(Boolean));
  return scopes.size ? [...scopes].join(" ") : undefined;
}

interface LoginOptions {
  serverUrl: string;
  profile: string;
  scope?: string;
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  clientCredentials: boolean;
  dpop: boolean;
  /** `--client-key`: where the private key is, and its algorithm. */
  clientKey?: { path: string; alg: string };
  ports: readonly number[];
}

function validate(input: LoginInput): LoginOptions {
  const target = parseServerArg(input.server);
  if (target?.type !== "url") {
    throw usageError(`Invalid server: "${input.server}". Give the MCP server's URL`, {
      hint: "Example: mcpc login mcp.example.com",
    });
  }
  const { url, authorization } = parseServerUrl(target.url);
  if (authorization) {
    throw usageError("The server URL must not carry a user name or password for login");
  }
  const profile = input.profile ?? DEFAULT_PROFILE;
  if (!isValidProfileName(profile)) {
    throw usageError(
      `Invalid profile name: "${profile}". Use letters, digits, "_" and "-" (at most 64)`,
    );
  }
  if (input.clientSecret && !input.clientId) {
    throw usageError("--client-secret needs --client-id");
  }
  if (input.clientKey !== undefined && !input.clientId) {
    throw usageError("--client-key needs --client-id");
  }
  if (input.clientKey !== undefined && input.clientSecret) {
    throw usageError("--client-key and --client-secret are mutually exclusive");
  }
  if (input.clientKeyAlg !== undefined && input.clientKey === undefined) {
    throw usageError("--client-key-alg needs --client-key");
  }
  const alg = input.clientKeyAlg ?? "ES256";
  if (!/^(RS|PS|ES)(256|384|512)$/.test(alg)) {
    throw usageError(`Unsupported --client-key-alg "${alg}": use RS256, PS256, ES256 (or 384/512)`);
  }
  const machine = input.clientCredentials || input.clientKey !== undefined;
  if (machine && (!input.clientId || (!input.clientSecret && input.clientKey === undefined))) {
    throw usageError(
      "--client-credentials needs --client-id and --client-secret (or --client-key)",
    );
  }
  if (input.clientMetadataUrl && input.clientId) {
    throw usageError("--client-metadata-url and --client-id are mutually exclusive");
  }
  if (input.clientMetadataUrl) checkClientMetadataUrl(input.clientMetadataUrl);
  if (input.scope !== undefined && input.scope.trim() === "") {
    throw usageError("--scope must not be empty");
  }
  let ports = CALLBACK_PORTS;
  if (input.callbackPort !== undefined) {
    const port = Number(input.callbackPort);
    if (!/^\d+$/.test(input.callbackPort) || port < 1 || port > 65535) {
      throw usageError(
        `Invalid --callback-port value: "${input.callbackPort}". Must be an integer between 1 and 65535.`,
      );
    }
    ports = [port];
  }
  return {
    serverUrl: url,
    profile,
    scope: input.scope?.trim(),
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    clientMetadataUrl: input.clientMetadataUrl,
    clientCredentials: machine === true,
    dpop: input.dpop === true,
    ...(input.clientKey !== undefined ? { clientKey: { path: input.clientKey, alg } } : {}),
    ports,
  };
}

/** A Client ID Metadata Document URL: https, a path, no fragment, no userinfo, no dot segments. */
function checkClientMetadataUrl(raw: string): void {
  const url = URL.parse(raw);
  const bad = (why: string) =>
    usageError(`Invalid --client-metadata-url: ${why}`, {
      hint: "It must be an https:// URL of a JSON document, e.g. https://example.com/mcpc.json",
    });
  if (!url || url.protocol !== "https:") throw bad("not an https:// URL");
  if (url.username || url.password) throw bad("it must not contain a user name or password");
  if (raw.includes("#")) throw bad("it must not have a fragment");
  if (url.pathname === "/" || url.pathname === "") throw bad("it needs a path");
  const path = raw.replace(/^https:\/\/[^/]*/i, "").split(/[?#]/)[0];
  if (path.split("/").some((segment) => segment === "." || segment === "..")) {
    throw bad('it must not contain "." or ".." segments');
  }
}

function warnPlainHttp(ctx: AppContext, serverUrl: string): void {
  const url = new URL(serverUrl);
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol === "http:" && !loopback) {
    ctx.stderr(
      "Warning: OAuth over plain HTTP is insecure: tokens and codes can be read on the way. " +
        "Use https:// for servers that are not on this machine.\n",
    );
  }
}

/**
 * Asks the server without credentials what it wants: a 401's (or 403's)
 * `WWW-Authenticate` names the protected resource metadata and the scope to
 * request. `server/discover` first (a 2026-07-28 server, and a server that
 * lets `initialize` through but guards everything else), then `initialize`.
 */
async function probe(
  serverUrl: string,
  fetchFn: typeof fetch,
): Promise<{ challenged: boolean; resourceMetadataUrl?: URL; scope?: string }> {
  for (const request of PROBES) {
    let response: Response;
    try {
      response = await fetchFn(serverUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...request.headers,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, ...request.body }),
      });
    } catch (error) {
      throw networkError(`Cannot reach ${serverUrl}: ${errorText(error)}`, { cause: error });
    }
    await response.body?.cancel();
    if (response.status !== 401 && response.status !== 403) continue;
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return {
      challenged: true,
      ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
      ...(scope ? { scope } : {}),
    };
  }
  return { challenged: false };
}

/**
 * A server that asked for no credentials must at least publish OAuth
 * metadata to log in to; otherwise say so instead of failing at a
 * registration endpoint that does not exist.
 */
async function requireOAuth(serverUrl: string, fetchFn: typeof fetch): Promise<void> {
  const info = await runAuth(() => discoverOAuthServerInfo(serverUrl, { fetchFn }));
  if (info.authorizationServerMetadata || info.resourceMetadata) return;
  throw authError(
    `${serverUrl} does not use OAuth: it answered without asking for credentials and publishes ` +
      "no OAuth metadata",
    { hint: `Connect without logging in: mcpc connect ${serverUrl} @name` },
  );
}

const CLIENT_INFO = { name: "mcpc", version: VERSION };

/** The unauthenticated requests {@linkcode probe} sends, in order. */
const PROBES: { headers: Record<string, string>; body: Record<string, unknown> }[] = [
  {
    headers: { "mcp-protocol-version": "2026-07-28" },
    body: {
      method: "server/discover",
      params: {
        _meta: {
          [PROTOCOL_VERSION_META_KEY]: "2026-07-28",
          [CLIENT_INFO_META_KEY]: CLIENT_INFO,
          [CLIENT_CAPABILITIES_META_KEY]: {},
        },
      },
    },
  },
  {
    headers: {},
    body: {
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: CLIENT_INFO },
    },
  },
];

function listen(
  ports: readonly number[],
  options: Omit<Parameters<typeof startCallbackServer>[0], "port">,
): CallbackServer {
  for (const port of ports) {
    try {
      return startCallbackServer({ ...options, port });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw usageError(
    `Could not find an available port for the OAuth callback server (tried ports ${
      ports.join(", ")
    }). Another mcpc login may be in progress: wait for it to finish and try again, ` +
      "or choose one with --callback-port",
  );
}

/**
 * Prints the authorization URL and opens the browser. On a TTY the user may
 * also paste the callback URL (when the browser is elsewhere); the returned
 * promise resolves with what was pasted.
 */
async function sendToBrowser(
  ctx: AppContext,
  url: URL,
  state: string,
): Promise<{ pasted?: Promise<CallbackResult> }> {
  ctx.stderr(`Authorization URL: ${url.href}\n`);
  const opened = await openBrowser(url.href, { ...ctx.env });
  if (opened) {
    ctx.stderr("Opened the browser: finish the login there.\n");
  } else {
    ctx.stderr("Could not open a browser: open the URL above yourself.\n");
  }
  if (!ctx.stdinIsTerminal) {
    ctx.stderr(`Waiting for the callback (at most ${Math.round(ctx.timeoutMs / 1000)} s)...\n`);
    return {};
  }
  ctx.stderr(
    "If the browser runs on another machine, paste the URL it was sent to " +
      "(http://127.0.0.1:.../callback?...) here:\n> ",
  );
  const pasted = readPastedCallback(ctx, state);
  // Unused when the browser's callback comes first.
  pasted.catch(() => {});
  return { pasted };
}

/**
 * Reads lines from the terminal until one is this login's callback URL (or
 * its query): an empty line or one of another login only asks again, and the
 * end of input leaves the browser's callback and the timeout to decide.
 */
async function readPastedCallback(ctx: AppContext, state: string): Promise<CallbackResult> {
  for await (const line of terminalLines()) {
    const text = line.trim();
    if (text === "") {
      ctx.stderr("> ");
      continue;
    }
    try {
      return parseCallback(text, state);
    } catch (error) {
      if (error instanceof AuthorizationDeniedError) throw error;
      ctx.stderr(`${errorText(error)}; paste the URL again (or wait for the browser):\n> `);
    }
  }
  return await new Promise<never>(() => {});
}

/** Parses a pasted callback URL (or its query string); checks its `state`. */
export function parseCallback(text: string, state: string): CallbackResult {
  const query = text.includes("?") ? text.slice(text.indexOf("?") + 1) : text;
  const params = new URLSearchParams(query.split("#")[0]);
  if (params.get("state") !== state) {
    throw authError("The pasted URL does not belong to this login (its state does not match)");
  }
  const error = params.get("error");
  if (error) {
    throw new AuthorizationDeniedError(error, params.get("error_description") ?? undefined);
  }
  const code = params.get("code");
  if (!code) throw authError("No authorization code in the pasted URL");
  const iss = params.get("iss");
  return { code, ...(iss ? { iss } : {}) };
}

/** The lines typed on the terminal (stdin), as they come. */
async function* terminalLines(): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    let end: number;
    while ((end = pending.indexOf("\n")) !== -1) {
      yield pending.slice(0, end);
      pending = pending.slice(end + 1);
    }
  }
  if (pending !== "") yield pending;
}

async function waitForAnswer(
  ctx: AppContext,
  answers: Promise<CallbackResult>[],
): Promise<CallbackResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() =>
      reject(
        authError(
          `Login timed out: no callback within ${Math.round(ctx.timeoutMs / 1000)} s ` +
            "(set a longer wait with --timeout <seconds>)",
        ),
      ), ctx.timeoutMs);
  });
  try {
    return await Promise.race([...answers, timeout]);
  } catch (error) {
    if (error instanceof AuthorizationDeniedError) throw authError(error.message);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one `auth()` step; its failures become auth (exit 4) or network (exit 3) errors. */
async function runAuth<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof McpcError) throw error;
    if (error instanceof TypeError || isAbort(error)) {
      throw networkError(`OAuth request failed: ${errorText(error)}`, { cause: error });
    }
    throw authError(`Login failed: ${errorText(error)}`, { cause: error });
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException &&
    (error.name === "TimeoutError" || error.name === "AbortError");
}

function boundedFetch(outbound: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => {
    const signal = init?.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    return outbound(input, { ...init, signal });
  };
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
