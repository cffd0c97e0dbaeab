import assert from "node:assert/strict";
import { KeychainSecretStore } from "../../../src/auth/keychain_store.ts";
import { SecretToolBackend } from "../../../src/auth/secret_store_linux.ts";
import { ToolTimeoutError } from "../../../src/platform/run_tool.ts";
import { isProcessRunning } from "../../../src/platform/process.ts";
import { createFakeTool, type FakeTool } from "../../fakes/keychain_tools.ts";

const IS_WINDOWS = Deno.build.os === "windows";
const SECRET = '{"Authorization":"Bearer s3cr3t-ünï-✓"}';

async function withFake(body: (fake: FakeTool) => Promise<void>): Promise<void> {
  const fake = await createFakeTool("secret-tool");
  try {
    await body(fake);
  } finally {
    for (const call of await fake.calls()) {
      for (const pid of [call.pid, call.child]) {
        if (pid && isProcessRunning(pid)) Deno.kill(pid, "SIGKILL");
      }
    }
    await Deno.remove(fake.dir, { recursive: true });
  }
}

function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: IS_WINDOWS, fn });
}

test("SecretToolBackend write() sends the value on stdin with the mcpc attributes", async () => {
  await withFake(async (fake) => {
    await new SecretToolBackend({ env: fake.env }).write("session:@s:headers", SECRET);
    const [call] = await fake.calls();
    assert.deepEqual(call.argv, [
      "store",
      "--label=mcpc: session:@s:headers",
      "service",
      "mcpc",
      "account",
      "session:@s:headers",
    ]);
    assert.equal(call.stdin, SECRET);
    assert.equal((await fake.items()).get("session:@s:headers"), SECRET);
  });
});

test("SecretToolBackend never puts the value in the argv or environment of secret-tool", async () => {
  await withFake(async (fake) => {
    const backend = new SecretToolBackend({ env: fake.env });
    const store = new KeychainSecretStore(backend);
    await store.set("session:@s:headers", SECRET);
    assert.equal(await store.get("session:@s:headers"), SECRET);
    await store.delete("session:@s:headers");
    const calls = await fake.calls();
    assert.ok(calls.length >= 3);
    for (const call of calls) {
      assert.ok(!call.argv.join("\n").includes("s3cr3t"), `argv ${call.argv.join(" ")}`);
      assert.ok(!call.env.includes("s3cr3t"), "environment");
      assert.match(call.env, /^UNRELATED=kept$/m, "the given environment is passed on");
    }
    assert.ok(calls.some((call) => call.stdin === SECRET), "the value went through stdin");
  });
});

test("SecretToolBackend read() returns the stored value and undefined when lookup finds none", async () => {
  await withFake(async (fake) => {
    const backend = new SecretToolBackend({ env: fake.env });
    assert.equal(await backend.read("a"), undefined);
    await backend.write("a", "line one\nline two\n");
    assert.equal(await backend.read("a"), "line one\nline two\n");
    const lookup = (await fake.calls()).find((call) => call.argv[0] === "lookup")!;
    assert.deepEqual(lookup.argv, ["lookup", "service", "mcpc", "account", "a"]);
  });
});

test("SecretToolBackend remove() deletes the item and ignores a missing one", async () => {
  await withFake(async (fake) => {
    const backend = new SecretToolBackend({ env: fake.env });
    await backend.write("a", "v");
    await backend.remove("a");
    await backend.remove("a");
    assert.equal((await fake.items()).size, 0);
    const clear = (await fake.calls()).filter((call) => call.argv[0] === "clear");
    assert.deepEqual(clear[0].argv, ["clear", "service", "mcpc", "account", "a"]);
  });
});

test("SecretToolBackend reports a failing secret-tool with its message", async () => {
  await withFake(async (fake) => {
    await fake.setMode("fail");
    const backend = new SecretToolBackend({ env: fake.env });
    await assert.rejects(
      backend.read("a"),
      {
        message:
          'Cannot read secret "a" from the Secret Service: secret-tool exited 1: secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY',
      },
    );
    await assert.rejects(backend.write("a", "v"), /Cannot store secret "a" in the Secret Service/);
    await assert.rejects(backend.remove("a"), /Cannot delete secret "a" from the Secret Service/);
  });
});

test("SecretToolBackend stops a secret-tool that hangs, by its PID, after the timeout", async () => {
  await withFake(async (fake) => {
    await fake.setMode("hang");
    const backend = new SecretToolBackend({ env: fake.env, timeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(backend.write("a", SECRET), (error: unknown) => {
      assert.ok(error instanceof Error && error.cause instanceof ToolTimeoutError);
      assert.match(error.message, /^Cannot store secret "a" in the Secret Service: .*300 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 5_000);
    const [call] = await fake.calls();
    assert.equal(isProcessRunning(call.pid), false, "the hung secret-tool is gone");
  });
});

test("SecretToolBackend says to install libsecret-tools when secret-tool is missing", async () => {
  await withFake(async (fake) => {
    const backend = new SecretToolBackend({ env: { PATH: "/nonexistent" } });
    await assert.rejects(
      backend.read("a"),
      /Cannot find "secret-tool" on PATH: install libsecret-tools/,
    );
    assert.deepEqual(await fake.calls(), []);
  });
});

test("SecretToolBackend runs the command it is given", async () => {
  await withFake(async (fake) => {
    const backend = new SecretToolBackend({ env: { PATH: "/usr/bin:/bin" }, command: fake.path });
    await backend.write("a", "v");
    assert.equal((await fake.calls()).length, 1);
  });
});

test("SecretToolBackend with KeychainSecretStore keeps a 10 KB value in items under 8 KB", async () => {
  await withFake(async (fake) => {
    const store = new KeychainSecretStore(new SecretToolBackend({ env: fake.env }));
    const value = "ж".repeat(5_000);
    await store.set("big", value);
    assert.equal(await store.get("big"), value);
    const items = await fake.items();
    assert.ok(items.size >= 3);
    for (const item of items.values()) assert.ok(new TextEncoder().encode(item).length <= 8_000);
    await store.delete("big");
    assert.equal((await fake.items()).size, 0);
  });
});
