/**
 * How one secret maps onto OS keychain items, which hold less than our
 * secrets may need: `secret-tool store` cuts values at 8 KiB, a Windows
 * credential blob holds 2560 bytes, and `security -i` reads 4095-byte lines
 * and prints a non-printable password as unmarked hex. A value that fits is
 * stored as it is; any other is base64 in parts `<account>#1..n`, and the
 * item `<account>` holds only `mcpc-chunks:v1:<n>`.
 *
 * Layer: pure.
 * @module
 */

/** What the head item of a value stored in parts starts with. */
export const CHUNKED_PREFIX = "mcpc-chunks:v1:";
const CHUNKED_HEAD = /^mcpc-chunks:v1:(0|[1-9][0-9]{0,5})$/;

/** What one keychain item can hold. */
export interface ItemLimits {
  /** The most bytes (UTF-8) one item holds. */
  maxItemBytes: number;
  /** Whether an item must be printable ASCII (`0x20`–`0x7e`) and non-empty. */
  printableOnly: boolean;
}

/** The items for one value: `head` under the account itself, `parts[i]` under `partAccount(account, i + 1)`. */
export interface ChunkedValue {
  /** The value itself, or `mcpc-chunks:v1:<parts.length>`. */
  head: string;
  /** Base64 slices of the UTF-8 value (empty when the head is the value). */
  parts: string[];
}

/** The account of part `index` (from 1) of `account`'s value. */
export function partAccount(account: string, index: number): string {
  return `${account}#${index}`;
}

/** Splits `value` into the items that store it within `limits`. */
export function chunkValue(value: string, limits: ItemLimits): ChunkedValue {
  const bytes = new TextEncoder().encode(value);
  const fits = bytes.length <= limits.maxItemBytes && !value.startsWith(CHUNKED_PREFIX) &&
    (!limits.printableOnly || (value.length > 0 && isPrintableAscii(value)));
  if (fits) return { head: value, parts: [] };
  const encoded = encodeBase64(bytes);
  const size = Math.max(4, limits.maxItemBytes - (limits.maxItemBytes % 4));
  const parts: string[] = [];
  for (let at = 0; at < encoded.length; at += size) parts.push(encoded.slice(at, at + size));
  return { head: `${CHUNKED_PREFIX}${parts.length}`, parts };
}

/** How many parts the stored head names, or `undefined` if the head is the value itself. */
export function chunkCount(head: string): number | undefined {
  const match = CHUNKED_HEAD.exec(head);
  return match ? Number(match[1]) : undefined;
}

/** The value whose parts these are (throws `SyntaxError` on a damaged part). */
export function joinChunks(parts: readonly string[]): string {
  const encoded = parts.join("");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new SyntaxError("The stored parts are not base64");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(encoded));
  } catch {
    throw new SyntaxError("The stored parts are not UTF-8 text");
  }
}

/** Whether every character is printable ASCII (what `security` prints as it is). */
export function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(binary);
}

function decodeBase64(encoded: string): Uint8Array {
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let at = 0; at < binary.length; at++) bytes[at] = binary.charCodeAt(at);
  return bytes;
}
