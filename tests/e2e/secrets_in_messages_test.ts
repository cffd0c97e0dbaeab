/**
 * Secrets stay out of every message (issue 6, item 4): a `-H` header value,
 * a URL password, query values, a stdio `env` value written in a config file
 * and a `${VAR}` value substituted into a config url appear in no output of
 * any command (human, `--json`, `--verbose`, failing runs), in no file of the
 * home except `credentials.json`, and not in the argv or environment of a
 * bridge. The server still gets them, also from a restarted bridge.
 *
 * Item 5's cheap end-to-end bounds (`--timeout`, empty tool names, config
 * size and substitution limits) are at the end.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { startRecordingProxy } from "../fixtures/recording_proxy.ts";
import {
  DEMO_SERVER,
  denoEntry,
  eraTest,
  freePort,
  Harness,
  isAlive,
  type RunOptions,
  type RunResult,
  waitFor,
  writeConfig,
} from "./harness.ts";

/** A random value that cannot occur anywhere by chance (letters and digits only). */
function newSecret(): string {
  return crypto.randomUUID().replaceAll("-", "") + crypto.randomUUID().replaceAll("-", "");
}

/** Every output of every run of a test, with how it was run. */
class Transcript {
  readonly outputs: { label: string; text: string }[] = [];

  constructor(readonly harness: Harness) {}

  /** Runs mcpc, checks the exit code and keeps stdout and stderr. */
  async run(args: string[], code: number, options: RunOptions = {}): Promise<RunResult> {
    const result = await this.harness.run(args, options);
    const label = `mcpc ${args.join(" ")}`;
    this.outputs.push({ label: `${label} (stdout)`, text: result.stdout });
    this.outputs.push({ label: `${label} (stderr)`, text: result.stderr });
    assert.equal(result.code, code, `${label} exited ${result.code}: ${result.stderr}`);
    return result;
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return new TextDecoder().decode(Deno.readFileSync(`/proc/${pid}/${file}`));
  } catch {
    return undefined;
  }
}

/** Regular files under `dir`, recursively (sockets and FIFOs are skipped). */
async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await filesUnder(path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}

/** What a leak check looks for, and where the secrets must be. */
interface Secrets {
  /** Name → value; none may appear outside `credentials.json`. */
  values: Record<string, string>;
  /** Names whose value must be in `credentials.json` (the bridge gets them from there). */
  stored: string[];
  /** PIDs whose environment may hold a value (a stdio server given it through `env`). */
  allowedEnviron?: number[];
}

/**
 * Asserts that no secret is in any output of the transcript, in any file of
 * the home but `credentials.json` (sessions.json, logs/*, bridges/*), or in
 * the argv or environment of a running bridge, and that the stored ones are
 * in `credentials.json`.
 */
async function assertNoLeak(transcript: Transcript, secrets: Secrets): Promise<void> {
  const entries = Object.entries(secrets.values);
  const leaks: string[] = [];
  for (const { label, text } of transcript.outputs) {
    for (const [name, value] of entries) {
      if (text.includes(value)) leaks.push(`${name} in ${label}`);
    }
  }
  const home = transcript.harness.home;
  let credentials = "";
  for (const file of await filesUnder(home)) {
    const text = new TextDecoder().decode(await Deno.readFile(file));
    if (file === `${home}/credentials.json`) {
      credentials = text;
      continue;
    }
    for (const [name, value] of entries) if (text.includes(value)) leaks.push(`${name} in ${file}`);
  }
  const bridges = await transcript.harness.bridgePids();
  assert.ok(bridges.length > 0, "a bridge is running");
  for (const pid of bridges) {
    const cmdline = readProc(pid, "cmdline") ?? "";
    const environ = readProc(pid, "environ");
    assert.ok(environ?.includes("PATH="), `the environment of bridge ${pid} is readable`);
    for (const [name, value] of entries) {
      if (cmdline.includes(value)) leaks.push(`${name} in the argv of bridge ${pid}`);
      if (environ!.includes(value)) leaks.push(`${name} in the environment of bridge ${pid}`);
    }
  }
  // Any process's argv can be read by every user of the machine.
  const allowed = new Set(secrets.allowedEnviron ?? []);
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    const cmdline = readProc(pid, "cmdline") ?? "";
    const environ = allowed.has(pid) ? "" : readProc(pid, "environ") ?? "";
    for (const [name, value] of entries) {
      if (cmdline.includes(value)) leaks.push(`${name} in the argv of process ${pid}`);
      if (environ.includes(value)) leaks.push(`${name} in the environment of process ${pid}`);
    }
  }
  assert.deepEqual([...new Set(leaks)], [], "secrets leaked");
  for (const name of secrets.stored) {
    assert.ok(credentials.includes(secrets.values[name]), `credentials.json holds ${name}`);
  }
}

