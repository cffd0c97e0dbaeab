/**
 * `profiles.json`: saved OAuth profiles keyed by server host and profile name
 * (reference.md §7.3). Login and token handling come later; this module reads
 * and lists what is there.
 *
 * Layer: edge.
 * @module
 */

import { LockedJsonFile } from "../platform/locked_json_file.ts";

/** One saved OAuth profile. */
export interface AuthProfile {
  name: string;
  serverUrl: string;
  authType: "oauth";
  oauthIssuer?: string;
  scopes?: string[];
  userEmail?: string;
  userName?: string;
  userSubject?: string;
  createdAt: string;
  authenticatedAt?: string;
  refreshedAt?: string;
}

/** The whole `profiles.json` document. */
export interface ProfilesFile {
  profiles: Record<string, Record<string, AuthProfile>>;
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

  /** Every profile, host by host. */
  async list(): Promise<AuthProfile[]> {
    const { profiles } = await this.#file.read();
    return Object.values(profiles).flatMap((byName) => Object.values(byName));
  }

  /** The profile `name` for server host `host` (`host` or `host:port`), if saved. */
  async find(host: string, name: string): Promise<AuthProfile | undefined> {
    const { profiles } = await this.#file.read();
    return profiles[host]?.[name];
  }
}

/** Validates the shape of `profiles.json`; throws `TypeError` when it is wrong. */
export function parseProfilesFile(raw: unknown): ProfilesFile {
  if (!isObject(raw) || !isObject(raw.profiles)) {
    throw new TypeError('profiles.json must have a "profiles" object');
  }
  for (const byName of Object.values(raw.profiles)) {
    if (!isObject(byName)) throw new TypeError("profiles.json: each host must map to an object");
  }
  return raw as unknown as ProfilesFile;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
