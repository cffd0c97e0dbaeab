/**
 * Where session secrets (HTTP headers, stdio env values) live between bridge
 * restarts. This issue ships the 0600 file backend (`credentials.json`, the
 * original's keychain fallback); OS keychains plug in behind the same interface.
 *
 * Layer: edge.
 * @module
 */

import { LockedJsonFile } from "../platform/locked_json_file.ts";

/** A key-value store for secrets. */
export interface SecretStore {
  /** The value stored under `account`, if any. */
  get(account: string): Promise<string | undefined>;
  /** Stores `value` under `account`. */
  set(account: string, value: string): Promise<void>;
  /** Removes `account`; no error when it is absent. */
  delete(account: string): Promise<void>;
}

/** Account holding a session's HTTP headers (JSON object). */
export function sessionHeadersAccount(sessionName: string): string {
  return `session:${sessionName}:headers`;
}

/** Account holding a stdio session's environment values (JSON object). */
export function sessionEnvAccount(sessionName: string): string {
  return `session:${sessionName}:env`;
}

/** Account holding the substituted `url`/`command`/`args` of a config entry that used `${VAR}`. */
export function sessionServerAccount(sessionName: string): string {
  return `session:${sessionName}:server`;
}

/** Account holding the bearer token clients of a session's proxy (`connect --proxy`) must send. */
export function sessionProxyTokenAccount(sessionName: string): string {
  return `session:${sessionName}:proxy-bearer-token`;
}

/** Every secret account of a session. */
export function sessionAccounts(sessionName: string): string[] {
  return [
    sessionHeadersAccount(sessionName),
    sessionEnvAccount(sessionName),
    sessionServerAccount(sessionName),
    sessionProxyTokenAccount(sessionName),
  ];
}

/** Secrets in `<home>/credentials.json` (mode 0600, locked, atomic). */
export class FileSecretStore implements SecretStore {
  #file: LockedJsonFile<Record<string, string>>;

  constructor(path: string, options: { warn?: (message: string) => void } = {}) {
    this.#file = new LockedJsonFile<Record<string, string>>(path, {
      defaultValue: () => ({}),
      parse: parseCredentials,
      warn: options.warn,
    });
  }

  /** Reads one secret. */
  async get(account: string): Promise<string | undefined> {
    return (await this.#file.read())[account];
  }

  /** Writes one secret. */
  async set(account: string, value: string): Promise<void> {
    await this.#file.update((data) => {
      data[account] = value;
    });
  }

  /** Deletes one secret. */
  async delete(account: string): Promise<void> {
    await this.#file.update((data) => {
      delete data[account];
    });
  }
}

function parseCredentials(raw: unknown): Record<string, string> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new TypeError("credentials.json must contain a JSON object");
  }
  for (const value of Object.values(raw)) {
    if (typeof value !== "string") throw new TypeError("credentials.json values must be strings");
  }
  return raw as Record<string, string>;
}
