/**
 * Windows Credential Manager through `advapi32.dll` (`CredWriteW`,
 * `CredReadW`, `CredDeleteW`, `CredFree`) over Deno FFI: generic
 * credentials named `mcpc:<account>`, persisted for the local machine, the
 * blob the UTF-8 bytes of the value. The DLLs are opened on first use, so
 * other systems never load them. The `CREDENTIALW` layout (x64) is the pure
 * part, {@linkcode encodeCredential} / {@linkcode decodeCredential}.
 *
 * Layer: edge (FFI), with a pure struct codec.
 * @module
 */

import { type KeychainBackend, keychainFailure } from "./keychain_store.ts";

/** `CRED_TYPE_GENERIC`. */
export const CRED_TYPE_GENERIC = 1;
/** `CRED_PERSIST_LOCAL_MACHINE`. */
export const CRED_PERSIST_LOCAL_MACHINE = 2;
/** `ERROR_NOT_FOUND`: no credential with that name. */
export const ERROR_NOT_FOUND = 1168;
/** `CRED_MAX_CREDENTIAL_BLOB_SIZE` (5 * 512 bytes). */
export const CRED_MAX_CREDENTIAL_BLOB_SIZE = 2_560;

/** Byte offsets of the `CREDENTIALW` fields on x64 (pointers 8-aligned). */
export const CREDENTIAL_LAYOUT = {
  flags: 0,
  type: 4,
  targetName: 8,
  comment: 16,
  lastWritten: 24,
  credentialBlobSize: 32,
  credentialBlob: 40,
  persist: 48,
  attributeCount: 52,
  attributes: 56,
  targetAlias: 64,
  userName: 72,
} as const;
/** `sizeof(CREDENTIALW)` on x64. */
export const CREDENTIAL_SIZE = 80;

/** The fields of a `CREDENTIALW`; pointers as addresses, `lastWritten` as the 64-bit `FILETIME`. */
export interface CredentialFields {
  flags: number;
  type: number;
  targetName: bigint;
  comment: bigint;
  lastWritten: bigint;
  credentialBlobSize: number;
  credentialBlob: bigint;
  persist: number;
  attributeCount: number;
  attributes: bigint;
  targetAlias: bigint;
  userName: bigint;
}

/** The `CREDENTIALW` bytes (x64, little-endian) for `fields`. */
export function encodeCredential(fields: CredentialFields): Uint8Array {
  const bytes = new Uint8Array(CREDENTIAL_SIZE);
  const view = new DataView(bytes.buffer);
  const at = CREDENTIAL_LAYOUT;
  view.setUint32(at.flags, fields.flags, true);
  view.setUint32(at.type, fields.type, true);
  view.setBigUint64(at.targetName, fields.targetName, true);
  view.setBigUint64(at.comment, fields.comment, true);
  view.setBigUint64(at.lastWritten, fields.lastWritten, true);
  view.setUint32(at.credentialBlobSize, fields.credentialBlobSize, true);
  view.setBigUint64(at.credentialBlob, fields.credentialBlob, true);
  view.setUint32(at.persist, fields.persist, true);
  view.setUint32(at.attributeCount, fields.attributeCount, true);
  view.setBigUint64(at.attributes, fields.attributes, true);
  view.setBigUint64(at.targetAlias, fields.targetAlias, true);
  view.setBigUint64(at.userName, fields.userName, true);
  return bytes;
}

