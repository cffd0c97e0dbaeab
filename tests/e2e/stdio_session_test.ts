/**
 * Sessions with stdio servers from config file entries, end to end: connect
 * (`mcpServers` and VS Code `servers`), `${VAR}` substitution, relative config
 * paths, a server that fails at start, transparent restart after the bridge is
 * killed, and close stopping the server process.
 */

import assert from "node:assert/strict";
import {
  DEMO_SERVER,
  eraTest,
  Harness,
  isAlive,
  revisionOf,
  type ServerEra,
  waitFor,
} from "./harness.ts";

/** Where the stdio server finds its cached npm packages. */
const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;

interface StdioEntry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * A config entry that runs the demo server over stdio, speaking only the
 * revisions of `era` when given (`extraArgs` go after `--stdio`).
 */
function demoEntry(
  options: {
    era?: ServerEra;
    script?: string;
    extraArgs?: string[];
    env?: Record<string, string>;
  } = {},
): StdioEntry {
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--allow-all",
      options.script ?? DEMO_SERVER,
      "--stdio",
      ...(options.era ? ["--era", options.era] : []),
      ...(options.extraArgs ?? []),
    ],
    env: { DENO_TLS_CA_STORE: "system", DENO_DIR, ...(options.env ?? {}) },
  };
}

/** Writes `{"mcpServers": servers}` (or `{"servers": ...}`) to `path`. */
async function writeConfig(
  path: string,
  servers: Record<string, StdioEntry>,
  key: "mcpServers" | "servers" = "mcpServers",
): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify({ [key]: servers }, null, 2));
}

/** The PID of the running bridge of `name`, from sessions.json. */
async function bridgePid(harness: Harness, name: string): Promise<number> {
  const pid = (await harness.sessions()).sessions[name]?.pid;
  assert.ok(pid !== undefined && isAlive(pid), `bridge of ${name} is running`);
  return pid;
}

/** The parent PID of `pid` (field 4 of `/proc/<pid>/stat`), or undefined when it is gone. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs the demo server over stdio. */
function isDemoStdioServer(pid: number): boolean {
  try {
    const args = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    return args.some((arg) => arg.endsWith("demo_server.ts")) && args.includes("--stdio");
  } catch {
    return false;
  }
}

/** Live demo stdio servers whose parent is `parent`. */
function demoChildrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (parentPid(pid) === parent && isDemoStdioServer(pid) && isAlive(pid)) pids.push(pid);
  }
  return pids;
}

/** Waits (bounded) for the one demo stdio server of bridge `parent` and records it in `found`. */
async function stdioChildOf(parent: number, found: Set<number>): Promise<number> {
  const [pid] = await waitFor(
    () => {
      const children = demoChildrenOf(parent);
      return children.length > 0 ? children : undefined;
    },
    5_000,
    `the stdio server of bridge ${parent}`,
  );
  found.add(pid);
  return pid;
}

/** Kills the stdio servers found by a test that are still demo servers. */
function killChildren(found: Set<number>): void {
  for (const pid of found) {
    if (!isAlive(pid) || !isDemoStdioServer(pid)) continue;
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Runs `fn` with a fresh home holding `mcp.json` with the entry `demo`. */
async function withConfig(
  era: ServerEra,
  fn: (harness: Harness, config: string, children: Set<number>) => Promise<void>,
): Promise<void> {
  const harness = await Harness.create();
  const children = new Set<number>();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { demo: demoEntry({ era }) });
    await fn(harness, config, children);
  } finally {
    await harness.cleanup();
    killChildren(children);
  }
}

async function echo(harness: Harness, name: string, message: string): Promise<string> {
  const result = await harness.json<{ content: { text: string }[] }>(
    [name, "tools-call", "echo", `message:=${message}`],
  );
  return result.content[0].text;
}

eraTest(
  "connect <file>:<entry> starts a stdio session that answers tools-call and details",
  async (era) => {
    await withConfig(era, async (harness, config, children) => {
      const connect = await harness.run(["connect", `${config}:demo`, "@stdio"]);
      assert.equal(connect.code, 0, connect.stderr);
      assert.match(connect.stdout, /Server: mcpc-demo-server \(version: 1\.0\.0\)/);
      assert.match(connect.stdout, /✓ Session @stdio created/);
      await stdioChildOf(await bridgePid(harness, "@stdio"), children);

      assert.equal(await echo(harness, "@stdio", "over stdio"), "over stdio");
      const details = await harness.json<{
        serverInfo: { name: string };
        protocolVersion: string;
        _mcpc: { server: { command?: string; url?: string } };
      }>(["@stdio"]);
      assert.equal(details.serverInfo.name, "mcpc-demo-server");
      assert.equal(details.protocolVersion, revisionOf(era));
      assert.equal(details._mcpc.server.command, Deno.execPath());
      assert.equal(details._mcpc.server.url, undefined);

      const log = `${harness.home}/logs/bridge-@stdio.log`;
      await waitFor(
        async () =>
          (await Deno.readTextFile(log)).includes("[server stderr] demo server ready (stdio)"),
        5_000,
        "the server's stderr in the bridge log",
      );
    });
  },
);

