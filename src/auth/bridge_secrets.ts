/**
 * The secret store a bridge reads and writes an OAuth profile's tokens with:
 * chosen the same way as the CLI's (`MCPC_SECRET_STORE`, else the keychain
 * when its probe works, else `credentials.json`), so a token one process
 * refreshed is found by every other. Its warnings go to the bridge log.
 *
 * Layer: edge.
 * @module
 */

import { openSecretStore } from "./keychain.ts";
import type { SecretStore } from "./secret_store.ts";

/** The secret store of the mcpc home `home`, as this bridge's environment selects it. */
export function openBridgeSecretStore(home: string, warn: (message: string) => void): SecretStore {
  return openSecretStore({ home, env: Deno.env.toObject(), warn, json: false });
}
