import assert from "node:assert/strict";
import { isPrintableAscii } from "../../../src/auth/keychain_chunks.ts";
import { KeychainSecretStore } from "../../../src/auth/keychain_store.ts";
import {
  addPasswordLine,
  isSafeAccount,
  SECURITY_MAX_LINE,
  SecurityCliBackend,
} from "../../../src/auth/secret_store_macos.ts";
import { ToolTimeoutError } from "../../../src/platform/run_tool.ts";
import { isProcessRunning } from "../../../src/platform/process.ts";
import { createFakeTool, type FakeTool } from "../../fakes/keychain_tools.ts";

const IS_WINDOWS = Deno.build.os === "windows";
const SECRET = '{"Authorization":"Bearer s3cr3t-token"}';

function hex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

function unhex(text: string): string {
  return new TextDecoder().decode(
    new Uint8Array(text.match(/../g)?.map((pair) => parseInt(pair, 16)) ?? []),
  );
}

async function withFake(body: (fake: FakeTool, backend: SecurityCliBackend) => Promise<void>) {
  const fake = await createFakeTool("security");
  try {
    await body(fake, new SecurityCliBackend({ env: fake.env, command: fake.path }));
  } finally {
    for (const call of await fake.calls()) {
      if (call.pid && isProcessRunning(call.pid)) Deno.kill(call.pid, "SIGKILL");
    }
    await Deno.remove(fake.dir, { recursive: true });
  }
}

function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: IS_WINDOWS, fn });
}

test("SecurityCliBackend write() runs security -i with the value as hex on stdin only", async () => {
  await withFake(async (fake, backend) => {
    await backend.write("session:@s:headers", SECRET);
    const [call] = await fake.calls();
    assert.deepEqual(call.argv, ["-i"]);
    assert.equal(
      call.stdin,
      `add-generic-password -U -s mcpc -a session:@s:headers -X ${hex(SECRET)}\n`,
    );
    for (const text of [call.argv.join(" "), call.env]) {
      assert.ok(!text.includes("s3cr3t"), "no value in argv or environment");
      assert.ok(!text.includes(hex(SECRET)), "no hex value in argv or environment");
    }
    assert.equal(unhex((await fake.items()).get("session:@s:headers")!), SECRET);
  });
});

test("SecurityCliBackend read() uses find-generic-password -w and drops its newline", async () => {
  await withFake(async (fake, backend) => {
    await backend.write("auth-profile:example.com:default:tokens", SECRET);
    assert.equal(await backend.read("auth-profile:example.com:default:tokens"), SECRET);
    const find = (await fake.calls()).find((call) => call.argv[0] === "find-generic-password")!;
    assert.deepEqual(find.argv, [
      "find-generic-password",
      "-s",
      "mcpc",
      "-a",
      "auth-profile:example.com:default:tokens",
      "-w",
    ]);
  });
});

test("SecurityCliBackend read() returns undefined and remove() succeeds for a missing item (exit 44)", async () => {
  await withFake(async (fake, backend) => {
    assert.equal(await backend.read("a"), undefined);
    await backend.remove("a");
    const calls = await fake.calls();
    assert.deepEqual(calls[1].argv, ["delete-generic-password", "-s", "mcpc", "-a", "a"]);
  });
});

test("SecurityCliBackend remove() deletes a stored item", async () => {
  await withFake(async (fake, backend) => {
    await backend.write("a", "v");
    await backend.remove("a");
    assert.equal((await fake.items()).size, 0);
  });
});

test("SecurityCliBackend rejects account names that could break the command line, before running anything", async () => {
  await withFake(async (fake, backend) => {
    for (const account of ["with space", 'quo"te', "it's", "back\\slash", "new\nline", "-a", ""]) {
      assert.equal(isSafeAccount(account), false, JSON.stringify(account));
      await assert.rejects(backend.write(account, "v"), TypeError);
      await assert.rejects(backend.read(account), TypeError);
      await assert.rejects(backend.remove(account), TypeError);
    }
    assert.deepEqual(await fake.calls(), []);
  });
});

Deno.test("isSafeAccount() accepts the accounts mcpc uses", () => {
  for (
    const account of [
      "session:@name:headers",
      "session:@my-session_2:env",
      "auth-profile:mcp.example.com:8443:default:tokens",
      "auth-profile:[::1]:3000:work:client",
      "x402-wallet",
      "__mcpc_probe_1767000000000_123456__",
      "session:@s:headers#3",
    ]
  ) {
    assert.ok(isSafeAccount(account), account);
  }
});

Deno.test("addPasswordLine() fits one security -i line for the largest item of the longest account", () => {
  const account = `auth-profile:${"h".repeat(250)}:p:tokens#12`;
  const backend = new SecurityCliBackend({ env: {} });
  const line = addPasswordLine(account.slice(0, 300), "x".repeat(backend.maxItemBytes));
  assert.ok(line.length <= SECURITY_MAX_LINE, `${line.length} characters`);
});

test("SecurityCliBackend write() refuses a value too long for one line", async () => {
  await withFake(async (fake, backend) => {
    await assert.rejects(backend.write("a", "x".repeat(2100)), RangeError);
    assert.deepEqual(await fake.calls(), []);
  });
});

test("SecurityCliBackend with KeychainSecretStore keeps unicode and 10 KB values in printable items", async () => {
  await withFake(async (fake, backend) => {
    const store = new KeychainSecretStore(backend);
    for (const value of ['{"X-Name":"Jürgen ✓"}', "z".repeat(10_240), "line\nbreak"]) {
      await store.set("session:@s:headers", value);
      assert.equal(await store.get("session:@s:headers"), value);
    }
    for (const item of (await fake.items()).values()) {
      assert.ok(isPrintableAscii(unhex(item)), "find-generic-password -w would print it as it is");
    }
    for (const call of await fake.calls()) {
      assert.ok(call.stdin.length <= SECURITY_MAX_LINE + 1, "every line fits security -i");
    }
    await store.delete("session:@s:headers");
    assert.equal((await fake.items()).size, 0);
  });
});

test("SecurityCliBackend reports a failing security with its message", async () => {
  await withFake(async (fake, backend) => {
    await fake.setMode("fail");
    await assert.rejects(
      backend.read("a"),
      /^Error: Cannot read secret "a" from the macOS Keychain: security exited 1: security: /,
    );
  });
});

test("SecurityCliBackend stops a security that hangs, by its PID, after the timeout", async () => {
  await withFake(async (fake) => {
    await fake.setMode("hang");
    const backend = new SecurityCliBackend({ env: fake.env, command: fake.path, timeoutMs: 300 });
    await assert.rejects(backend.write("a", SECRET), (error: unknown) => {
      assert.ok(error instanceof Error && error.cause instanceof ToolTimeoutError);
      return true;
    });
    const [call] = await fake.calls();
    assert.equal(isProcessRunning(call.pid), false);
  });
});
