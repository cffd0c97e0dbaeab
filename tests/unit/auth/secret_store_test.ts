import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FileSecretStore,
  sessionAccounts,
  sessionEnvAccount,
  sessionHeadersAccount,
  sessionServerAccount,
} from "../../../src/auth/secret_store.ts";

const IS_WINDOWS = Deno.build.os === "windows";

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "secret_store_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("sessionHeadersAccount() names the headers account of a session", () => {
  assert.equal(sessionHeadersAccount("@s"), "session:@s:headers");
});

Deno.test("sessionEnvAccount() names the env account of a session", () => {
  assert.equal(sessionEnvAccount("@s"), "session:@s:env");
});

Deno.test("sessionServerAccount() names the server account of a session", () => {
  assert.equal(sessionServerAccount("@s"), "session:@s:server");
});

Deno.test("sessionAccounts() lists every account of a session", () => {
  assert.deepEqual(sessionAccounts("@x"), [
    "session:@x:headers",
    "session:@x:env",
    "session:@x:server",
    "session:@x:proxy-bearer-token",
  ]);
});

Deno.test("FileSecretStore get() returns undefined for an unknown account", async () => {
  await withTempDir(async (dir) => {
    const store = new FileSecretStore(join(dir, "credentials.json"));
    assert.equal(await store.get("session:@s:headers"), undefined);
  });
});

Deno.test("FileSecretStore set() stores a value that get() returns", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "credentials.json");
    const store = new FileSecretStore(path);
    await store.set("a", '{"Authorization":"Bearer t1"}');
    await store.set("b", "two");
    assert.equal(await store.get("a"), '{"Authorization":"Bearer t1"}');
    assert.equal(await store.get("b"), "two");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), {
      a: '{"Authorization":"Bearer t1"}',
      b: "two",
    });
    // Another store over the same file reads the same values.
    assert.equal(await new FileSecretStore(path).get("b"), "two");
  });
});

Deno.test("FileSecretStore set() replaces an existing value", async () => {
  await withTempDir(async (dir) => {
    const store = new FileSecretStore(join(dir, "credentials.json"));
    await store.set("a", "old");
    await store.set("a", "new");
    assert.equal(await store.get("a"), "new");
  });
});

Deno.test("FileSecretStore delete() removes one account and ignores a missing one", async () => {
  await withTempDir(async (dir) => {
    const store = new FileSecretStore(join(dir, "credentials.json"));
    await store.set("a", "1");
    await store.set("b", "2");
    await store.delete("a");
    await store.delete("never-set");
    assert.equal(await store.get("a"), undefined);
    assert.equal(await store.get("b"), "2");
  });
});

Deno.test({
  name: "FileSecretStore writes credentials.json with mode 0600",
  ignore: IS_WINDOWS,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "credentials.json");
      await new FileSecretStore(path).set("a", "secret");
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    });
  },
});

Deno.test({
  name: "FileSecretStore makes a too-open credentials.json 0600 on the next write",
  ignore: IS_WINDOWS,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "credentials.json");
      await Deno.writeTextFile(path, "{}");
      await Deno.chmod(path, 0o644);
      await new FileSecretStore(path).set("a", "secret");
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    });
  },
});

for (const content of ["[]", '{"a": 1}', '"text"', "{oops"]) {
  Deno.test(`FileSecretStore treats ${content} as corrupt and moves it aside`, async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "credentials.json");
      await Deno.writeTextFile(path, content);
      const warnings: string[] = [];
      const store = new FileSecretStore(path, { warn: (message) => warnings.push(message) });
      assert.equal(await store.get("a"), undefined);
      assert.equal(warnings.length, 1);
      const backups = (await listDir(dir)).filter((name) =>
        name.startsWith("credentials.json.corrupt-")
      );
      assert.equal(backups.length, 1);
      assert.equal(await Deno.readTextFile(join(dir, backups[0])), content);
    });
  });
}
