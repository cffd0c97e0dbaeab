/**
 * The Secret Service backend against a real GNOME Keyring: a private D-Bus
 * session bus (no service activation, so nothing else is started) and
 * `gnome-keyring-daemon --unlock` with its password on stdin, in a throwaway
 * HOME / XDG_RUNTIME_DIR / XDG_DATA_HOME that only these children and the
 * backend under test see. Every process is stopped by its PID and every wait
 * is bounded. CI installs the tools; without them the test fails, it is not
 * skipped.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import {
  fallbackWarning,
  openSecretStore,
  type OpenSecretStoreOptions,
  probeKeychain,
} from "../../src/auth/keychain.ts";
import { CHUNKED_PREFIX } from "../../src/auth/keychain_chunks.ts";
import { SecretToolBackend } from "../../src/auth/secret_store_linux.ts";
import { findExecutable, runTool } from "../../src/platform/run_tool.ts";
import { withDeadline } from "../fakes/deadline.ts";
import { Harness, isAlive } from "./harness.ts";

const REQUIRED = ["secret-tool", "dbus-daemon", "gnome-keyring-daemon"];
/** Bound on starting the bus and the keyring, and on stopping each process. */
const WAIT_MS = 15_000;
const STOP_MS = 3_000;

/** A private bus with an unlocked keyring on it. */
interface KeyringSession {
  /** What a Secret Service client needs: the bus, and the throwaway XDG dirs. */
  env: Record<string, string>;
  dir: string;
  stop(): Promise<void>;
}

/** A child whose output is drained in the background (so it never blocks on a full pipe). */
interface Daemon {
  name: string;
  child: Deno.ChildProcess;
  exited: boolean;
  stderr: Promise<string>;
}

function spawnDaemon(
  name: string,
  args: string[],
  env: Record<string, string>,
  stdin: "piped" | "null",
): Daemon {
  const child = new Deno.Command(name, {
    args,
    env,
    clearEnv: true,
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const daemon: Daemon = {
    name,
    child,
    exited: false,
    stderr: new Response(child.stderr).text(),
  };
  child.status.then(() => daemon.exited = true);
  return daemon;
}

/** SIGTERM by PID, then SIGKILL if it is still there; waits (bounded) for its status. */
async function stopDaemon(daemon: Daemon): Promise<void> {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    if (daemon.exited) break;
    try {
      Deno.kill(daemon.child.pid, signal);
    } catch {
      // It exited in the meantime.
    }
    await withDeadline(daemon.child.status, STOP_MS, `${daemon.name} to stop`).catch(() => {});
  }
  await withDeadline(daemon.child.status, STOP_MS, `${daemon.name} to stop`);
  await withDeadline(daemon.stderr, STOP_MS, `${daemon.name}'s stderr`).catch(() => "");
}

/** The first line `stream` prints, within `ms`. */
async function firstLine(stream: ReadableStream<Uint8Array>, ms: number): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const read = async () => {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    return text.split("\n")[0];
  };
  try {
    return await withDeadline(read(), ms, "the bus address");
  } finally {
    // Keep draining in the background: the daemon must never block on stdout.
    (async () => {
      while (!(await reader.read()).done);
    })().catch(() => {});
  }
}

