/**
 * A {@linkcode SecretStore} over an OS keychain backend: values too large
 * or unprintable for one item are kept in parts (`keychain_chunks.ts`), and
 * a `credentials.json` left from an earlier file fallback is still read,
 * and cleaned, so upgrading loses nothing.
 *
 * Layer: edge.
 * @module
 */

import { chunkCount, chunkValue, joinChunks, partAccount } from "./keychain_chunks.ts";
import { pathExists } from "../platform/locked_json_file.ts";
import { FileSecretStore, type SecretStore } from "./secret_store.ts";

/** Service name every backend files mcpc's items under. */
export const KEYCHAIN_SERVICE = "mcpc";

/** Default bound on one call into an OS keychain (one helper run), in ms. */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5_000;

/** What a backend was doing when it failed. */
export type Action = "read" | "store" | "delete";

/** The start of an error message: `Cannot read secret "<account>" from the <keychain>`. */
export function keychainFailure(action: Action, account: string, keychain: string): string {
  const where = action === "store" ? "in" : "from";
  return `Cannot ${action} secret "${account}" ${where} the ${keychain}`;
}

/** One OS keychain: single items under the `mcpc` service, each within its limits. */
export interface KeychainBackend {
  /** The keychain's name for messages ("Secret Service", "macOS Keychain", ...). */
  readonly name: string;
  /** The most bytes (UTF-8) one item holds. */
  readonly maxItemBytes: number;
  /** Whether an item must be printable ASCII and non-empty. */
  readonly printableOnly: boolean;
  /** The item stored under `account`, if any. */
  read(account: string): Promise<string | undefined>;
  /** Stores `value` under `account`, replacing any item there. */
  write(account: string, value: string): Promise<void>;
  /** Removes the item under `account`; no error when it is absent. */
  remove(account: string): Promise<void>;
}

/** Options for {@linkcode KeychainSecretStore}. */
export interface KeychainSecretStoreOptions {
  /** A `credentials.json` from before the keychain was used: read, never created. */
  legacyFile?: string;
  /** Warnings of the legacy file (a corrupt file moved aside). */
  warn?: (message: string) => void;
}

/** Secrets in an OS keychain, with an older `credentials.json` as a read-only fallback. */
export class KeychainSecretStore implements SecretStore {
  #backend: KeychainBackend;
  #legacyPath: string | undefined;
  #legacy: FileSecretStore | undefined;

  constructor(backend: KeychainBackend, options: KeychainSecretStoreOptions = {}) {
    this.#backend = backend;
    this.#legacyPath = options.legacyFile;
    this.#legacy = options.legacyFile === undefined
      ? undefined
      : new FileSecretStore(options.legacyFile, { warn: options.warn });
  }

  /** Reads one secret from the keychain, else from the legacy file. */
  async get(account: string): Promise<string | undefined> {
    const head = await this.#backend.read(account);
    if (head === undefined) return await this.#legacyGet(account);
    const count = chunkCount(head);
    if (count === undefined) return head;
    const parts: string[] = [];
    for (let index = 1; index <= count; index++) {
      const part = await this.#backend.read(partAccount(account, index));
      if (part === undefined) {
        throw new Error(
          `${keychainFailure("read", account, this.#backend.name)}: ` +
            `part ${index} of ${count} is missing`,
        );
      }
      parts.push(part);
    }
    try {
      return joinChunks(parts);
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(`${keychainFailure("read", account, this.#backend.name)}: ${message}`, {
        cause: error,
      });
    }
  }

  /** Writes one secret to the keychain and drops any copy in the legacy file. */
  async set(account: string, value: string): Promise<void> {
    const before = await this.#partCount(account);
    const { head, parts } = chunkValue(value, this.#backend);
    // Parts first: the head never names a part that is not there yet.
    for (const [index, part] of parts.entries()) {
      await this.#backend.write(partAccount(account, index + 1), part);
    }
    await this.#backend.write(account, head);
    for (let index = parts.length + 1; index <= before; index++) {
      await this.#backend.remove(partAccount(account, index));
    }
    await this.#legacyDelete(account);
  }

  /** Deletes one secret from the keychain and from the legacy file. */
  async delete(account: string): Promise<void> {
    const head = await this.#backend.read(account);
    if (head !== undefined) {
      await this.#backend.remove(account);
      const count = chunkCount(head) ?? 0;
      for (let index = 1; index <= count; index++) {
        await this.#backend.remove(partAccount(account, index));
      }
    }
    await this.#legacyDelete(account);
  }

  async #partCount(account: string): Promise<number> {
    const head = await this.#backend.read(account);
    return head === undefined ? 0 : chunkCount(head) ?? 0;
  }

  async #legacyGet(account: string): Promise<string | undefined> {
    if (!this.#legacy || !(await pathExists(this.#legacyPath!))) return undefined;
    return await this.#legacy.get(account);
  }

  async #legacyDelete(account: string): Promise<void> {
    if ((await this.#legacyGet(account)) !== undefined) await this.#legacy!.delete(account);
  }
}
