/**
 * Secrets stay secret (decisions.md §2): a bearer token (from `${VAR}` in a
 * config file or from `--header`) and a stdio `env` secret never show up in any
 * process's argv, in the bridge's environment, in sessions.json or in any log;
 * they live only in `credentials.json` (0600), from which a transparently
 * restarted bridge gets them again.
 *
 * The secrets are passed to the CLI in its own environment only; this test
 * process never has them in its environment or argv.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { DEMO_SERVER, eraTest, Harness, isAlive, waitFor } from "./harness.ts";

/** Where the stdio server finds its cached npm packages. */
const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;

/** A long random value that cannot occur anywhere by chance. */
function newSecret(): string {
  return `${crypto.randomUUID()}${crypto.randomUUID()}`.replaceAll("-", "");
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Arguments joined by spaces. */
  cmdline: string;
  /** `NAME=value` entries; undefined when unreadable. */
  environ?: string[];
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return new TextDecoder().decode(Deno.readFileSync(`/proc/${pid}/${file}`));
  } catch {
    return undefined;
  }
}

/** Every process on the machine whose argv can be read (others are skipped). */
function allProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const cmdline = readProc(pid, "cmdline");
    const stat = readProc(pid, "stat");
    if (cmdline === undefined || stat === undefined) continue;
    const environ = readProc(pid, "environ");
    processes.push({
      pid,
      ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]),
      cmdline: cmdline.split("\0").join(" "),
      environ: environ?.split("\0").filter((item) => item !== ""),
    });
  }
  return processes;
}

/** The demo stdio server started by bridge `bridgePid` (bounded wait). */
async function stdioServerOf(bridgePid: number, found: Set<number>): Promise<ProcessInfo> {
  const server = await waitFor(
    () =>
      allProcesses().find((info) =>
        info.ppid === bridgePid && info.cmdline.includes("demo_server.ts") &&
        info.cmdline.includes("--stdio") && isAlive(info.pid)
      ),
    5_000,
    `the stdio server of bridge ${bridgePid}`,
  );
  found.add(server.pid);
  return server;
}

