import assert from "node:assert/strict";
import { join } from "node:path";
import {
  credentialsFile,
  fallbackWarning,
  helperEnv,
  openSecretStore,
  type OpenSecretStoreOptions,
  probeKeychain,
  secretStoreMode,
} from "../../../src/auth/keychain.ts";
import type { KeychainBackend } from "../../../src/auth/keychain_store.ts";
import { createFakeTool, type FakeTool } from "../../fakes/keychain_tools.ts";

const IS_WINDOWS = Deno.build.os === "windows";

interface Fixture {
  fake: FakeTool;
  home: string;
  warnings: string[];
  options: (env?: Record<string, string>) => OpenSecretStoreOptions;
}

async function withFixture(body: (fixture: Fixture) => Promise<void>): Promise<void> {
  const fake = await createFakeTool("secret-tool");
  const home = await Deno.makeTempDir({ prefix: "keychain_test_home_" });
  const warnings: string[] = [];
  try {
    await body({
      fake,
      home,
      warnings,
      options: (env = {}) => ({
        home,
        env: { ...fake.env, ...env },
        os: "linux",
        warn: (message) => warnings.push(message),
        json: false,
        timeoutMs: 2_000,
      }),
    });
  } finally {
    await Deno.remove(fake.dir, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
}

async function pathExists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: IS_WINDOWS, fn });
}

Deno.test("secretStoreMode() reads MCPC_SECRET_STORE", () => {
  assert.equal(secretStoreMode({}), "auto");
  assert.equal(secretStoreMode({ MCPC_SECRET_STORE: "" }), "auto");
  assert.equal(secretStoreMode({ MCPC_SECRET_STORE: "file" }), "file");
  assert.equal(secretStoreMode({ MCPC_SECRET_STORE: "keychain" }), "keychain");
});

Deno.test("secretStoreMode() names the allowed values for any other value", () => {
  assert.throws(() => secretStoreMode({ MCPC_SECRET_STORE: "keyring" }), {
    name: "RangeError",
    message:
      'Cannot choose a secret store: MCPC_SECRET_STORE is "keyring", expected "keychain" or "file"',
  });
});

Deno.test("fallbackWarning() is the original's warning, naming credentials.json in the home", () => {
  assert.equal(
    fallbackWarning("/home/u/.mcpc"),
    "OS keychain unavailable, falling back to file-based credential storage " +
      "(/home/u/.mcpc/credentials.json). Install a keyring daemon (e.g. gnome-keyring or kwallet) " +
      "for better security.",
  );
  assert.equal(credentialsFile("/h/"), "/h/credentials.json");
});

test("openSecretStore() starts nothing until a secret is first used", async () => {
  await withFixture(async ({ fake, options }) => {
    const store = openSecretStore(options());
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await fake.calls(), [], "no secret-tool before first use");
    assert.equal(await store.get("a"), undefined);
    const commands = (await fake.calls()).map((call) => call.argv[0]);
    assert.deepEqual(commands, ["store", "lookup", "clear", "lookup"], "probe, then the lookup");
  });
});

test("openSecretStore() probes once with a throwaway account and then uses the keychain", async () => {
  await withFixture(async ({ fake, home, warnings, options }) => {
    const store = openSecretStore(options());
    await Promise.all([store.set("a", "1"), store.set("b", "2")]);
    assert.equal(await store.get("a"), "1");
    await store.delete("b");
    const calls = await fake.calls();
    const probes = calls.filter((call) => /^__mcpc_probe_\d+_\d+__$/.test(call.argv.at(-1)!));
    assert.deepEqual(probes.map((call) => call.argv[0]), ["store", "lookup", "clear"]);
    assert.deepEqual([...(await fake.items()).keys()], ["a"]);
    assert.deepEqual(warnings, []);
    assert.equal(await pathExists(join(home, "credentials.json")), false);
  });
});

