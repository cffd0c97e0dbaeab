/**
 * A bridge's OAuth access token for a profile: read from the secret store at
 * start, sent by the bridge only (as `Authorization` on each MCP request),
 * refreshed shortly before it expires and once after a 401. A refresh runs
 * under a lock shared by every mcpc process and first re-reads the store: a
 * token another session already refreshed is adopted, and a rotated refresh
 * token is never used twice. Refreshed tokens are saved back and the
 * profile's `refreshedAt` updated.
 *
 * Layer: edge (secret store, profiles.json, the authorization server).
 * @module
 */

import {
  auth,
  extractWWWAuthenticateParams,
  type StoredOAuthTokens,
  withDpop,
} from "@modelcontextprotocol/client";
import { LockedJsonFile } from "../platform/locked_json_file.ts";
import { McpcOAuthProvider, type OAuthGrant } from "./oauth_provider.ts";
import { type ClientKey, expiresAt, ProfileSecrets, type SavedTokens } from "./profile_secrets.ts";
import { loginCommand, type ProfileStore } from "./profile_store.ts";
import { RefreshUnavailableError } from "./refresh_unavailable.ts";
import { ScopeRequiredError } from "./scope_required.ts";
import type { SecretStore } from "./secret_store.ts";

/** What {@linkcode ProfileTokens} needs. */
export interface ProfileTokensOptions {
  serverUrl: string;
  profile: string;
  secrets: SecretStore;
  profiles: ProfileStore;
  /** The lock file refreshes take (`<home>/oauth-refresh.json`). */
  lockPath: string;
  now: () => number;
  /** For the token requests (discovery, refresh). */
  fetch: typeof fetch;
  /** Log lines (never with a token). */
  log?: (message: string) => void;
  /** How the profile gets tokens (a machine login requests a new one instead of refreshing). */
  grant?: OAuthGrant;
  /** A machine login's private key (`private_key_jwt`). */
  clientKey?: ClientKey;
}

/** The profile's token could not be refreshed: a new `mcpc login` is needed. */
export class RefreshFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RefreshFailedError";
  }
}

/** How long a refresher waits for another process's refresh (ms). */
const REFRESH_LOCK_WAIT_MS = 60_000;

/** The lock file every process takes to change a profile's tokens (`<home>/oauth-refresh.json`). */
export function refreshLockPath(home: string): string {
  return `${home}/oauth-refresh.json`;
}

/**
 * The lock a refresh holds; `mcpc login` and `mcpc logout` take it too, so a
 * refresh running meanwhile can neither overwrite a new login's tokens nor
 * bring back tokens a logout deleted.
 */
export function openRefreshLock(path: string): LockedJsonFile<Record<string, number>> {
  return new LockedJsonFile(path, {
    defaultValue: () => ({}),
    parse: (raw) => {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new TypeError("oauth-refresh.json must hold an object");
      }
      return raw as Record<string, number>;
    },
    lockTimeoutMs: REFRESH_LOCK_WAIT_MS,
    onCorrupt: "throw",
  });
}

/** The access token of one profile, kept fresh. */
export class ProfileTokens {
  readonly #options: ProfileTokensOptions;
  readonly #secrets: ProfileSecrets;
  readonly #provider: McpcOAuthProvider;
  readonly #lock: LockedJsonFile<Record<string, number>>;
  #refreshing?: Promise<"adopted" | "refreshed">;
  /** The DPoP-bound access token the next DPoP request presents. */
  #dpopToken?: string;
  #failure?: RefreshFailedError;

