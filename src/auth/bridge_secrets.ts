/**
 * The secret store a bridge reads and writes an OAuth profile's tokens with:
 * the same store the CLI uses, so a token one process refreshed is found by
 * every other.
 *
 * Layer: edge.
 * @module
 */

import { FileSecretStore, type SecretStore } from "./secret_store.ts";

/** The secret store of the mcpc home `home`. */
export function openBridgeSecretStore(home: string, warn: (message: string) => void): SecretStore {
  return new FileSecretStore(`${home}/credentials.json`, { warn });
}