test("openSecretStore() runs keychain helpers with only the variables they need", async () => {
  await withFixture(async ({ fake, options }) => {
    const store = openSecretStore(
      options({ MCPC_TEST_TOKEN: "s3cr3t-from-env", DBUS_SESSION_BUS_ADDRESS: "unix:path=/x" }),
    );
    await store.set("a", "v");
    const calls = await fake.calls();
    assert.ok(calls.length > 0);
    for (const call of calls) {
      assert.doesNotMatch(call.env, /s3cr3t-from-env|UNRELATED/);
      assert.match(call.env, /^DBUS_SESSION_BUS_ADDRESS=unix:path=\/x$/m);
    }
  });
});

Deno.test("helperEnv() keeps how to reach the keyring and drops everything else", () => {
  assert.deepEqual(
    helperEnv({
      PATH: "/bin",
      HOME: "/h",
      DBUS_SESSION_BUS_ADDRESS: "unix:path=/b",
      XDG_RUNTIME_DIR: "/run/user/1",
      DISPLAY: ":0",
      API_TOKEN: "secret",
      MCPC_SECRET_STORE: "keychain",
    }),
    {
      PATH: "/bin",
      HOME: "/h",
      DBUS_SESSION_BUS_ADDRESS: "unix:path=/b",
      XDG_RUNTIME_DIR: "/run/user/1",
      DISPLAY: ":0",
    },
  );
});

test("openSecretStore() with MCPC_SECRET_STORE=file uses credentials.json and runs no keychain tool", async () => {
  await withFixture(async ({ fake, home, warnings, options }) => {
    const store = openSecretStore(options({ MCPC_SECRET_STORE: "file" }));
    await store.set("a", "secret");
    assert.equal(await store.get("a"), "secret");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(home, "credentials.json"))), {
      a: "secret",
    });
    assert.deepEqual(await fake.calls(), []);
    assert.deepEqual(warnings, []);
  });
});

test("openSecretStore() falls back to credentials.json with the warning when the probe fails", async () => {
  await withFixture(async ({ fake, home, warnings, options }) => {
    await fake.setMode("fail");
    const store = openSecretStore(options());
    await store.set("a", "secret");
    assert.equal(await store.get("a"), "secret");
    await store.delete("a");
    assert.deepEqual(warnings, [
      `OS keychain unavailable, falling back to file-based credential storage (${home}/credentials.json). Install a keyring daemon (e.g. gnome-keyring or kwallet) for better security.`,
    ]);
    assert.equal((await fake.calls()).length, 1, "one failed probe, nothing after it");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(home, "credentials.json"))), {});
  });
});

test("openSecretStore() falls back without a warning in JSON mode", async () => {
  await withFixture(async ({ fake, warnings, options }) => {
    await fake.setMode("fail");
    const store = openSecretStore({ ...options(), json: true });
    await store.set("a", "secret");
    assert.equal(await store.get("a"), "secret");
    assert.deepEqual(warnings, []);
  });
});

test("openSecretStore() falls back when secret-tool is not installed", async () => {
  await withFixture(async ({ home, warnings, options }) => {
    const store = openSecretStore({ ...options(), env: { PATH: join(home, "empty") } });
    await store.set("a", "secret");
    assert.deepEqual(warnings, [fallbackWarning(home)]);
  });
});

test("openSecretStore() falls back when the probe times out", async () => {
  await withFixture(async ({ fake, home, warnings, options }) => {
    await fake.setMode("hang");
    const store = openSecretStore({ ...options(), timeoutMs: 300 });
    await store.set("a", "secret");
    assert.deepEqual(warnings, [fallbackWarning(home)]);
    assert.equal(await store.get("a"), "secret");
  });
});