async function startKeyringSession(): Promise<KeyringSession> {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "mcpck-" });
  const home = `${dir}/home`;
  const run = `${dir}/run`;
  const data = `${dir}/data`;
  await Deno.mkdir(home);
  await Deno.mkdir(run, { mode: 0o700 });
  await Deno.chmod(run, 0o700);
  await Deno.mkdir(data);
  const config = `${dir}/bus.conf`;
  await Deno.writeTextFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${run}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const base = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    XDG_RUNTIME_DIR: run,
    XDG_DATA_HOME: data,
    LANG: "C.UTF-8",
  };
  const daemons: Daemon[] = [];
  const stop = async () => {
    for (const daemon of daemons.reverse()) await stopDaemon(daemon);
    await Deno.remove(dir, { recursive: true });
  };
  try {
    const bus = spawnDaemon(
      "dbus-daemon",
      [`--config-file=${config}`, "--print-address=1", "--nofork"],
      base,
      "null",
    );
    daemons.push(bus);
    const address = await firstLine(bus.child.stdout, WAIT_MS);
    if (!address.startsWith("unix:")) {
      const stderr = await withDeadline(bus.stderr, STOP_MS, "dbus-daemon's stderr").catch(() =>
        ""
      );
      throw new Error(`dbus-daemon printed no bus address: ${stderr}`);
    }
    const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
    const keyring = spawnDaemon(
      "gnome-keyring-daemon",
      ["--foreground", "--unlock", "--components=secrets"],
      env,
      "piped",
    );
    daemons.push(keyring);
    keyring.child.stdout.pipeTo(new WritableStream()).catch(() => {});
    const writer = keyring.child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`pw-${crypto.randomUUID()}`));
    await writer.close();
    await waitForSecretService(env, keyring);
    return { env, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Until the keyring answers a lookup ("not found": exit 1, no output), bounded. */
async function waitForSecretService(env: Record<string, string>, keyring: Daemon): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let last = "";
  while (Date.now() < deadline) {
    if (keyring.exited) {
      const stderr = await withDeadline(keyring.stderr, STOP_MS, "its stderr").catch(() => "");
      throw new Error(`gnome-keyring-daemon exited: ${stderr}`);
    }
    const result = await runTool("secret-tool", [
      "lookup",
      "service",
      "mcpc",
      "account",
      "__mcpc_ready__",
    ], { env, timeoutMs: 2_000 }).catch((error) => ({ code: -1, stderr: String(error) }));
    if (result.code === 1 && result.stderr === "") return;
    last = result.stderr;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The Secret Service did not come up within ${WAIT_MS} ms: ${last}`);
}

/** `secret-tool lookup` of an account, straight from the keyring. */
async function lookup(env: Record<string, string>, account: string): Promise<string | undefined> {
  const result = await runTool("secret-tool", ["lookup", "service", "mcpc", "account", account], {
    env,
    timeoutMs: 5_000,
  });
  if (result.code === 1 && result.stdout.length === 0) return undefined;
  assert.equal(result.code, 0, result.stderr);
  return new TextDecoder().decode(result.stdout);
}

async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of REQUIRED) {
    if (!(await findExecutable(tool, Deno.env.get("PATH")))) missing.push(tool);
  }
  if (missing.length > 0) {
    throw new Error(
      `The real keychain test needs ${missing.join(", ")}: ` +
        "install gnome-keyring dbus libsecret-tools (apt-get install -y gnome-keyring dbus libsecret-tools)",
    );
  }
}

Deno.test({
  name: "the Secret Service backend stores, reads and deletes real secrets in GNOME Keyring",
  ignore: Deno.build.os !== "linux",
  fn: async (t) => {
    await requireTools();
    const session = await startKeyringSession();
    const mcpcHome = `${session.dir}/mcpc`;
    await Deno.mkdir(mcpcHome, { mode: 0o700 });
    const warnings: string[] = [];
    const options = (env: Record<string, string> = {}): OpenSecretStoreOptions => ({
      home: mcpcHome,
      env: { ...session.env, ...env },
      os: "linux",
      warn: (message) => warnings.push(message),
      json: false,
    });
    try {
      await t.step("the probe succeeds", async () => {
        await probeKeychain(new SecretToolBackend({ env: session.env }));
      });

      await t.step("unicode, multi-line and 10 KB values round-trip", async () => {
        const store = openSecretStore(options({ MCPC_SECRET_STORE: "keychain" }));
        const values = {
          "session:@kc:headers": JSON.stringify({ Authorization: "Bearer t0k3n" }),
          "session:@kc:env": JSON.stringify({ NAME: "Jürgen ✓ 🔑 日本語" }),
          "auth-profile:example.com:default:tokens": "line one\nline two\n",
          "session:@big:headers": JSON.stringify({ "X-Big": "ü✓".repeat(3_500) }),
        };
        for (const [account, value] of Object.entries(values)) await store.set(account, value);
        for (const [account, value] of Object.entries(values)) {
          assert.equal(await store.get(account), value, account);
        }
        // Small values are plain items; the 10 KB one is in parts under secret-tool's 8 KiB cut.
        assert.equal(await lookup(session.env, "session:@kc:env"), values["session:@kc:env"]);
        const head = await lookup(session.env, "session:@big:headers");
        assert.ok(head?.startsWith(CHUNKED_PREFIX), head);
        assert.ok(new TextEncoder().encode(values["session:@big:headers"]).length > 10_000);
        for (const account of Object.keys(values)) {
          await store.delete(account);
          assert.equal(await store.get(account), undefined, account);
          assert.equal(await lookup(session.env, account), undefined, account);
        }
        assert.equal(await lookup(session.env, "session:@big:headers#1"), undefined);
        assert.deepEqual(warnings, []);
      });

      await t.step(
        "without MCPC_SECRET_STORE the keychain is chosen, with no warning",
        async () => {
          const store = openSecretStore(options());
          await store.set("session:@auto:headers", "{}");
          assert.equal(await lookup(session.env, "session:@auto:headers"), "{}");
          await store.delete("session:@auto:headers");
          assert.deepEqual(warnings, []);
          await assert.rejects(Deno.lstat(`${mcpcHome}/credentials.json`), Deno.errors.NotFound);
        },
      );

      await t.step("secrets an earlier file fallback stored are still found", async () => {
        await Deno.writeTextFile(
          `${mcpcHome}/credentials.json`,
          JSON.stringify({ "session:@old:headers": '{"X-Old":"1"}' }),
          { mode: 0o600 },
        );
        const store = openSecretStore(options());
        assert.equal(await store.get("session:@old:headers"), '{"X-Old":"1"}');
        await store.set("session:@old:headers", '{"X-Old":"2"}');
        assert.equal(await lookup(session.env, "session:@old:headers"), '{"X-Old":"2"}');
        assert.deepEqual(JSON.parse(await Deno.readTextFile(`${mcpcHome}/credentials.json`)), {});
        await store.delete("session:@old:headers");
      });

      await t.step(
        "with the keyring gone, the store falls back to the file and warns",
        async () => {
          const store = openSecretStore(
            options({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${session.dir}/no-bus` }),
          );
          await store.set("session:@fb:headers", "{}");
          assert.deepEqual(warnings, [fallbackWarning(mcpcHome)]);
          warnings.length = 0;
          await store.delete("session:@fb:headers");
        },
      );

      await t.step("mcpc connect keeps a --header token in the keychain only", async () => {
        await cliRoundTrip(session.env);
      });
    } finally {
      await session.stop();
    }
  },
});

