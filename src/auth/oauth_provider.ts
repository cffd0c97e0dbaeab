/**
 * mcpc's side of the SDK's OAuth client (`OAuthClientProvider`): the SDK's
 * `auth()` does discovery (protected resource and authorization server
 * metadata, issuer checks), registration (CIMD, DCR), PKCE, the resource
 * indicator, scope selection and the token requests; this provider keeps
 * what those steps produce. The client and the tokens go to the profile's
 * secrets; the PKCE verifier, the `state` and the discovery state stay in
 * memory (a login is one process from start to callback).
 *
 * A provider without {@linkcode OAuthProviderOptions.onRedirect} cannot send
 * anyone to a browser (a bridge): when `auth()` would need a new login it
 * records that, and the caller reports the session as unauthorized.
 *
 * Layer: edge (the secret store through {@linkcode ProfileSecrets}).
 * @module
 */

import { createPrivateKeyJwtAuth, DpopSession } from "@modelcontextprotocol/client";
import type {
  AddClientAuthentication,
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import { DPOP_ALG, loadDpopKey, newDpopKey } from "./dpop_key.ts";
import type { ClientKey, ProfileSecretStore, SavedTokens } from "./profile_secrets.ts";

/** What a {@linkcode McpcOAuthProvider} needs. */
export interface OAuthProviderOptions {
  /** Where the profile's client and tokens are kept. */
  secrets: ProfileSecretStore;
  /** The loopback callback URL (`http://127.0.0.1:<port>/callback`). */
  redirectUrl: string;
  /** A Client ID Metadata Document URL (`--client-metadata-url`), used when the server supports it. */
  clientMetadataUrl?: string;
  /** Whether the client authenticates with a secret (a pre-registered confidential client). */
  confidential?: boolean;
  /** The current time (ms). */
  now: () => number;
  /** Login: send the user to the authorization URL. Unset: no one can log in here. */
  onRedirect?: (authorizationUrl: URL) => void | Promise<void>;
  /** The `state` sent with the authorization request (login). */
  state?: string;
  /** Login: start from no tokens, whatever is stored. */
  ignoreStoredTokens?: boolean;
  /** Called with tokens once they are stored. */
  onTokens?: (tokens: SavedTokens) => void;
  /**
   * `client_credentials`: a machine login with the client's own credentials
   * (the OAuth client credentials extension): no browser, no refresh token;
   * a new token is simply requested again. Default: the authorization code flow.
   */
  grant?: OAuthGrant;
  /**
   * DPoP (RFC 9449): `prefer` (`login --dpop`) and `required-only` (a plain
   * login) make a new key, and store it, when the authorization server signs
   * DPoP with ES256 and, for `required-only`, the protected resource requires
   * DPoP-bound tokens (RFC 9728 `dpop_bound_access_tokens_required`): many
   * authorization servers offer DPoP for resource servers that accept only
   * Bearer tokens. `stored` uses the profile's stored key, if any (a bridge).
   * Unset: no DPoP.
   */
  dpop?: "prefer" | "required-only" | "stored";
  /** The client authenticates with a signed assertion (`private_key_jwt`) instead of a secret. */
  clientKey?: ClientKey;
}

/** How a profile gets its tokens. */
export type OAuthGrant = "authorization_code" | "client_credentials";

/** An `OAuthClientProvider` for one profile. */
export class McpcOAuthProvider implements OAuthClientProvider {
  readonly #options: OAuthProviderOptions;
  #tokens?: SavedTokens;
  #tokensRead = false;
  #codeVerifier?: string;
  #discovery?: OAuthDiscoveryState;
  #loginNeeded = false;
  #dpop?: Promise<DpopSession | undefined>;

  constructor(options: OAuthProviderOptions) {
    this.#options = options;
    if (options.ignoreStoredTokens) this.#tokensRead = true;
    this.clientMetadataUrl = options.clientMetadataUrl;
    const key = options.clientKey;
    if (key) {
      // The SDK signs a fresh assertion for each token request with the client's key.
      this.addClientAuthentication = async (headers, params, url, metadata) => {
        const client = await this.clientInformation();
        if (!client) throw new Error("No OAuth client for the signed client assertion");
        const sign = createPrivateKeyJwtAuth({
          issuer: client.client_id,
          subject: client.client_id,
          privateKey: key.pem,
          alg: key.alg,
        });
        await sign(headers, params, url, metadata);
      };
    }
  }

  /** Set for a client with a private key (`private_key_jwt`). */
  addClientAuthentication?: AddClientAuthentication;

  /** The CIMD URL, when one was given. */
  clientMetadataUrl?: string;

  /** Whether `auth()` wanted a new login that this provider cannot do (since {@linkcode clearLoginNeeded}). */
  get loginNeeded(): boolean {
    return this.#loginNeeded;
  }

  /** Starts a new `auth()` run: forgets that an earlier one wanted a login. */
  clearLoginNeeded(): void {
    this.#loginNeeded = false;
  }

  get redirectUrl(): string | undefined {
    return this.#machine ? undefined : this.#options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    if (this.#machine) {
      return {
        client_name: "mcpc",
        redirect_uris: [],
        grant_types: ["client_credentials"],
        token_endpoint_auth_method: this.#options.clientKey
          ? "private_key_jwt"
          : "client_secret_basic",
      };
    }
    return {
      client_name: "mcpc",
      redirect_uris: [this.#options.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: this.#options.confidential ? "client_secret_post" : "none",
    };
  }

  /** The token request of a client credentials grant; the SDK builds the authorization code one. */
  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (!this.#machine) return undefined;
    return new URLSearchParams({ grant_type: "client_credentials", ...(scope ? { scope } : {}) });
  }

  get #machine(): boolean {
    return this.#options.grant === "client_credentials";
  }

  state(): string {
    return this.#options.state ?? crypto.randomUUID();
  }

  async clientInformation(
    ctx?: OAuthClientInformationContext,
  ): Promise<StoredOAuthClientInformation | undefined> {
    const client = await this.#options.secrets.client();
    if (!client || client.issuer !== undefined || !ctx?.issuer) return client;
    // A client given with --client-id has no issuer yet: bind it to the authorization server
    // this login found (SEP-2352), as the SDK would on first use, and keep the binding.
    const bound = { ...client, issuer: ctx.issuer };
    await this.#options.secrets.saveClient(bound);
    return bound;
  }

  async saveClientInformation(client: StoredOAuthClientInformation): Promise<void> {
    await this.#options.secrets.saveClient(client);
  }

  async tokens(): Promise<StoredOAuthTokens | undefined> {
    if (!this.#tokensRead) {
      this.#tokens = await this.#options.secrets.tokens();
      this.#tokensRead = true;
    }
    return this.#tokens;
  }

  /** The tokens last read or saved, without reading the store. */
  get currentTokens(): SavedTokens | undefined {
    return this.#tokens;
  }

  /** Uses `tokens` (found in the store, saved by another process) from now on. */
  adopt(tokens: SavedTokens): void {
    this.#tokens = tokens;
    this.#tokensRead = true;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    // A refresh response may leave out the refresh token: the one we had stays valid.
    const refresh = tokens.refresh_token ?? this.#tokens?.refresh_token;
    const complete = refresh ? { ...tokens, refresh_token: refresh } : tokens;
    this.#tokens = await this.#options.secrets.saveTokens(complete, this.#options.now());
    this.#tokensRead = true;
    this.#options.onTokens?.(this.#tokens);
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (!this.#options.onRedirect) {
      this.#loginNeeded = true;
      return;
    }
    await this.#options.onRedirect(authorizationUrl);
  }

  /** The profile's DPoP session (one per provider, as the SDK requires), if it uses DPoP. */
  dpop(): Promise<DpopSession | undefined> {
    this.#dpop ??= this.#openDpop();
    return this.#dpop;
  }

  async #openDpop(): Promise<DpopSession | undefined> {
    const secrets = this.#options.secrets;
    if (this.#options.dpop === "stored") {
      const stored = await secrets.dpopKey();
      return stored ? await DpopSession.create({ keyPair: await loadDpopKey(stored) }) : undefined;
    }
    if (this.#options.dpop === undefined) return undefined;
    // RFC 9449 §5.1 and RFC 9728 §2 metadata; the SDK's types do not name them.
    const metadata = this.#discovery?.authorizationServerMetadata as
      | { dpop_signing_alg_values_supported?: unknown }
      | undefined;
    const resource = this.#discovery?.resourceMetadata as
      | { dpop_bound_access_tokens_required?: unknown }
      | undefined;
    const algs = metadata?.dpop_signing_alg_values_supported;
    const wanted = this.#options.dpop === "prefer" ||
      resource?.dpop_bound_access_tokens_required === true;
    if (!wanted || !Array.isArray(algs) || !algs.includes(DPOP_ALG)) {
      await secrets.deleteDpopKey();
      return undefined;
    }
    const { keyPair, stored } = await newDpopKey();
    await secrets.saveDpopKey(stored);
    return await DpopSession.create({ keyPair });
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.#codeVerifier === undefined) throw new Error("No PKCE code verifier was saved");
    return this.#codeVerifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  async invalidateCredentials(
    scope: "all" | "client" | "tokens" | "verifier" | "discovery",
  ): Promise<void> {
    // Without a login here (a bridge), forgetting is for this process only: the profile's
    // secrets stay for `mcpc login` and `mcpc logout` to replace or delete.
    const stored = Boolean(this.#options.onRedirect);
    if (scope === "all" || scope === "tokens") {
      this.#tokens = undefined;
      this.#tokensRead = true;
      if (stored) await this.#options.secrets.deleteTokens();
    }
    if ((scope === "all" || scope === "client") && stored) {
      await this.#options.secrets.deleteClient();
    }
    if (scope === "all" || scope === "verifier") this.#codeVerifier = undefined;
    if (scope === "all" || scope === "discovery") this.#discovery = undefined;
  }
}
