/**
 * The DPoP key of an OAuth profile (RFC 9449, the SDK's DPoP support): made
 * at login when the authorization server signs DPoP with ES256, kept with the
 * profile's other secrets so a bridge (and every restart of it) presents the
 * tokens with the key they are bound to. Only ES256 (P-256) keys are made.
 *
 * Layer: edge (Web Crypto, through the SDK for the key generation).
 * @module
 */

import { type DpopKeyPair, generateDpopKeyPair } from "@modelcontextprotocol/client";

/** The signing algorithm mcpc uses for DPoP. */
export const DPOP_ALG = "ES256";

const CURVE = { name: "ECDSA", namedCurve: "P-256" } as const;

/** A key as stored: the private JWK plus what a session needs without recomputing. */
interface StoredDpopKey {
  alg: typeof DPOP_ALG;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  thumbprint: string;
}

/** A new key pair and its stored form (the private key is exported only for that). */
export async function newDpopKey(): Promise<{ keyPair: DpopKeyPair; stored: string }> {
  const generated = await generateDpopKeyPair({ alg: DPOP_ALG, extractable: true });
  const privateJwk = await crypto.subtle.exportKey("jwk", generated.privateKey);
  const stored: StoredDpopKey = {
    alg: DPOP_ALG,
    privateJwk,
    publicJwk: generated.publicJwk as JsonWebKey,
    thumbprint: generated.thumbprint,
  };
  return { keyPair: await loadDpopKey(JSON.stringify(stored)), stored: JSON.stringify(stored) };
}

/** The key pair of a stored key (the private key is not extractable again). */
export async function loadDpopKey(stored: string): Promise<DpopKeyPair> {
  const key = JSON.parse(stored) as StoredDpopKey;
  if (key.alg !== DPOP_ALG || !key.privateJwk || !key.publicJwk || !key.thumbprint) {
    throw new TypeError("The stored DPoP key is not an ES256 key");
  }
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey("jwk", key.privateJwk, CURVE, false, ["sign"]),
    crypto.subtle.importKey("jwk", key.publicJwk, CURVE, true, ["verify"]),
  ]);
  return {
    privateKey,
    publicKey,
    publicJwk: key.publicJwk as DpopKeyPair["publicJwk"],
    thumbprint: key.thumbprint,
    alg: DPOP_ALG,
  };
}
