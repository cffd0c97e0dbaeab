/**
 * The secrets of an OAuth profile: its tokens and its OAuth client (from
 * registration or `--client-id`), each one JSON value in the secret store
 * under an account named after the profile's key and name.
 *
 * Layer: edge (reads and writes through a {@linkcode SecretStore}).
 * @module
 */

import type { StoredOAuthClientInformation, StoredOAuthTokens } from "@modelcontextprotocol/client";
import { profileKey } from "./profile_store.ts";
import type { SecretStore } from "./secret_store.ts";

/** Tokens as kept: the token response plus when it was received (ms since the epoch). */
export type SavedTokens = StoredOAuthTokens & { obtained_at: number };

/** Account holding a profile's tokens. */
export function profileTokensAccount(serverUrl: string, profile: string): string {
  return `auth-profile:${profileKey(serverUrl)}:${profile}:tokens`;
}

/** Account holding a profile's DPoP key. */
export function profileDpopAccount(serverUrl: string, profile: string): string {
  return `auth-profile:${profileKey(serverUrl)}:${profile}:dpop`;
}

/** Account holding the private key a machine login signs its client assertions with. */
export function profileClientKeyAccount(serverUrl: string, profile: string): string {
  return `auth-profile:${profileKey(serverUrl)}:${profile}:client-key`;
}

/** A client's private key for `private_key_jwt` (RFC 7523): PKCS#8 PEM and JWS algorithm. */
export interface ClientKey {
  pem: string;
  alg: string;
}

/** Account holding a profile's OAuth client. */
export function profileClientAccount(serverUrl: string, profile: string): string {
  return `auth-profile:${profileKey(serverUrl)}:${profile}:client`;
}

/**
 * When an access token should count as expired (ms): 60 s before its
 * lifetime ends, or halfway through a lifetime shorter than two minutes (so
 * a short-lived token is used before it is renewed); a token without
 * `expires_in` counts as valid for an hour.
 */
export function expiresAt(tokens: SavedTokens): number {
  const lifetimeMs = (typeof tokens.expires_in === "number" ? tokens.expires_in : 3600) * 1000;
  return tokens.obtained_at + lifetimeMs - Math.min(60_000, lifetimeMs / 2);
}

/** What an OAuth provider reads and writes of a profile's secrets. */
export interface ProfileSecretStore {
  tokens(): Promise<SavedTokens | undefined>;
  saveTokens(tokens: StoredOAuthTokens, now: number): Promise<SavedTokens>;
  client(): Promise<StoredOAuthClientInformation | undefined>;
  saveClient(client: StoredOAuthClientInformation): Promise<void>;
  deleteTokens(): Promise<void>;
  deleteClient(): Promise<void>;
  dpopKey(): Promise<string | undefined>;
  saveDpopKey(key: string): Promise<void>;
  deleteDpopKey(): Promise<void>;
}

/**
 * A login's secrets, kept in memory until the login succeeded: a login that
 * fails, is denied or is abandoned changes nothing of the profile it was
 * renewing (its client, tokens and DPoP key stay as they were).
 */
export class StagedSecrets implements ProfileSecretStore {
  #tokens?: SavedTokens;
  #client?: StoredOAuthClientInformation;
  #dpopKey?: string;

  constructor(client?: StoredOAuthClientInformation) {
    this.#client = client;
  }