async function bridgePidOf(harness: Harness, name: string): Promise<number> {
  const pid = (await harness.sessions()).sessions[name]?.pid;
  assert.ok(pid !== undefined && isAlive(pid), `the bridge of ${name} is running`);
  return pid;
}

/** SIGKILLs the bridge of `name` and waits (bounded) until it is gone. */
async function killBridge(harness: Harness, name: string): Promise<void> {
  const pid = await bridgePidOf(harness, name);
  Deno.kill(pid, "SIGKILL");
  await waitFor(() => !isAlive(pid), 5_000, `the bridge of ${name} to die`);
}

function echoed(result: RunResult): string {
  return (JSON.parse(result.stdout) as { content: { text: string }[] }).content[0].text;
}

/** The `Authorization` value fetch would send for `user:password` URL userinfo. */
function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

/** PIDs of running processes whose parent is `parent` and whose argv contains `marker`. */
function childrenOf(parent: number, marker: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    const stat = readProc(pid, "stat");
    if (!stat || !isAlive(pid)) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === parent && (readProc(pid, "cmdline") ?? "").includes(marker)) pids.push(pid);
  }
  return pids;
}

eraTest(
  "a -H value, a URL password and query values reach the server but no message or file",
  async (era) => {
    const header = newSecret();
    const password = newSecret();
    const [query1, query2] = [newSecret(), newSecret()];
    const demo = await startDemoHttpServer({ era });
    const proxy = await startRecordingProxy(demo.url, {
      require: { authorization: basic("mcpc-user", password), "x-api-key": header },
      requireQuery: `?key=${query1}&x=${query2}`,
    });
    const harness = await Harness.create();
    const transcript = new Transcript(harness);
    const closedPort = freePort();
    try {
      const url =
        `http://mcpc-user:${password}@127.0.0.1:${proxy.port}/mcp?key=${query1}&x=${query2}`;
      const connect = ["connect", url, "@web", "-H", `X-Api-Key: ${header}`];
      await transcript.run(connect, 0);
      const shown = `http://127.0.0.1:${proxy.port}/mcp?key=<redacted>&x=<redacted>`;
      const record = (await harness.sessions()).sessions["@web"];
      assert.equal(record.server.url, shown);
      assert.deepEqual(record.server.headers, {
        Authorization: "<redacted>",
        "X-Api-Key": "<redacted>",
      });
      // Connecting again (same settings) finds the session active, in every output mode.
      await transcript.run(["--verbose", ...connect], 0);
      await transcript.run(["--json", ...connect], 0);
      for (const args of [["--json"], ["--verbose"], ["@web"], ["--json", "@web"]]) {
        await transcript.run(args, 0);
      }
      assert.ok((await transcript.run([], 0)).stdout.includes(`@web → ${shown}`));
      await transcript.run(["--verbose", "@web", "tools-list"], 0);
      await transcript.run(["@web", "tools-call", "echo", "message:=hello"], 0);
      const called = await transcript.run(
        ["--json", "@web", "tools-call", "echo", "message:=hi"],
        0,
      );
      assert.equal(echoed(called), "hi");

      // Failing runs: the option carrying the secret does not parse, or cannot be sent.
      const failing: [string[], RegExp][] = [
        [["connect", url, "@bad", "-H", `Authorization Bearer ${header}`], /--header: expected/],
        [["--json", "connect", url, "@bad", "-H", `X-Api-Key ${header}`], /--header: expected/],
        [["connect", url, "@bad", "-H", "X-A: 1", "-H", `Authorization Bearer ${header}:x`], /#2/],
        [
          ["--verbose", "connect", url, "@bad", "-H", `X-Api-Key: ${header}\r\nX-Injected: 1`],
          /Invalid value of header "X-Api-Key" in --header: it contains a line break/,
        ],
        [["connect", url.replace("http:", "ftp:"), "@bad"], /Invalid MCP server URL: ftp:\/\/127/],
        // A header value typed without its -H lands where the session name goes.
        [["connect", url, `X-Api-Key: ${header}`], /Invalid session name: \(not shown/],
        [["connect", "@bad", url], /The server comes before the session name: mcpc connect http/],
        [["connect", url.replace(`:${proxy.port}`, ":bad"), "@bad"], /Invalid server:/],
      ];
      for (const [args, message] of failing) {
        const result = await transcript.run(args, 1);
        assert.match(result.stderr, message);
      }
      assert.equal((await harness.sessions()).sessions["@bad"], undefined);
      // An unreachable server: fetch's own error quotes the full URL.
      const down = url.replace(`:${proxy.port}/`, `:${closedPort}/`);
      const unreachable = await transcript.run(
        ["--verbose", "connect", down, "@down", "-H", `X-Api-Key: ${header}`],
        3,
      );
      assert.match(unreachable.stderr, /\?key=<redacted>&x=<redacted>/);
      const unreachableJson = await transcript.run(
        ["--json", "connect", down, "@down", "-H", `X-Api-Key: ${header}`],
        3,
      );
      assert.match(unreachableJson.stderr, /Original error/);

      // A restarted bridge gets the full URL and both headers from credentials.json.
      await killBridge(harness, "@web");
      const again = await transcript.run(
        ["--json", "@web", "tools-call", "echo", "message:=again"],
        0,
      );
      assert.equal(echoed(again), "again");
      await transcript.run(["--verbose", "@web", "tools-call", "echo", "message:=verbose"], 0);

      assert.ok(proxy.requests.length > 0);
      assert.deepEqual(
        proxy.requests.filter((request) => request.refused),
        [],
        "every request had the credentials",
      );
      const log = await Deno.readTextFile(`${harness.home}/logs/bridge-@web.log`);
      assert.ok(log.includes(`Connecting to ${shown}`), log);
      assert.ok(
        (await Deno.readTextFile(`${harness.home}/logs/bridge-@down.log`)).includes("<redacted>"),
      );
      await assertNoLeak(transcript, {
        values: {
          header,
          password,
          basic: basic("mcpc-user", password).slice("Basic ".length),
          query1,
          query2,
        },
        stored: ["header", "basic", "query1", "query2"],
      });
    } finally {
      await harness.cleanup();
      await proxy.close();
      await demo.close();
    }
  },
);

eraTest(
  "a stdio env value from a config file and a ${VAR} url value stay with the secrets",
  async (era) => {
    const envValue = newSecret();
    const variable = newSecret();
    const demo = await startDemoHttpServer({ era });
    const proxy = await startRecordingProxy(demo.url, { requireQuery: `?token=${variable}` });
    const harness = await Harness.create();
    const transcript = new Transcript(harness);
    // The user's own config files hold the values, of course: they live outside the home.
    const files = await Deno.makeTempDir({ prefix: "mcpc_secrets_" });
    const config = `${files}/mcp.json`;
    const stdio = denoEntry(DEMO_SERVER, ["--stdio"]);
    const stdioEnv = { ...(stdio.env as Record<string, string>), DEMO_API_KEY: envValue };
    try {
      await writeConfig(config, {
        local: { ...stdio, env: stdioEnv },
        remote: { url: "http://127.0.0.1:${MCPC_E2E_PORT}/mcp?token=${MCPC_E2E_TOKEN}" },
        nul: { ...stdio, env: { ...stdioEnv, DEMO_API_KEY: `${envValue}\0tail` } },
        notUrl: { url: "ftp://${MCPC_E2E_TOKEN}" },
      });
      const env = { MCPC_E2E_PORT: String(proxy.port), MCPC_E2E_TOKEN: variable };
      await transcript.run(["connect", `${config}:local`, "@local"], 0);
      await transcript.run(["--verbose", "connect", `${config}:remote`, "@remote"], 0, { env });
      const sessions = (await harness.sessions()).sessions;
      assert.equal(sessions["@local"].server.env?.DEMO_API_KEY, "<redacted>");
      assert.equal(
        sessions["@remote"].server.url,
        "http://127.0.0.1:${MCPC_E2E_PORT}/mcp?token=${MCPC_E2E_TOKEN}",
      );
      await transcript.run(["--json", "connect", `${config}:remote`, "@remote"], 0, { env });
      for (const args of [[], ["--json"], ["--verbose"], ["@local"], ["--json", "@remote"]]) {
        await transcript.run(args, 0);
      }
      for (const name of ["@local", "@remote"]) {
        await transcript.run(["--verbose", name, "tools-call", "echo", "message:=first"], 0);
      }

      // Failing runs: refused at connect, naming the key and entry, never the value.
      const nul = await transcript.run(["connect", `${config}:nul`, "@nul"], 1);
      assert.match(
        nul.stderr,
        /Invalid config for server "nul" in .*: the value of env "DEMO_API_KEY" cannot be passed to the server: it contains a NUL character/,
      );
      await transcript.run(["--verbose", "--json", "connect", `${config}:nul`, "@nul"], 1);
      const notUrl = await transcript.run(["--verbose", "connect", `${config}:notUrl`, "@x"], 1, {
        env,
      });
      assert.match(notUrl.stderr, /got "ftp:\/\/\$\{MCPC_E2E_TOKEN\}"/);
      const broken = `${files}/broken.json`;
      await Deno.writeTextFile(
        broken,
        `{"mcpServers": {"x": {"command": "c", "env": {"K": ${envValue}}}}}`,
      );
      const invalid = await transcript.run(["--verbose", "connect", `${broken}:x`, "@x"], 1);
      assert.match(invalid.stderr, /Invalid JSON in config file/);
      assert.equal((await harness.sessions()).sessions["@nul"], undefined);

      // Restarted bridges get the substituted url and the env value from credentials.json,
      // with neither variable in the CLI's environment.
      await killBridge(harness, "@local");
      await killBridge(harness, "@remote");
      for (const name of ["@local", "@remote"]) {
        const result = await transcript.run(
          ["--json", name, "tools-call", "echo", "message:=again"],
          0,
        );
        assert.equal(echoed(result), "again");
      }
      assert.deepEqual(proxy.requests.filter((request) => request.refused), []);
      assert.ok(proxy.requests.length > 0);
      const localBridge = await bridgePidOf(harness, "@local");
      const server = await waitFor(
        () => childrenOf(localBridge, "demo_server.ts")[0],
        10_000,
        "the stdio server of @local",
      );
      assert.ok(
        readProc(server, "environ")?.split("\0").includes(`DEMO_API_KEY=${envValue}`),
        "the restarted stdio server got the env value",
      );
      await assertNoLeak(transcript, {
        values: { envValue, variable },
        stored: ["envValue", "variable"],
        allowedEnviron: [server],
      });
    } finally {
      await harness.cleanup();
      await Deno.remove(files, { recursive: true });
      await proxy.close();
      await demo.close();
    }
  },
);

eraTest(
  "the same URL with another query value is the same session, reconnected with it",
  async (era) => {
    const [first, second, third] = [newSecret(), newSecret(), newSecret()];
    const demo = await startDemoHttpServer({ era });
    const proxy = await startRecordingProxy(demo.url);
    const harness = await Harness.create();
    const transcript = new Transcript(harness);
    const base = `http://127.0.0.1:${proxy.port}/mcp`;
    try {
      await transcript.run(["connect", `${base}?key=${first}`], 0);
      const names = Object.keys((await harness.sessions()).sessions);
      assert.equal(names.length, 1);
      const [name] = names;
      const reused = await transcript.run(["connect", `${base}?key=${second}`], 0);
      assert.match(reused.stdout, new RegExp(`Using session name: ${name}`));
      assert.match(reused.stdout, /exists with other settings, reconnecting/);
      assert.equal(Object.keys((await harness.sessions()).sessions).length, 1);
      const requests = proxy.requests.length;
      await transcript.run([name, "tools-call", "echo", "message:=x"], 0);
      const later = proxy.requests.slice(requests);
      assert.ok(
        later.length > 0 && later.every((request) => request.target === `/mcp?key=${second}`),
      );

      // Another query key is another server.
      await transcript.run(["connect", `${base}?other=${third}`], 0);
      assert.equal(Object.keys((await harness.sessions()).sessions).length, 2);
      const moved = await transcript.run(["connect", `${base}?other=${third}`, name], 1);
      assert.match(moved.stderr, /is connected to .*\?key=<redacted>, not .*\?other=<redacted>/);
      await assertNoLeak(transcript, {
        values: { first, second, third },
        stored: ["second", "third"],
      });
    } finally {
      await harness.cleanup();
      await proxy.close();
      await demo.close();
    }
  },
);

eraTest("an explicit -H Authorization wins over URL userinfo, with a warning", async (era) => {
  const token = newSecret();
  const password = newSecret();
  const demo = await startDemoHttpServer({ era, requireBearer: token });
  const harness = await Harness.create();
  const transcript = new Transcript(harness);
  try {
    const url = demo.url.replace("http://", `http://someone:${password}@`);
    const connect = await transcript.run(
      ["connect", url, "@tok", "-H", `Authorization: Bearer ${token}`],
      0,
    );
    assert.match(
      connect.stderr,
      /Ignoring the user name and password in the URL: --header sets Authorization/,
    );
    const called = await transcript.run(["--json", "@tok", "tools-call", "echo", "message:=ok"], 0);
    assert.equal(echoed(called), "ok");
    await assertNoLeak(transcript, { values: { token, password }, stored: ["token"] });
  } finally {
    await harness.cleanup();
    await demo.close();
  }
});

Deno.test("bounds: --timeout over 24 h, empty tool names, big config files and values", async () => {
  const harness = await Harness.create();
  const files = await Deno.makeTempDir({ prefix: "mcpc_bounds_" });
  try {
    for (const value of ["86401", "abc"]) {
      const result = await harness.run(["--timeout", value, "@none", "ping"]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /Must be a number of seconds from 0\.001 to 86400 \(24 hours\)/);
    }
    // Refused before any session is looked up or bridge asked.
    for (const args of [["tools-get", ""], ["tools-call", "  "], ["tools-call", "", "a:=1"]]) {
      const result = await harness.run(["@none", ...args]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /Invalid tool name for tools-(get|call)/);
      assert.doesNotMatch(result.stderr, /not found/i);
    }

    const huge = `${files}/huge.json`;
    const file = await Deno.open(huge, { write: true, create: true });
    await file.truncate(16 * 1024 * 1024 + 1);
    file.close();
    const fifo = `${files}/fifo.json`;
    assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
    for (const [path, message] of [[huge, /over the 16 MiB limit/], [fifo, /not a regular file/]]) {
      const result = await harness.run(["connect", `${path}:x`, "@x"]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, message as RegExp);
    }

    // 40 references to a 100 KiB variable would make a 4 MB argument.
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { big: { command: "echo", args: ["${MCPC_E2E_BIG}".repeat(40)] } });
    const big = await harness.run(["connect", `${config}:big`, "@big"], {
      env: { MCPC_E2E_BIG: "b".repeat(100 * 1024) },
    });
    assert.equal(big.code, 1, big.stderr);
    assert.match(
      big.stderr,
      /"args" item 1 is over the 1 MiB limit after substituting \$\{MCPC_E2E_BIG\}/,
    );
  } finally {
    await harness.cleanup();
    await Deno.remove(files, { recursive: true });
  }
});