eraTest("connect accepts the VS Code `servers` form of a config file", async (era) => {
  const harness = await Harness.create();
  const children = new Set<number>();
  try {
    const config = `${harness.home}/vscode.json`;
    await writeConfig(config, { code: demoEntry({ era }) }, "servers");
    const connect = await harness.run(["connect", `${config}:code`, "@vscode"]);
    assert.equal(connect.code, 0, connect.stderr);
    await stdioChildOf(await bridgePid(harness, "@vscode"), children);
    assert.equal(await echo(harness, "@vscode", "vs code"), "vs code");
  } finally {
    await harness.cleanup();
    killChildren(children);
  }
});

eraTest("connect substitutes ${VAR} from the CLI environment in args and env", async (era) => {
  const harness = await Harness.create();
  const children = new Set<number>();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, {
      sub: demoEntry({
        era,
        script: "${MCPC_TEST_DEMO_SCRIPT}",
        env: { DEMO_STDERR_LINES: "${MCPC_TEST_LINES}" },
      }),
    });
    const connect = await harness.run(["connect", `${config}:sub`, "@sub"], {
      env: { MCPC_TEST_DEMO_SCRIPT: DEMO_SERVER, MCPC_TEST_LINES: "3" },
    });
    assert.equal(connect.code, 0, connect.stderr);
    assert.doesNotMatch(connect.stderr, /Environment variable not found/);
    await stdioChildOf(await bridgePid(harness, "@sub"), children);
    assert.equal(await echo(harness, "@sub", "substituted"), "substituted");

    const record = (await harness.sessions()).sessions["@sub"];
    assert.ok(
      record.server.args?.includes("${MCPC_TEST_DEMO_SCRIPT}"),
      "args that use ${VAR} are stored as written (the value may be a secret)",
    );
    assert.ok(!JSON.stringify(record).includes(DEMO_SERVER));
    assert.deepEqual(Object.keys(record.server.env ?? {}).sort(), [
      "DEMO_STDERR_LINES",
      "DENO_DIR",
      "DENO_TLS_CA_STORE",
    ]);
    const log = `${harness.home}/logs/bridge-@sub.log`;
    await waitFor(
      async () =>
        (await Deno.readTextFile(log)).includes("[server stderr] demo stderr line 3 of 3"),
      5_000,
      "the substituted DEMO_STDERR_LINES to take effect",
    );
  } finally {
    await harness.cleanup();
    killChildren(children);
  }
});

eraTest("connect resolves a relative config path against the current directory", async (era) => {
  const harness = await Harness.create();
  const children = new Set<number>();
  try {
    const project = `${harness.home}/project`;
    await Deno.mkdir(`${project}/conf`, { recursive: true });
    await writeConfig(`${project}/conf/mcp.json`, { demo: demoEntry({ era }) });
    const elsewhere = await harness.run(["connect", "conf/mcp.json:demo", "@rel"]);
    assert.equal(elsewhere.code, 1, "not found relative to the home directory");
    assert.match(elsewhere.stderr, /Config file not found: .*\/conf\/mcp\.json/);

    const connect = await harness.run(["connect", "conf/mcp.json:demo", "@rel"], { cwd: project });
    assert.equal(connect.code, 0, connect.stderr);
    await stdioChildOf(await bridgePid(harness, "@rel"), children);
    assert.equal(await echo(harness, "@rel", "relative"), "relative");
    assert.equal((await harness.sessions()).sessions["@rel"].cwd, project);
  } finally {
    await harness.cleanup();
    killChildren(children);
  }
});

