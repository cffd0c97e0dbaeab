import assert from "node:assert/strict";
import { join } from "node:path";
import { type KeychainBackend, KeychainSecretStore } from "../../../src/auth/keychain_store.ts";
import { CHUNKED_PREFIX, isPrintableAscii } from "../../../src/auth/keychain_chunks.ts";

/** An in-memory keychain that checks every item against its limits. */
class MemoryBackend implements KeychainBackend {
  readonly name = "Test Keychain";
  readonly items = new Map<string, string>();
  readonly log: string[] = [];
  constructor(readonly maxItemBytes = 50, readonly printableOnly = false) {}

  read(account: string): Promise<string | undefined> {
    this.log.push(`read ${account}`);
    return Promise.resolve(this.items.get(account));
  }

  write(account: string, value: string): Promise<void> {
    this.log.push(`write ${account}`);
    assert.ok(new TextEncoder().encode(value).length <= this.maxItemBytes, "item within limit");
    if (this.printableOnly) assert.ok(value !== "" && isPrintableAscii(value), "printable item");
    this.items.set(account, value);
    return Promise.resolve();
  }

  remove(account: string): Promise<void> {
    this.log.push(`remove ${account}`);
    this.items.delete(account);
    return Promise.resolve();
  }
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "keychain_store_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function pathExists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("KeychainSecretStore get() returns what set() stored and undefined after delete()", async () => {
  const backend = new MemoryBackend();
  const store = new KeychainSecretStore(backend);
  assert.equal(await store.get("a"), undefined);
  await store.set("a", "short");
  assert.equal(backend.items.get("a"), "short");
  assert.equal(await store.get("a"), "short");
  await store.delete("a");
  assert.equal(await store.get("a"), undefined);
  assert.equal(backend.items.size, 0);
  await store.delete("a");
});

Deno.test("KeychainSecretStore delete() of an absent account only looks it up", async () => {
  const backend = new MemoryBackend();
  await new KeychainSecretStore(backend).delete("none");
  assert.deepEqual(backend.log, ["read none"]);
});

Deno.test("KeychainSecretStore keeps a large value in parts and removes them all on delete()", async () => {
  const backend = new MemoryBackend();
  const store = new KeychainSecretStore(backend);
  const value = JSON.stringify({ Authorization: `Bearer ${"x".repeat(500)}`, "X-Ünï": "✓" });
  await store.set("big", value);
  const head = backend.items.get("big")!;
  assert.ok(head.startsWith(CHUNKED_PREFIX));
  assert.ok(backend.items.size > 10);
  assert.equal(await store.get("big"), value);
  await store.delete("big");
  assert.equal(backend.items.size, 0);
});

Deno.test("KeychainSecretStore set() removes the parts a shorter value no longer needs", async () => {
  const backend = new MemoryBackend();
  const store = new KeychainSecretStore(backend);
  await store.set("a", "y".repeat(1000));
  await store.set("a", "z".repeat(100));
  const parts = [...backend.items.keys()].filter((account) => account.startsWith("a#"));
  assert.equal(backend.items.get("a"), `${CHUNKED_PREFIX}${parts.length}`);
  assert.equal(await store.get("a"), "z".repeat(100));
  await store.set("a", "small");
  assert.deepEqual([...backend.items.keys()], ["a"]);
});

Deno.test("KeychainSecretStore writes the parts before the head that names them", async () => {
  const backend = new MemoryBackend();
  await new KeychainSecretStore(backend).set("a", "q".repeat(120));
  const writes = backend.log.filter((line) => line.startsWith("write"));
  assert.equal(writes.at(-1), "write a");
  assert.ok(writes.slice(0, -1).every((line) => line.startsWith("write a#")));
});

Deno.test("KeychainSecretStore get() fails clearly when a part is missing", async () => {
  const backend = new MemoryBackend();
  const store = new KeychainSecretStore(backend);
  await store.set("a", "q".repeat(120));
  backend.items.delete("a#2");
  await assert.rejects(
    store.get("a"),
    /Cannot read secret "a" from the Test Keychain: part 2 of \d+ is missing/,
  );
});

Deno.test("KeychainSecretStore stores only printable items on a printable-only keychain", async () => {
  const backend = new MemoryBackend(60, true);
  const store = new KeychainSecretStore(backend);
  for (const value of ["päss", "a\nb", "", "plain"]) {
    await store.set("v", value);
    assert.equal(await store.get("v"), value);
  }
});

Deno.test("KeychainSecretStore reads an account the keychain lacks from the older credentials.json", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "credentials.json");
    await Deno.writeTextFile(file, JSON.stringify({ old: "from-file", both: "stale" }), {
      mode: 0o600,
    });
    const backend = new MemoryBackend();
    backend.items.set("both", "fresh");
    const store = new KeychainSecretStore(backend, { legacyFile: file });
    assert.equal(await store.get("old"), "from-file");
    assert.equal(await store.get("both"), "fresh");
    assert.equal(await store.get("none"), undefined);
  });
});

Deno.test("KeychainSecretStore set() and delete() remove the account from credentials.json too", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "credentials.json");
    await Deno.writeTextFile(file, JSON.stringify({ a: "1", b: "2", c: "3" }), { mode: 0o600 });
    const store = new KeychainSecretStore(new MemoryBackend(), { legacyFile: file });
    await store.set("a", "new");
    await store.delete("b");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(file)), { c: "3" });
    assert.equal(await store.get("a"), "new");
    assert.equal(await store.get("b"), undefined);
  });
});

Deno.test("KeychainSecretStore never creates credentials.json", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "credentials.json");
    const store = new KeychainSecretStore(new MemoryBackend(), { legacyFile: file });
    await store.get("a");
    await store.set("a", "v");
    await store.delete("a");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
    assert.equal(await pathExists(file), false);
  });
});