/** The fields of the `CREDENTIALW` in `bytes` (at least {@linkcode CREDENTIAL_SIZE} long). */
export function decodeCredential(bytes: Uint8Array): CredentialFields {
  if (bytes.length < CREDENTIAL_SIZE) {
    throw new RangeError(`A CREDENTIALW needs ${CREDENTIAL_SIZE} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, CREDENTIAL_SIZE);
  const at = CREDENTIAL_LAYOUT;
  return {
    flags: view.getUint32(at.flags, true),
    type: view.getUint32(at.type, true),
    targetName: view.getBigUint64(at.targetName, true),
    comment: view.getBigUint64(at.comment, true),
    lastWritten: view.getBigUint64(at.lastWritten, true),
    credentialBlobSize: view.getUint32(at.credentialBlobSize, true),
    credentialBlob: view.getBigUint64(at.credentialBlob, true),
    persist: view.getUint32(at.persist, true),
    attributeCount: view.getUint32(at.attributeCount, true),
    attributes: view.getBigUint64(at.attributes, true),
    targetAlias: view.getBigUint64(at.targetAlias, true),
    userName: view.getBigUint64(at.userName, true),
  };
}

/** `text` as a NUL-terminated UTF-16LE string (`LPCWSTR`). */
export function wideString(text: string): Uint8Array {
  const bytes = new Uint8Array((text.length + 1) * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < text.length; index++) {
    view.setUint16(index * 2, text.charCodeAt(index), true);
  }
  return bytes;
}

/** The credential name of `account`. */
export function targetName(account: string): string {
  return `mcpc:${account}`;
}

const ADVAPI32 = {
  CredWriteW: { parameters: ["buffer", "u32"], result: "i32" },
  CredReadW: { parameters: ["buffer", "u32", "u32", "buffer"], result: "i32" },
  CredDeleteW: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  CredFree: { parameters: ["pointer"], result: "void" },
} as const;
const KERNEL32 = {
  GetLastError: { parameters: [], result: "u32" },
} as const;

interface WindowsApi {
  advapi32: Deno.DynamicLibrary<typeof ADVAPI32>["symbols"];
  kernel32: Deno.DynamicLibrary<typeof KERNEL32>["symbols"];
}

let api: WindowsApi | undefined;

function windowsApi(): WindowsApi {
  api ??= {
    advapi32: Deno.dlopen("advapi32.dll", ADVAPI32).symbols,
    kernel32: Deno.dlopen("kernel32.dll", KERNEL32).symbols,
  };
  return api;
}

/** Items in the Windows Credential Manager (generic credentials `mcpc:<account>`). */
export class CredentialManagerBackend implements KeychainBackend {
  /** Name used in messages. */
  readonly name = "Windows Credential Manager";
  /** A credential blob holds at most 2560 bytes. */
  readonly maxItemBytes = CRED_MAX_CREDENTIAL_BLOB_SIZE;
  /** Any bytes are fine. */
  readonly printableOnly = false;
  /** Buffers whose addresses are inside the struct being written: kept reachable during the call. */
  #pinned: Uint8Array[] = [];

  /** `CredReadW`; `ERROR_NOT_FOUND` means no such item. */
  read(account: string): Promise<string | undefined> {
    return attempt("read", account, this.name, () => {
      const { advapi32, kernel32 } = windowsApi();
      const out = new BigUint64Array(1);
      const found = advapi32.CredReadW(
        wideString(targetName(account)),
        CRED_TYPE_GENERIC,
        0,
        new Uint8Array(out.buffer),
      );
      if (!found) {
        const code = kernel32.GetLastError();
        if (code === ERROR_NOT_FOUND) return undefined;
        throw new Error(`CredReadW failed with error ${code}`);
      }
      const credential = Deno.UnsafePointer.create(out[0]);
      if (credential === null) throw new Error("CredReadW returned no credential");
      try {
        const header = new Uint8Array(CREDENTIAL_SIZE);
        new Deno.UnsafePointerView(credential).copyInto(header);
        const fields = decodeCredential(header);
        const blob = new Uint8Array(fields.credentialBlobSize);
        const data = Deno.UnsafePointer.create(fields.credentialBlob);
        if (blob.length > 0 && data !== null) new Deno.UnsafePointerView(data).copyInto(blob);
        return new TextDecoder("utf-8", { fatal: true }).decode(blob);
      } finally {
        advapi32.CredFree(credential);
      }
    });
  }

  /** `CredWriteW` with a generic, local-machine credential. */
  write(account: string, value: string): Promise<void> {
    return attempt("store", account, this.name, () => {
      const blob = new TextEncoder().encode(value);
      if (blob.length > this.maxItemBytes) {
        throw new RangeError(`${blob.length} bytes is more than ${this.maxItemBytes}`);
      }
      const target = wideString(targetName(account));
      const user = wideString(account);
      const struct = encodeCredential({
        flags: 0,
        type: CRED_TYPE_GENERIC,
        targetName: addressOf(target),
        comment: 0n,
        lastWritten: 0n,
        credentialBlobSize: blob.length,
        credentialBlob: blob.length > 0 ? addressOf(blob) : 0n,
        persist: CRED_PERSIST_LOCAL_MACHINE,
        attributeCount: 0,
        attributes: 0n,
        targetAlias: 0n,
        userName: addressOf(user),
      });
      this.#pinned = [target, user, blob];
      try {
        const { advapi32, kernel32 } = windowsApi();
        if (!advapi32.CredWriteW(struct, 0)) {
          throw new Error(`CredWriteW failed with error ${kernel32.GetLastError()}`);
        }
      } finally {
        this.#pinned = [];
      }
    });
  }

  /** `CredDeleteW`; `ERROR_NOT_FOUND` means there was nothing to delete. */
  remove(account: string): Promise<void> {
    return attempt("delete", account, this.name, () => {
      const { advapi32, kernel32 } = windowsApi();
      if (!advapi32.CredDeleteW(wideString(targetName(account)), CRED_TYPE_GENERIC, 0)) {
        const code = kernel32.GetLastError();
        if (code !== ERROR_NOT_FOUND) throw new Error(`CredDeleteW failed with error ${code}`);
      }
    });
  }
}

function addressOf(buffer: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}

/** Runs a synchronous FFI step as a promise, its failure worded like the other backends'. */
function attempt<T>(
  action: "read" | "store" | "delete",
  account: string,
  keychain: string,
  step: () => T,
): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (error) {
    return Promise.reject(
      new Error(`${keychainFailure(action, account, keychain)}: ${(error as Error).message}`, {
        cause: error,
      }),
    );
  }
}
