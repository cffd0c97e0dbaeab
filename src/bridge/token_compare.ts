/**
 * Comparing a bearer token a client sent with the expected one without
 * telling, through the time taken, how much of it was right: both go through
 * HMAC-SHA-256 under a key made for the comparison, and WebCrypto checks the
 * MAC.
 *
 * Layer: pure (WebCrypto).
 * @module
 */

const encoder = new TextEncoder();

/** Whether `given` equals `expected`, in time that does not depend on where they differ. */
export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(expected));
  return await crypto.subtle.verify("HMAC", key, mac, encoder.encode(given));
}