/**
 * The CLI end to end: `connect -H` stores the header in the keyring (no
 * credentials.json), a killed bridge is restarted with the token read back
 * from it, and `close` deletes it.
 */
async function cliRoundTrip(keyringEnv: Record<string, string>): Promise<void> {
  const token = crypto.randomUUID().replaceAll("-", "");
  const server = await startDemoHttpServer({ requireBearer: token });
  const harness = await Harness.create();
  // The keyring's bus and dirs; HOME stays the runner's (Deno's cache lives there).
  const env = {
    MCPC_SECRET_STORE: "keychain",
    DBUS_SESSION_BUS_ADDRESS: keyringEnv.DBUS_SESSION_BUS_ADDRESS,
    XDG_RUNTIME_DIR: keyringEnv.XDG_RUNTIME_DIR,
    XDG_DATA_HOME: keyringEnv.XDG_DATA_HOME,
  };
  try {
    const connect = await harness.run(
      ["connect", server.url, "@kc", "-H", `Authorization: Bearer ${token}`],
      { env },
    );
    assert.equal(connect.code, 0, connect.stderr);
    assert.doesNotMatch(connect.stderr, /OS keychain unavailable/);
    await assert.rejects(Deno.lstat(`${harness.home}/credentials.json`), Deno.errors.NotFound);
    const stored = await lookup(keyringEnv, "session:@kc:headers");
    assert.equal(JSON.parse(stored!).Authorization, `Bearer ${token}`);

    const pid = (await harness.sessions()).sessions["@kc"]?.pid;
    assert.ok(pid !== undefined && isAlive(pid));
    Deno.kill(pid, "SIGKILL");
    const call = await harness.run(["--json", "@kc", "tools-call", "echo", "message:=again"], {
      env,
    });
    assert.equal(call.code, 0, call.stderr);
    assert.equal(JSON.parse(call.stdout).content[0].text, "again");

    const close = await harness.run(["close", "@kc"], { env });
    assert.equal(close.code, 0, close.stderr);
    assert.equal(await lookup(keyringEnv, "session:@kc:headers"), undefined);
  } finally {
    await harness.cleanup();
    await server.close();
  }
}