/** Kills the stdio servers a test found, if they still run the demo server. */
function killStdioServers(found: Set<number>): void {
  for (const pid of found) {
    if (!isAlive(pid) || !readProc(pid, "cmdline")?.includes("demo_server.ts")) continue;
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Regular files under `dir`, recursively (paths relative to `dir`). */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${dir}${prefix}`)) {
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory) files.push(...await filesUnder(dir, path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}

/** What one leak check expects. */
interface LeakCheck {
  /** The running bridge. */
  bridgePid: number;
  /** The CLI variable that carried the secret (the bridge must not have it). */
  cliVariable: string;
  /** PIDs allowed to hold the secret in their environment (the stdio server). */
  allowedInEnviron?: number[];
}

/**
 * Asserts that `secret` is in no argv, in the environment of no process except
 * `allowedInEnviron`, in no file of the home except `credentials.json` (0600),
 * and that the bridge's environment is readable and clean.
 */
async function assertContained(harness: Harness, secret: string, check: LeakCheck) {
  const processes = allProcesses();
  const inArgv = processes.filter((info) => info.cmdline.includes(secret));
  assert.deepEqual(inArgv.map((info) => info.pid), [], "a process has the secret in its argv");
  const allowed = new Set(check.allowedInEnviron ?? []);
  const inEnviron = processes.filter((info) =>
    !allowed.has(info.pid) && info.environ?.some((item) => item.includes(secret))
  );
  assert.deepEqual(inEnviron.map((info) => info.pid), [], "a process has the secret in its env");

  const bridge = processes.find((info) => info.pid === check.bridgePid);
  assert.ok(bridge && isAlive(bridge.pid), `bridge ${check.bridgePid} is running`);
  assert.ok(bridge.cmdline.includes("__bridge"), bridge.cmdline);
  const bridgeEnv = bridge.environ ?? [];
  assert.ok(bridgeEnv.some((item) => item.startsWith("PATH=")), "bridge env is readable");
  assert.ok(
    !bridgeEnv.some((item) => item.startsWith(`${check.cliVariable}=`)),
    `the bridge inherited ${check.cliVariable}`,
  );

  const sessions = await Deno.readTextFile(`${harness.home}/sessions.json`);
  assert.ok(sessions.includes('"<redacted>"'), sessions);
  assert.ok(!sessions.includes(secret), "sessions.json holds the secret");

  const logs = await filesUnder(`${harness.home}/logs`);
  assert.ok(logs.length > 0, "the bridge wrote a log");
  const files = await filesUnder(harness.home);
  const leaking: string[] = [];
  for (const file of files) {
    if ((await Deno.readTextFile(`${harness.home}${file}`)).includes(secret)) leaking.push(file);
  }
  assert.deepEqual(leaking, ["/credentials.json"], "only credentials.json holds the secret");
  const mode = (await Deno.stat(`${harness.home}/credentials.json`)).mode! & 0o777;
  assert.equal(mode, 0o600, `credentials.json mode is ${mode.toString(8)}`);
}

async function echo(harness: Harness, name: string, message: string): Promise<string> {
  const result = await harness.json<{ content: { text: string }[] }>(
    [name, "tools-call", "echo", `message:=${message}`],
  );
  return result.content[0].text;
}

async function bridgePidOf(harness: Harness, name: string): Promise<number> {
  const pid = (await harness.sessions()).sessions[name]?.pid;
  assert.ok(pid !== undefined && isAlive(pid), `bridge of ${name} is running`);
  return pid;
}

/** SIGKILLs the bridge of `name` and waits (bounded) until it is gone. */
async function killBridge(harness: Harness, name: string): Promise<number> {
  const pid = await bridgePidOf(harness, name);
  Deno.kill(pid, "SIGKILL");
  await waitFor(() => !isAlive(pid), 5_000, "bridge death");
  return pid;
}

eraTest(
  "a bearer token from ${VAR} in a config file reaches only credentials.json",
  async (era) => {
    const token = newSecret();
    const server = await startDemoHttpServer({ era, requireBearer: token });
    const harness = await Harness.create();
    try {
      const config = `${harness.home}/mcp.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({
          mcpServers: {
            api: { url: server.url, headers: { Authorization: "Bearer ${MCPC_TEST_TOKEN}" } },
          },
        }),
      );
      const connect = await harness.run(["connect", `${config}:api`, "@sec"], {
        env: { MCPC_TEST_TOKEN: token },
      });
      assert.equal(connect.code, 0, connect.stderr);
      assert.ok(!connect.stdout.includes(token) && !connect.stderr.includes(token));
      const check = {
        bridgePid: await bridgePidOf(harness, "@sec"),
        cliVariable: "MCPC_TEST_TOKEN",
      };
      assert.equal(
        (await harness.sessions()).sessions["@sec"].server.headers?.Authorization,
        "<redacted>",
      );
      await assertContained(harness, token, check);

      // The server requires the token, so a working call proves the bridge has it.
      assert.equal(await echo(harness, "@sec", "authorized"), "authorized");
      await assertContained(harness, token, check);
      for (const args of [["@sec"], []]) {
        const shown = await harness.run(["--json", ...args]);
        assert.equal(shown.code, 0, shown.stderr);
        assert.ok(!shown.stdout.includes(token), `mcpc ${args.join(" ")} shows the token`);
      }

      // A restarted bridge gets the token from credentials.json, not from the CLI environment.
      const killed = await killBridge(harness, "@sec");
      assert.equal(await echo(harness, "@sec", "restarted"), "restarted");
      const restarted = await bridgePidOf(harness, "@sec");
      assert.notEqual(restarted, killed);
      await assertContained(harness, token, { ...check, bridgePid: restarted });
    } finally {
      await harness.cleanup();
      await server.close();
    }
  },
);

eraTest(
  "a bearer token given with --header is in no argv once connect has returned",
  async (era) => {
    const token = newSecret();
    const server = await startDemoHttpServer({ era, requireBearer: token });
    const harness = await Harness.create();
    try {
      const connect = await harness.run([
        "connect",
        server.url,
        "@hdr",
        "--header",
        `Authorization: Bearer ${token}`,
      ]);
      assert.equal(connect.code, 0, connect.stderr);
      const check = {
        bridgePid: await bridgePidOf(harness, "@hdr"),
        cliVariable: "MCPC_TEST_TOKEN",
      };
      await assertContained(harness, token, check);
      assert.equal(await echo(harness, "@hdr", "authorized"), "authorized");
      await assertContained(harness, token, check);

      const killed = await killBridge(harness, "@hdr");
      assert.equal(await echo(harness, "@hdr", "restarted"), "restarted");
      const restarted = await bridgePidOf(harness, "@hdr");
      assert.notEqual(restarted, killed);
      await assertContained(harness, token, { ...check, bridgePid: restarted });
    } finally {
      await harness.cleanup();
      await server.close();
    }
  },
);