test("openSecretStore() with MCPC_SECRET_STORE=keychain fails instead of falling back", async () => {
  await withFixture(async ({ fake, home, warnings, options }) => {
    await fake.setMode("fail");
    const store = openSecretStore(options({ MCPC_SECRET_STORE: "keychain" }));
    for (const use of [() => store.get("a"), () => store.set("a", "v"), () => store.delete("a")]) {
      await assert.rejects(
        use(),
        new RegExp(
          String.raw`^Error: Cannot use the OS keychain \(MCPC_SECRET_STORE=keychain\): ` +
            String.raw`Cannot store secret "__mcpc_probe_\d+_\d+__" in the Secret Service: ` +
            String.raw`secret-tool exited 1: secret-tool: Cannot autolaunch D-Bus`,
        ),
      );
    }
    assert.deepEqual(warnings, []);
    assert.equal(await pathExists(join(home, "credentials.json")), false);
  });
});

test("openSecretStore() with MCPC_SECRET_STORE=keychain uses a working keychain", async () => {
  await withFixture(async ({ fake, options }) => {
    const store = openSecretStore(options({ MCPC_SECRET_STORE: "keychain" }));
    await store.set("a", "v");
    assert.equal((await fake.items()).get("a"), "v");
  });
});

test("openSecretStore() refuses an unknown MCPC_SECRET_STORE before anything runs", async () => {
  await withFixture(async ({ fake, options }) => {
    assert.throws(() => openSecretStore(options({ MCPC_SECRET_STORE: "vault" })), {
      name: "RangeError",
      message:
        'Cannot choose a secret store: MCPC_SECRET_STORE is "vault", expected "keychain" or "file"',
    });
    assert.deepEqual(await fake.calls(), []);
  });
});

test("openSecretStore() still finds secrets a file fallback stored earlier", async () => {
  await withFixture(async ({ fake, home, options }) => {
    const file = join(home, "credentials.json");
    await Deno.writeTextFile(file, JSON.stringify({ "session:@old:headers": "{}" }), {
      mode: 0o600,
    });
    const store = openSecretStore(options());
    assert.equal(await store.get("session:@old:headers"), "{}");
    await store.delete("session:@old:headers");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(file)), {});
    const looked = (await fake.calls()).filter((call) =>
      call.argv.at(-1) === "session:@old:headers"
    );
    assert.deepEqual(
      looked.map((call) => call.argv[0]),
      ["lookup", "lookup"],
      "keychain asked first",
    );
  });
});

Deno.test({
  name: "openSecretStore() on macOS without /usr/bin/security falls back to credentials.json",
  ignore: Deno.build.os === "darwin" || IS_WINDOWS,
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "keychain_test_home_" });
    try {
      const warnings: string[] = [];
      const store = openSecretStore({
        home,
        env: { PATH: "/usr/bin:/bin" },
        os: "darwin",
        warn: (message) => warnings.push(message),
        json: false,
      });
      await store.set("a", "v");
      assert.deepEqual(warnings, [fallbackWarning(home)]);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("openSecretStore() uses an injected backend, made once, on first use", async () => {
  const items = new Map<string, string>();
  let made = 0;
  const backend: KeychainBackend = {
    name: "Fake",
    maxItemBytes: 100,
    printableOnly: false,
    read: (account) => Promise.resolve(items.get(account)),
    write: (account, value) => Promise.resolve(void items.set(account, value)),
    remove: (account) => Promise.resolve(void items.delete(account)),
  };
  const store = openSecretStore({
    home: "/nonexistent-home",
    env: {},
    warn: () => assert.fail("no warning"),
    json: false,
    backend: () => (made++, backend),
  });
  assert.equal(made, 0);
  await store.set("a", "v");
  await store.get("a");
  assert.equal(made, 1);
  assert.deepEqual([...items], [["a", "v"]]);
});

Deno.test("probeKeychain() fails when the keychain returns another value", async () => {
  const backend: KeychainBackend = {
    name: "Liar",
    maxItemBytes: 100,
    printableOnly: false,
    read: () => Promise.resolve("something else"),
    write: () => Promise.resolve(),
    remove: () => Promise.resolve(),
  };
  await assert.rejects(probeKeychain(backend), /The Liar returned another value than was stored/);
});
