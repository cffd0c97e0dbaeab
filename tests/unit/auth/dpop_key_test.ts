import assert from "node:assert/strict";
import { DpopSession } from "@modelcontextprotocol/client";
import { DPOP_ALG, loadDpopKey, newDpopKey } from "../../../src/auth/dpop_key.ts";

function payloadOf(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(part));
}

Deno.test("newDpopKey() stores a key that loads back to the same, working key", async () => {
  const { keyPair, stored } = await newDpopKey();
  const loaded = await loadDpopKey(stored);
  assert.equal(loaded.alg, DPOP_ALG);
  assert.equal(loaded.thumbprint, keyPair.thumbprint);
  assert.deepEqual(loaded.publicJwk, keyPair.publicJwk);
  assert.equal(loaded.privateKey.extractable, false, "the loaded private key cannot be exported");
  // A proof signed with the loaded key verifies with the original public key.
  const session = await DpopSession.create({ keyPair: loaded });
  const proof = await session.buildProof({ htm: "POST", htu: "https://mcp.example.com/mcp" });
  const [header, payload, signature] = proof.split(".");
  const bytes = Uint8Array.from(
    atob(signature.replaceAll("-", "+").replaceAll("_", "/")),
    (char) => char.charCodeAt(0),
  );
  const valid = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    keyPair.publicKey,
    bytes,
    new TextEncoder().encode(`${header}.${payload}`),
  );
  assert.ok(valid);
  assert.equal(payloadOf(proof).htm, "POST");
});

Deno.test("newDpopKey() makes a new key each time; a stored key is not the JWK of another", async () => {
  const [a, b] = await Promise.all([newDpopKey(), newDpopKey()]);
  assert.notEqual(a.keyPair.thumbprint, b.keyPair.thumbprint);
});

Deno.test("loadDpopKey() refuses a key that is not an ES256 key", async () => {
  await assert.rejects(loadDpopKey(JSON.stringify({ alg: "RS256" })), TypeError);
  const { stored } = await newDpopKey();
  await assert.rejects(
    loadDpopKey(JSON.stringify({ ...JSON.parse(stored), thumbprint: undefined })),
    TypeError,
  );
});
