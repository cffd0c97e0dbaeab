/**
 * `profiles.json`: saved OAuth profiles (reference.md §7.3), keyed by the MCP
 * endpoint they were made for: its origin and path ({@linkcode profileKey}).
 * The original keys by host, so two MCP endpoints on one host shared tokens;
 * here they do not. The tokens themselves are secrets and live in the secret
 * store (src/auth/profile_secrets.ts); this file holds what may be shown.
 *
 * Layer: edge.
 * @module
 */

import { LockedJsonFile } from "../platform/locked_json_file.ts";

/** One saved OAuth profile. */
export interface AuthProfile {
  name: string;
  /** The normalised MCP server URL the profile was made for. */
  serverUrl: string;
  authType: "oauth";
  /** The authorization server's issuer the tokens came from. */
  oauthIssuer?: string;
  scopes?: string[];
  userEmail?: string;
  userName?: string;
  userSubject?: string;
  createdAt: string;
  /** Last interactive login. */
  authenticatedAt?: string;
  /** Last token refresh. */
  refreshedAt?: string;
  /** Scopes a server asked for (`403 insufficient_scope`) since the last login. */
  requiredScopes?: string[];
  /** `client_credentials` for a machine login (`mcpc login --client-credentials`). */
  grantType?: "client_credentials";
}

/** The whole `profiles.json` document. */
export interface ProfilesFile {
  profiles: Record<string, Record<string, AuthProfile>>;
}

/** The profile name used when none is given (and picked automatically on connect). */
export const DEFAULT_PROFILE = "default";

const PROFILE_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** `mcpc login <serverUrl>`, with `--profile <profile>` unless it is the default profile. */
export function loginCommand(serverUrl: string, profile: string): string {
  return `mcpc login ${serverUrl}${profile === DEFAULT_PROFILE ? "" : ` --profile ${profile}`}`;
}

/** Whether `name` can name a profile (letters, digits, `_`, `-`; at most 64). */
export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

/**
 * The key profiles of `serverUrl` are filed under: scheme, host, port (only
 * when not the default) and path, without a trailing `/`, query or fragment.
 * `https://MCP.example.com:443/mcp/` and `https://mcp.example.com/mcp` share
 * a key; `https://example.com/a` and `https://example.com/b` do not.
 */
export function profileKey(serverUrl: string): string {
  const url = new URL(serverUrl);
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path}`;
}

/** The profiles in `profiles.json`. */
export class ProfileStore {
  #file: LockedJsonFile<ProfilesFile>;

  constructor(path: string, options: { warn?: (message: string) => void } = {}) {
    this.#file = new LockedJsonFile<ProfilesFile>(path, {
      defaultValue: () => ({ profiles: {} }),
      parse: parseProfilesFile,
      warn: options.warn,
    });
  }

  /** Every profile, server by server. */
  async list(): Promise<AuthProfile[]> {
    const { profiles } = await this.#file.read();
    return Object.values(profiles).flatMap((byName) => Object.values(byName));
  }

  /** The profile `name` saved for the MCP server at `serverUrl`, if any. */
  async find(serverUrl: string, name: string): Promise<AuthProfile | undefined> {
    const { profiles } = await this.#file.read();
    return profiles[profileKey(serverUrl)]?.[name];
  }

  /**
   * Records an interactive login: creates the profile or updates it, keeping
   * its `createdAt`; `authenticatedAt` becomes `now`.
   */
  async saveLogin(
    profile: Omit<AuthProfile, "createdAt" | "authenticatedAt" | "authType">,
    now: Date,
  ): Promise<AuthProfile> {
    return await this.#file.update((data) => {
      const key = profileKey(profile.serverUrl);
      const byName = data.profiles[key] ??= {};
      const previous = byName[profile.name];
      const saved: AuthProfile = {
        ...withoutUndefined(profile),
        authType: "oauth",
        createdAt: previous?.createdAt ?? now.toISOString(),
        authenticatedAt: now.toISOString(),
        ...(previous?.refreshedAt ? { refreshedAt: previous.refreshedAt } : {}),
      };
      byName[profile.name] = saved;
      return saved;
    });
  }

  /** Notes a token refresh (`refreshedAt`, and the scopes granted); no-op for an unknown profile. */
  async noteRefresh(
    serverUrl: string,
    name: string,
    now: Date,
    scopes?: string[],
  ): Promise<void> {
    await this.#file.update((data) => {
      const profile = data.profiles[profileKey(serverUrl)]?.[name];
      if (!profile) return;
      profile.refreshedAt = now.toISOString();
      if (scopes) profile.scopes = scopes;
    });
  }

  /**
   * Remembers that a server wanted `scopes` the profile's token lacks, so the
   * next login asks for them too; no-op for an unknown profile.
   */
  async noteRequiredScopes(serverUrl: string, name: string, scopes: string[]): Promise<void> {
    await this.#file.update((data) => {
      const profile = data.profiles[profileKey(serverUrl)]?.[name];
      if (!profile) return;
      profile.requiredScopes = [...new Set([...(profile.requiredScopes ?? []), ...scopes])];
    });
  }

  /** Deletes a profile; returns it, or `undefined` when there was none. */
  async delete(serverUrl: string, name: string): Promise<AuthProfile | undefined> {
    return await this.#file.update((data) => {
      const key = profileKey(serverUrl);
      const byName = data.profiles[key];
      const profile = byName?.[name];
      if (!byName || !profile) return undefined;
      delete byName[name];
      if (Object.keys(byName).length === 0) delete data.profiles[key];
      return profile;
    });
  }
}

/** Validates the shape of `profiles.json`; throws `TypeError` when it is wrong. */
export function parseProfilesFile(raw: unknown): ProfilesFile {
  if (!isObject(raw) || !isObject(raw.profiles)) {
    throw new TypeError('profiles.json must have a "profiles" object');
  }
  for (const byName of Object.values(raw.profiles)) {
    if (!isObject(byName)) throw new TypeError("profiles.json: each server must map to an object");
    for (const profile of Object.values(byName)) {
      if (!isObject(profile) || typeof profile.name !== "string") {
        throw new TypeError("profiles.json: each profile must be an object with a name");
      }
    }
  }
  return raw as unknown as ProfilesFile;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