  constructor(options: ProfileTokensOptions) {
    this.#options = options;
    this.#secrets = new ProfileSecrets(options.secrets, options.serverUrl, options.profile);
    this.#provider = new McpcOAuthProvider({
      secrets: this.#secrets,
      // Refreshing sends no redirect URI; registration and new logins happen in `mcpc login`.
      redirectUrl: "http://127.0.0.1/callback",
      now: options.now,
      grant: options.grant,
      clientKey: options.clientKey,
      dpop: "stored",
    });
    this.#lock = openRefreshLock(options.lockPath);
  }

  /** Why the last refresh failed, if it did (cleared by a later success). */
  get failure(): RefreshFailedError | undefined {
    return this.#failure;
  }

  /**
   * The `Authorization` value to send: the stored token, refreshed first when
   * it is about to expire; `undefined` when the profile has no token.
   */
  async authorization(): Promise<string | undefined> {
    let tokens = this.#provider.currentTokens ?? await this.#provider.tokens();
    if (!tokens) return undefined;
    const renewable = tokens.refresh_token || this.#options.grant === "client_credentials";
    if (expiresAt(tokens as SavedTokens) <= this.#options.now() && renewable) {
      await this.#refresh(tokens.access_token).catch(() => {});
      tokens = this.#provider.currentTokens ?? tokens;
    }
    return authorizationOf(tokens);
  }

  /**
   * After the server rejected `sent` (a 401): a token refreshed by another
   * process (`adopted`), else a refresh (`refreshed`); `undefined` when there
   * is no new token to try.
   */
  async afterRejection(
    sent: string | undefined,
    response?: Response,
  ): Promise<"adopted" | "refreshed" | undefined> {
    const current = this.#provider.currentTokens;
    if (current && sent !== authorizationOf(current)) return "adopted";
    const before = current?.access_token;
    let outcome: "adopted" | "refreshed";
    try {
      outcome = await this.#refresh(before, response);
    } catch (error) {
      // The authorization server is down: fail this request as a network error, not as a 401.
      if (error instanceof RefreshUnavailableError) throw error;
      return undefined;
    }
    return this.#provider.currentTokens?.access_token !== before ? outcome : undefined;
  }

  /**
   * Wraps `fetch` so every request carries the token; a 401 is retried once
   * after a refresh. A `403 insufficient_scope` is retried once with a token
   * a new login stored meanwhile; otherwise it fails that request only
   * ({@linkcode ScopeRequiredError}) and the profile remembers the scope.
   */
  wrap(inner: typeof fetch): typeof fetch {
    // A DPoP-bound token goes with a fresh proof for each request (the SDK's middleware,
    // which also retries a `use_dpop_nonce` challenge with the server's nonce).
    const dpop = withDpop(() => this.#provider.dpop(), () => this.#dpopToken)(inner);
    const send = (input: string | URL | Request, init: RequestInit | undefined, auth?: string) => {
      if (auth?.startsWith(DPOP_SCHEME)) {
        this.#dpopToken = auth.slice(DPOP_SCHEME.length);
        // The SDK's transports call fetch with a URL and an init, never a Request.
        return dpop(input instanceof Request ? input.url : input, init);
      }
      return inner(input, withAuthorization(init, auth));
    };
    return async (input, init) => {
      const sent = await this.authorization();
      let response = await send(input, init, sent);
      if (sent === undefined) return response;
      if (response.status === 401) {
        // A token another process stored may have expired meanwhile as well (the server
        // decides, whatever its expires_in said): then refresh it ourselves, once.
        let tried: string | undefined = sent;
        for (let round = 0; round < 2 && response.status === 401; round++) {
          const outcome = await this.afterRejection(tried, response);
          if (!outcome) return response;
          await response.body?.cancel();
          tried = await this.authorization();
          response = await send(input, init, tried);
          if (outcome === "refreshed") break;
        }
      } else if (insufficientScope(response) && await this.#adoptStored(sent)) {
        await response.body?.cancel();
        response = await send(input, init, await this.authorization());
      }
      if (!insufficientScope(response)) return response;
      await response.body?.cancel();
      const { serverUrl, profile, profiles } = this.#options;
      const scope = extractWWWAuthenticateParams(response).scope ?? "";
      const scopes = scope.split(" ").filter(Boolean);
      if (scopes.length) await profiles.noteRequiredScopes(serverUrl, profile, scopes);
      throw new ScopeRequiredError(scope || "(not named by the server)", serverUrl, profile);
    };
  }

  /** Adopts the stored token when it is not the one just sent (a login replaced it). */
  async #adoptStored(sent: string): Promise<boolean> {
    const stored = await this.#secrets.tokens();
    if (!stored || authorizationOf(stored) === sent) return false;
    this.#options.log?.(`Using the new token of profile ${this.#options.profile}`);
    this.#provider.adopt(stored);
    return true;
  }

  /** One refresh at a time in this process; across processes, under the lock. */
  #refresh(stale: string | undefined, response?: Response): Promise<"adopted" | "refreshed"> {
    this.#refreshing ??= this.#refreshLocked(stale, response).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshLocked(
    stale: string | undefined,
    response?: Response,
  ): Promise<"adopted" | "refreshed"> {
    const { serverUrl, profile, now, log } = this.#options;
    const account = `${serverUrl} ${profile}`;
    return await this.#lock.update(async (refreshes) => {
      const stored = await this.#secrets.tokens();
      if (stored && stored.access_token !== stale && expiresAt(stored) > now()) {
        log?.(`Using the token of profile ${profile} that another process refreshed`);
        this.#provider.adopt(stored);
        this.#failure = undefined;
        return "adopted";
      }
      if (!stored) throw this.#fail("its tokens are gone from the secret store (mcpc logout?)");
      this.#provider.adopt(stored);
      if (!stored.refresh_token && this.#options.grant !== "client_credentials") {
        throw this.#fail("the profile has no refresh token");
      }
      const resourceMetadataUrl = response
        ? extractWWWAuthenticateParams(response).resourceMetadataUrl
        : undefined;
      // A refresh the SDK gives up on because the server was unreachable (or answered 5xx)
      // says nothing about the refresh token: remember why, to tell the two apart.
      let unreachable: string | undefined;
      const fetchFn: typeof fetch = async (input, init) => {
        try {
          const answer = await this.#options.fetch(input, init);
          if (answer.status >= 500) unreachable = `HTTP ${answer.status} from ${String(input)}`;
          return answer;
        } catch (error) {
          unreachable = error instanceof Error ? error.message : String(error);
          throw error;
        }
      };
      let result: string;
      this.#provider.clearLoginNeeded();
      try {
        result = await auth(this.#provider, {
          serverUrl,
          ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
          fetchFn,
        });
      } catch (error) {
        if (unreachable) throw this.#unavailable(unreachable, error);
        throw this.#fail(error instanceof Error ? error.message : String(error), error);
      }
      if (result !== "AUTHORIZED" || this.#provider.loginNeeded) {
        if (unreachable) throw this.#unavailable(unreachable);
        throw this.#fail("the authorization server rejected the refresh token");
      }
      const fresh = this.#provider.currentTokens;
      refreshes[account] = now();
      log?.(`Refreshed the access token of profile ${profile}`);
      this.#failure = undefined;
      const scopes = fresh?.scope ? fresh.scope.split(" ").filter(Boolean) : undefined;
      await this.#options.profiles.noteRefresh(serverUrl, profile, new Date(now()), scopes);
      return "refreshed" as const;
    });
  }

  #unavailable(why: string, cause?: unknown): RefreshUnavailableError {
    const error = new RefreshUnavailableError(this.#options.profile, why, { cause });
    this.#options.log?.(error.message);
    return error;
  }

  #fail(why: string, cause?: unknown): RefreshFailedError {
    const { serverUrl, profile } = this.#options;
    const login = loginCommand(serverUrl, profile);
    this.#failure = new RefreshFailedError(
      `Cannot refresh the OAuth token of profile ${profile}: ${why}. Log in again: ${login}`,
      { cause },
    );
    this.#options.log?.(this.#failure.message);
    return this.#failure;
  }
}

const DPOP_SCHEME = "DPoP ";

/** The `Authorization` value for `tokens`: the DPoP scheme for a DPoP-bound token, else Bearer. */
function authorizationOf(tokens: StoredOAuthTokens): string {
  const scheme = tokens.token_type?.toLowerCase() === "dpop" ? DPOP_SCHEME : "Bearer ";
  return `${scheme}${tokens.access_token}`;
}

function insufficientScope(response: Response): boolean {
  return response.status === 403 &&
    extractWWWAuthenticateParams(response).error === "insufficient_scope";
}

function withAuthorization(init: RequestInit | undefined, authorization: string | undefined) {
  const headers = new Headers(init?.headers);
  if (authorization) headers.set("authorization", authorization);
  return { ...init, headers };
}