Deno.test("connect to a stdio server that fails at start shows its recent stderr", async () => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, {
      broken: demoEntry({ extraArgs: ["--fail-start"], env: { DEMO_STDERR_LINES: "2" } }),
    });
    const connect = await harness.run(["connect", `${config}:broken`, "@broken"]);
    assert.equal(connect.code, 1, connect.stderr);
    assert.match(connect.stderr, /exited with code 1 before answering initialize/);
    assert.match(connect.stderr, /Recent server stderr/);
    assert.match(connect.stderr, /demo stderr line 2 of 2/);
    assert.match(connect.stderr, /fatal: demo failure requested/);
    assert.doesNotMatch(connect.stdout, /✓ Session @broken created/);
    assert.deepEqual((await harness.sessions()).sessions, {}, "no session is left behind");
    await waitFor(async () => (await harness.bridgePids()).length === 0, 10_000, "no bridge");
  } finally {
    await harness.cleanup();
  }
});

eraTest(
  "a killed stdio bridge is restarted transparently with a new server process",
  async (era) => {
    await withConfig(era, async (harness, config, children) => {
      const connect = await harness.run(["connect", `${config}:demo`, "@stdio"]);
      assert.equal(connect.code, 0, connect.stderr);
      const oldBridge = await bridgePid(harness, "@stdio");
      const oldChild = await stdioChildOf(oldBridge, children);

      Deno.kill(oldBridge, "SIGKILL");
      await waitFor(() => !isAlive(oldBridge), 5_000, "bridge death");
      assert.equal(await echo(harness, "@stdio", "after kill"), "after kill");

      const newBridge = await bridgePid(harness, "@stdio");
      assert.notEqual(newBridge, oldBridge);
      const newChild = await stdioChildOf(newBridge, children);
      assert.notEqual(newChild, oldChild);
      await waitFor(() => !isAlive(oldChild), 5_000, "the orphaned server to exit on stdin EOF");
      assert.equal((await harness.sessions()).sessions["@stdio"].status, "active");
    });
  },
);

eraTest("close stops the bridge and its stdio server process", async (era) => {
  await withConfig(era, async (harness, config, children) => {
    const connect = await harness.run(["connect", `${config}:demo`, "@stdio"]);
    assert.equal(connect.code, 0, connect.stderr);
    const bridge = await bridgePid(harness, "@stdio");
    const child = await stdioChildOf(bridge, children);
    assert.equal(parentPid(child), bridge);

    const closed = await harness.json<{ sessionName: string; closed: boolean }>([
      "@stdio",
      "close",
    ]);
    assert.deepEqual(closed, { sessionName: "@stdio", closed: true });
    await waitFor(() => !isAlive(bridge), 5_000, "bridge exit");
    await waitFor(() => !isAlive(child), 5_000, "stdio server exit");
    assert.deepEqual((await harness.sessions()).sessions, {});
  });
});

Deno.test("connect to a missing config entry exits 1 and names the entry", async () => {
  await withConfig("modern", async (harness, config) => {
    const result = await harness.run(["connect", `${config}:x`, "@x"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Server "x" not found in config file/);
    assert.match(result.stderr, /Available servers: demo/);
    assert.deepEqual(await harness.bridgePids(), []);
  });
});

Deno.test("a stdio command that does not exist fails connect with exit 1 and a clear message", async () => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({ mcpServers: { missing: { command: "/nonexistent/bin/mcp-server" } } }),
    );
    const result = await harness.run(["connect", `${config}:missing`, "@missing"]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      'Error: Cannot start the server command "/nonexistent/bin/mcp-server": command not found\n',
    );
    assert.deepEqual((await harness.sessions()).sessions, {}, "no session is left behind");
    await waitFor(async () => (await harness.bridgePids()).length === 0, 10_000, "no bridge");
  } finally {
    await harness.cleanup();
  }
});

eraTest("a literal ${...} that is not a variable does not break restarts", async (era) => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        mcpServers: {
          lit: {
            command: Deno.execPath(),
            args: [
              "run",
              "--allow-all",
              DEMO_SERVER,
              "--stdio",
              "--era",
              era,
              "--instructions",
              "cost is ${not-a-var}",
            ],
            env: { DENO_TLS_CA_STORE: "system", DENO_DIR },
          },
        },
      }),
    );
    assert.equal((await harness.run(["connect", `${config}:lit`, "@lit"])).code, 0);
    const pid = (await harness.sessions()).sessions["@lit"].pid!;
    Deno.kill(pid, "SIGKILL");
    await waitFor(() => !isAlive(pid), 5_000, "bridge death");
    const details = await harness.json<{ instructions: string }>(["@lit"]);
    assert.equal(details.instructions, "cost is ${not-a-var}");
  } finally {
    await harness.cleanup();
  }
});
