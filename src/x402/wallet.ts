/**
 * The one x402 wallet: an EVM private key with its address, kept in the
 * secret store (the OS keychain, or `credentials.json` 0600), never in argv,
 * a record or a log.
 *
 * Layer: edge (the secret store; viem for the key).
 * @module
 */

import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { SecretStore } from "../auth/secret_store.ts";

/** The secret-store account of the wallet. */
export const WALLET_ACCOUNT = "x402-wallet";

/** The wallet. */
export interface Wallet {
  address: Hex;
  privateKey: Hex;
  /** When it was made or imported (ISO). */
  createdAt: string;
}

/** A private key that is not 32 bytes of hex; the message says so without repeating it. */
export class InvalidKeyError extends Error {
  constructor() {
    super("Invalid private key: expected 32 bytes as 64 hex digits (with or without 0x)");
    this.name = "InvalidKeyError";
  }
}

/** The wallet, if there is one. */
export async function readWallet(secrets: SecretStore): Promise<Wallet | undefined> {
  const raw = await secrets.get(WALLET_ACCOUNT);
  if (raw === undefined) return undefined;
  const value = JSON.parse(raw) as Partial<Wallet>;
  if (typeof value.privateKey !== "string" || typeof value.address !== "string") {
    throw new TypeError(
      `The x402 wallet in the secret store is damaged; remove it with "mcpc x402 remove"`,
    );
  }
  return value as Wallet;
}

/** A wallet of `privateKey` (`0x` added when missing), or of a new random key. */
export function makeWallet(privateKey: string | undefined, now: number): Wallet {
  const key = privateKey === undefined ? generatePrivateKey() : normalizeKey(privateKey);
  return {
    address: privateKeyToAccount(key).address,
    privateKey: key,
    createdAt: new Date(now).toISOString(),
  };
}

/** Stores `wallet` (replacing none: callers check first). */
export async function saveWallet(secrets: SecretStore, wallet: Wallet): Promise<void> {
  await secrets.set(WALLET_ACCOUNT, JSON.stringify(wallet));
}

/** Removes the wallet; whether there was one. */
export async function removeWallet(secrets: SecretStore): Promise<boolean> {
  const had = await secrets.get(WALLET_ACCOUNT) !== undefined;
  await secrets.delete(WALLET_ACCOUNT);
  return had;
}

function normalizeKey(text: string): Hex {
  const trimmed = text.trim();
  const key = /^0x/i.test(trimmed) ? `0x${trimmed.slice(2)}` : `0x${trimmed}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new InvalidKeyError();
  return key.toLowerCase() as Hex;
}