eraTest(
  "a stdio env secret from ${VAR} reaches the server process but not the bridge",
  async (era) => {
    const secret = newSecret();
    const harness = await Harness.create();
    const stdioServers = new Set<number>();
    try {
      const config = `${harness.home}/mcp.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({
          mcpServers: {
            local: {
              command: Deno.execPath(),
              args: ["run", "--allow-all", DEMO_SERVER, "--stdio", "--era", era],
              env: {
                DEMO_SECRET: "${MCPC_TEST_SECRET}",
                DENO_TLS_CA_STORE: "system",
                DENO_DIR,
              },
            },
          },
        }),
      );
      const connect = await harness.run(["connect", `${config}:local`, "@env"], {
        env: { MCPC_TEST_SECRET: secret },
      });
      assert.equal(connect.code, 0, connect.stderr);
      assert.ok(!connect.stdout.includes(secret) && !connect.stderr.includes(secret));
      assert.equal(
        (await harness.sessions()).sessions["@env"].server.env?.DEMO_SECRET,
        "<redacted>",
      );

      const bridgePid = await bridgePidOf(harness, "@env");
      const stdio = await stdioServerOf(bridgePid, stdioServers);
      assert.ok(stdio.environ?.includes(`DEMO_SECRET=${secret}`), "the server got the secret");
      const check = {
        bridgePid,
        cliVariable: "MCPC_TEST_SECRET",
        allowedInEnviron: [stdio.pid],
      };
      await assertContained(harness, secret, check);
      assert.equal(await echo(harness, "@env", "stdio"), "stdio");
      await assertContained(harness, secret, check);

      // The restarted bridge passes the secret from credentials.json to a new server process.
      const killed = await killBridge(harness, "@env");
      assert.equal(await echo(harness, "@env", "restarted"), "restarted");
      const restarted = await bridgePidOf(harness, "@env");
      assert.notEqual(restarted, killed);
      const restartedStdio = await stdioServerOf(restarted, stdioServers);
      assert.notEqual(restartedStdio.pid, stdio.pid);
      assert.ok(restartedStdio.environ?.includes(`DEMO_SECRET=${secret}`), "the new server got it");
      await waitFor(() => !isAlive(stdio.pid), 5_000, "the orphaned server to exit");
      await assertContained(harness, secret, {
        ...check,
        bridgePid: restarted,
        allowedInEnviron: [restartedStdio.pid],
      });
    } finally {
      await harness.cleanup();
      killStdioServers(stdioServers);
    }
  },
);

eraTest(
  "a secret substituted into a config url stays out of records, logs and output",
  async (era) => {
    const secret = newSecret();
    const server = await startDemoHttpServer({ era });
    const harness = await Harness.create();
    try {
      const config = `${harness.home}/mcp.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({
          mcpServers: {
            q: {
              url: `${server.url}?key=\${MCPC_TEST_KEY}`,
              headers: { "X-Key": "${MCPC_TEST_KEY}" },
            },
          },
        }),
      );
      const env = { MCPC_TEST_KEY: secret };
      const connect = await harness.run(["connect", `${config}:q`, "@q"], { env });
      assert.equal(connect.code, 0, connect.stderr);
      const outputs = [connect.stdout, connect.stderr];
      for (const args of [[], ["--json"], ["@q"], ["--json", "@q"]]) {
        const result = await harness.run(args, { env });
        assert.equal(result.code, 0, result.stderr);
        outputs.push(result.stdout, result.stderr);
      }
      assert.ok(outputs.every((text) => !text.includes(secret)), "output shows the secret");
      assert.ok(
        outputs.some((text) => text.includes("${MCPC_TEST_KEY}")),
        "output shows the template",
      );
      await assertContained(harness, secret, {
        bridgePid: await bridgePidOf(harness, "@q"),
        cliVariable: "MCPC_TEST_KEY",
      });
      // A restarted bridge gets the substituted url from the secret store, without the variable.
      await killBridge(harness, "@q");
      assert.equal(await echo(harness, "@q", "again"), "again");
      await assertContained(harness, secret, {
        bridgePid: await bridgePidOf(harness, "@q"),
        cliVariable: "MCPC_TEST_KEY",
      });
    } finally {
      await harness.cleanup();
      await server.close();
    }
  },
);