  tokens(): Promise<SavedTokens | undefined> {
    return Promise.resolve(this.#tokens);
  }

  saveTokens(tokens: StoredOAuthTokens, now: number): Promise<SavedTokens> {
    this.#tokens = { ...tokens, obtained_at: now };
    return Promise.resolve(this.#tokens);
  }

  client(): Promise<StoredOAuthClientInformation | undefined> {
    return Promise.resolve(this.#client);
  }

  saveClient(client: StoredOAuthClientInformation): Promise<void> {
    this.#client = client;
    return Promise.resolve();
  }

  deleteTokens(): Promise<void> {
    this.#tokens = undefined;
    return Promise.resolve();
  }

  deleteClient(): Promise<void> {
    this.#client = undefined;
    return Promise.resolve();
  }

  dpopKey(): Promise<string | undefined> {
    return Promise.resolve(this.#dpopKey);
  }

  saveDpopKey(key: string): Promise<void> {
    this.#dpopKey = key;
    return Promise.resolve();
  }

  deleteDpopKey(): Promise<void> {
    this.#dpopKey = undefined;
    return Promise.resolve();
  }

  /** Writes what the login got into the profile's secrets (replacing the old ones). */
  async commit(target: ProfileSecrets, clientKey?: ClientKey): Promise<void> {
    if (!this.#tokens) throw new Error("The login got no tokens to save");
    if (this.#client) await target.saveClient(this.#client);
    else await target.deleteClient();
    if (this.#dpopKey) await target.saveDpopKey(this.#dpopKey);
    else await target.deleteDpopKey();
    if (clientKey) await target.saveClientKey(clientKey);
    else await target.deleteClientKey();
    await target.saveTokens(this.#tokens, this.#tokens.obtained_at);
  }
}

/** One profile's secrets. */
export class ProfileSecrets implements ProfileSecretStore {
  readonly #store: SecretStore;
  readonly #tokens: string;
  readonly #client: string;
  readonly #dpop: string;
  readonly #clientKey: string;

  constructor(store: SecretStore, serverUrl: string, profile: string) {
    this.#store = store;
    this.#tokens = profileTokensAccount(serverUrl, profile);
    this.#client = profileClientAccount(serverUrl, profile);
    this.#dpop = profileDpopAccount(serverUrl, profile);
    this.#clientKey = profileClientKeyAccount(serverUrl, profile);
  }

  /** The client's private key (a `--client-key` machine login), if any. */
  async clientKey(): Promise<ClientKey | undefined> {
    const value = parseObject(await this.#store.get(this.#clientKey));
    if (typeof value?.pem !== "string" || typeof value.alg !== "string") return undefined;
    return { pem: value.pem, alg: value.alg };
  }

  /** Stores the client's private key. */
  async saveClientKey(key: ClientKey): Promise<void> {
    await this.#store.set(this.#clientKey, JSON.stringify(key));
  }

  /** Forgets the client's private key. */
  async deleteClientKey(): Promise<void> {
    await this.#store.delete(this.#clientKey);
  }

  /** The stored DPoP key (see src/auth/dpop_key.ts), if the profile has one. */
  async dpopKey(): Promise<string | undefined> {
    return await this.#store.get(this.#dpop);
  }

  /** Stores the DPoP key. */
  async saveDpopKey(key: string): Promise<void> {
    await this.#store.set(this.#dpop, key);
  }

  /** Forgets the DPoP key. */
  async deleteDpopKey(): Promise<void> {
    await this.#store.delete(this.#dpop);
  }

  /** The stored tokens, if any (a value that does not parse counts as none). */
  async tokens(): Promise<SavedTokens | undefined> {
    const value = parseObject(await this.#store.get(this.#tokens));
    if (typeof value?.access_token !== "string") return undefined;
    if (typeof value.obtained_at !== "number") value.obtained_at = 0;
    return value as SavedTokens;
  }

  /** Stores tokens received `now`. */
  async saveTokens(tokens: StoredOAuthTokens, now: number): Promise<SavedTokens> {
    const saved: SavedTokens = { ...tokens, obtained_at: now };
    await this.#store.set(this.#tokens, JSON.stringify(saved));
    return saved;
  }

  /** The stored OAuth client, if any. */
  async client(): Promise<StoredOAuthClientInformation | undefined> {
    const value = parseObject(await this.#store.get(this.#client));
    if (typeof value?.client_id !== "string") return undefined;
    return value as StoredOAuthClientInformation;
  }

  /** Stores the OAuth client. */
  async saveClient(client: StoredOAuthClientInformation): Promise<void> {
    await this.#store.set(this.#client, JSON.stringify(client));
  }

  /** Forgets the tokens. */
  async deleteTokens(): Promise<void> {
    await this.#store.delete(this.#tokens);
  }

  /** Forgets the OAuth client. */
  async deleteClient(): Promise<void> {
    await this.#store.delete(this.#client);
  }
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
