import assert from "node:assert/strict";
import {
  CRED_PERSIST_LOCAL_MACHINE,
  CRED_TYPE_GENERIC,
  CREDENTIAL_LAYOUT,
  CREDENTIAL_SIZE,
  type CredentialFields,
  CredentialManagerBackend,
  decodeCredential,
  encodeCredential,
  targetName,
  wideString,
} from "../../../src/auth/secret_store_windows.ts";
import { KeychainSecretStore } from "../../../src/auth/keychain_store.ts";

const FIELDS: CredentialFields = {
  flags: 0,
  type: CRED_TYPE_GENERIC,
  targetName: 0x1111_2222_3333_4444n,
  comment: 0n,
  lastWritten: 0x0102_0304_0506_0708n,
  credentialBlobSize: 2560,
  credentialBlob: 0x5555_6666_7777_8888n,
  persist: CRED_PERSIST_LOCAL_MACHINE,
  attributeCount: 0,
  attributes: 0n,
  targetAlias: 0n,
  userName: 0x0000_7fff_aaaa_bbbbn,
};

Deno.test("CREDENTIAL_LAYOUT is the x64 CREDENTIALW layout (80 bytes, pointers 8-aligned)", () => {
  assert.equal(CREDENTIAL_SIZE, 80);
  assert.deepEqual(CREDENTIAL_LAYOUT, {
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
  });
});

Deno.test("encodeCredential() writes each field little-endian at its offset", () => {
  const bytes = encodeCredential(FIELDS);
  assert.equal(bytes.length, 80);
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint32(4, true), 1, "Type = CRED_TYPE_GENERIC");
  assert.equal(view.getBigUint64(8, true), 0x1111_2222_3333_4444n, "TargetName");
  assert.equal(view.getUint32(24, true), 0x0506_0708, "LastWritten.dwLowDateTime");
  assert.equal(view.getUint32(28, true), 0x0102_0304, "LastWritten.dwHighDateTime");
  assert.equal(view.getUint32(32, true), 2560, "CredentialBlobSize");
  assert.equal(view.getUint32(36, true), 0, "padding before CredentialBlob");
  assert.equal(view.getBigUint64(40, true), 0x5555_6666_7777_8888n, "CredentialBlob");
  assert.equal(view.getUint32(48, true), 2, "Persist = CRED_PERSIST_LOCAL_MACHINE");
  assert.equal(view.getBigUint64(72, true), 0x0000_7fff_aaaa_bbbbn, "UserName");
  assert.deepEqual([...bytes.subarray(8, 16)], [0x44, 0x44, 0x33, 0x33, 0x22, 0x22, 0x11, 0x11]);
});

Deno.test("decodeCredential() reads back what encodeCredential() wrote", () => {
  assert.deepEqual(decodeCredential(encodeCredential(FIELDS)), FIELDS);
  const padded = new Uint8Array(96);
  padded.set(encodeCredential(FIELDS), 8);
  assert.deepEqual(decodeCredential(padded.subarray(8)), FIELDS);
});

Deno.test("decodeCredential() throws RangeError for fewer than 80 bytes", () => {
  assert.throws(() => decodeCredential(new Uint8Array(79)), RangeError);
});

Deno.test("wideString() is NUL-terminated UTF-16LE", () => {
  assert.deepEqual([...wideString("mc")], [0x6d, 0, 0x63, 0, 0, 0]);
  assert.deepEqual([...wideString("€")], [0xac, 0x20, 0, 0]);
  assert.deepEqual([...wideString("")], [0, 0]);
});

Deno.test("targetName() prefixes the account with mcpc:", () => {
  assert.equal(targetName("session:@s:headers"), "mcpc:session:@s:headers");
});

Deno.test({
  name: "CredentialManagerBackend stores, reads and deletes real credentials",
  ignore: Deno.build.os !== "windows",
  fn: async () => {
    const store = new KeychainSecretStore(new CredentialManagerBackend());
    const account = `__mcpc_test_${Date.now()}__`;
    try {
      for (const value of ["plain", "ünï ✓", "w".repeat(10_240)]) {
        await store.set(account, value);
        assert.equal(await store.get(account), value);
      }
    } finally {
      await store.delete(account);
    }
    assert.equal(await store.get(account), undefined);
  },
});

Deno.test({
  name: "CredentialManagerBackend opens advapi32.dll only when first used",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const backend = new CredentialManagerBackend();
    await assert.rejects(
      backend.read("a"),
      /^Error: Cannot read secret "a" from the Windows Credential Manager: /,
    );
  },
});
