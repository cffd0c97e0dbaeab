/**
 * mcpc as it ships: the bundle `deno task compile` embeds (scripts/bundle.ts),
 * run by deno with the binary's permissions. Every test runs the bundle end
 * to end (HTTP of both eras and stdio): the bridges it starts run from the
 * same bundle, with no config, and nothing is left running afterwards.
 */

import assert from "node:assert/strict";
import { buildBundle } from "../../scripts/bundle.ts";
import { makeCertificates } from "../fixtures/certificates.ts";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { PERMISSION_FLAGS } from "../../src/platform/self_command.ts";
import {
  DEMO_SERVER,
  denoEntry,
  eraTest,
  freePort,
  Harness,
  isAlive,
  revisionOf,
  serverGroupsOf,
  waitFor,
  writeConfig,
} from "./harness.ts";

const BUNDLE_DIR = Deno.makeTempDirSync({ dir: "/tmp", prefix: "mcpc-bundle-" });
let built: Promise<string> | undefined;
globalThis.addEventListener("unload", () => {
  Deno.removeSync(BUNDLE_DIR, { recursive: true });
});

/** A harness whose mcpc is the bundle (built once per run of this file). */
async function bundledHarness(): Promise<{ h: Harness; main: string }> {
  built ??= buildBundle(BUNDLE_DIR);
  const main = await built;
  const launcher = [Deno.execPath(), "run", "--quiet", "--no-config", ...PERMISSION_FLAGS, main];
  return { h: await Harness.create({ launcher }), main };
}

/** The command line of `pid`, split at its NUL separators. */
function commandLine(pid: number): string[] {
  return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((arg) => arg !== "");
}

async function echo(h: Harness, name: string, message: string): Promise<string> {
  const result = await h.json<{ content: { text: string }[] }>(
    [name, "tools-call", "echo", `message:=${message}`],
  );
  return result.content[0].text;
}

/** Every file of `dir`, recursively, relative to it. */
function filesUnder(dir: string, prefix = ""): string[] {
  return [...Deno.readDirSync(dir)].flatMap((entry) =>
    entry.isDirectory
      ? filesUnder(`${dir}/${entry.name}`, `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`]
  );
}

Deno.test("the bundle: an entry, a CLI part and a bridge part; it prints its version and help", async () => {
  const { h, main } = await bundledHarness();
  try {
    const files = filesUnder(BUNDLE_DIR);
    assert.ok(files.every((name) => name.endsWith(".js")), files.join(", "));
    assert.equal(main, `${BUNDLE_DIR}/main.js`);
    assert.ok(files.includes("cli/cli_main.js"), files.join(", "));
    assert.ok(files.includes("bridge/bridge_main.js"), files.join(", "));
    const entry = await Deno.readTextFile(main);
    assert.match(entry, /import\("\.\/bridge\/bridge_main\.js"\)/);
    assert.match(entry, /import\("\.\/cli\/cli_main\.js"\)/);
    assert.doesNotMatch(entry, /src\//, "no import is left pointing at the sources");

    const version = await h.run(["--version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const help = await h.run(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /tools-call/);
  } finally {
    await h.cleanup();
  }
});

Deno.test("the bundle's bridge part holds neither the CLI nor Node's CommonJS loader", async () => {
  await bundledHarness().then(({ h }) => h.cleanup());
  const bridge = filesUnder(`${BUNDLE_DIR}/bridge`)
    .map((name) => Deno.readTextFileSync(`${BUNDLE_DIR}/bridge/${name}`))
    .join("\n");
  assert.doesNotMatch(bridge, /node:module/, "createRequire costs every bridge memory");
  assert.doesNotMatch(bridge, /allowUnknownOption/, "commander belongs to the CLI part");
  assert.match(bridge, /server\/discover/, "the bridge part speaks MCP");
  assert.match(bridge, /"\.\.\/insecure\/insecure_fetch\.js"/, "undici is a part of its own");
  assert.doesNotMatch(bridge, /undici/);
});

/** The bridge part's files a bridge loads at start: `bridge_main.js` and what it imports statically. */
function staticallyLoaded(dir: string): Map<string, string> {
  const loaded = new Map<string, string>();
  const pending = ["bridge_main.js"];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (loaded.has(name)) continue;
    const text = Deno.readTextFileSync(`${dir}/${name}`);
    loaded.set(name, text);
    for (const match of text.matchAll(/(?:from|import)\s*"\.\/([^"]+)"/g)) pending.push(match[1]);
  }
  return loaded;
}

/**
 * Code a bridge holds from its start: 640 KB when this was written. A
 * lazily loaded part that shares modules with the rest (the proxy's use of
 * zod's `z` once did) moves code into a chunk every bridge imports: 990 KB,
 * and 4 MiB more RSS per bridge.
 */
const BRIDGE_START_CODE_BUDGET = 750_000;

Deno.test("a bridge loads only the code it needs at start: no zod namespace, within its byte budget", async () => {
  await bundledHarness().then(({ h }) => h.cleanup());
  const loaded = staticallyLoaded(`${BUNDLE_DIR}/bridge`);
  const bytes = [...loaded.values()].reduce((sum, text) => sum + text.length, 0);
  assert.ok(
    bytes <= BRIDGE_START_CODE_BUDGET,
    `a bridge loads ${bytes} bytes at start (${[...loaded.keys()].join(", ")})`,
  );
  const code = [...loaded.values()].join("\n");
  // Only zod's full namespace object names this schema; the SDK never uses it.
  assert.doesNotMatch(
    code,
    /ZodCreditCard/,
    "zod's whole namespace is in a chunk every bridge loads",
  );
  assert.ok(
    ![...loaded.keys()].some((name) => name.startsWith("mcp_proxy")),
    "the proxy stays lazy",
  );
});

Deno.test("the bundle's --insecure loads its own part and connects to a self-signed HTTPS server", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpc-bundle-tls-" });
  const { cert, key } = await makeCertificates(dir);
  const server = await startDemoHttpServer({ era: "both", tls: { cert, key } });
  const { h } = await bundledHarness();
  try {
    const connect = await h.run(["connect", server.url, "@tls", "--insecure"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.equal(await echo(h, "@tls", "unchecked"), "unchecked");
  } finally {
    await h.cleanup();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the bundle's bridge serves --proxy", async () => {
  const server = await startDemoHttpServer({ era: "both" });
  const { h } = await bundledHarness();
  const port = freePort();
  try {
    const connect = await h.run(["connect", server.url, "@up", "--proxy", String(port)]);
    assert.equal(connect.code, 0, connect.stderr);
    const downstream = await h.run(["connect", `http://127.0.0.1:${port}/mcp`, "@down"]);
    assert.equal(downstream.code, 0, downstream.stderr);
    assert.match(downstream.stdout, /mcpc-proxy@@up/);
    assert.equal(await echo(h, "@down", "through the proxy"), "through the proxy");
  } finally {
    await h.cleanup();
    await server.close();
  }
});

eraTest("the bundle connects over HTTP, calls a tool and closes", async (era) => {
  const server = await startDemoHttpServer({ era });
  const { h, main } = await bundledHarness();
  try {
    const connect = await h.run(["connect", server.url, "@b"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, new RegExp(`^Protocol: ${revisionOf(era)}`, "m"));
    const pid = (await h.sessions()).sessions["@b"].pid!;
    const bridge = commandLine(pid);
    assert.ok(bridge.includes(main), `the bridge runs the bundle: ${bridge.join(" ")}`);
    assert.ok(bridge.includes("--no-config"), bridge.join(" "));
    assert.ok(!bridge.some((arg) => arg.endsWith("main.ts")), bridge.join(" "));
    assert.deepEqual(bridge.slice(-2), ["__bridge", "@b"]);

    assert.equal(await echo(h, "@b", "from the bundle"), "from the bundle");
    const close = await h.run(["@b", "close"]);
    assert.equal(close.code, 0, close.stderr);
    await waitFor(() => !isAlive(pid), 10_000, "the bridge to exit");
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("the bundle runs a stdio session and stops its server on close", async () => {
  const { h } = await bundledHarness();
  try {
    const config = `${h.home}/mcp.json`;
    await writeConfig(config, { demo: denoEntry(DEMO_SERVER, ["--stdio"]) });
    const connect = await h.run(["connect", `${config}:demo`, "@s"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.equal(serverGroupsOf(h.home).length, 1, "one stdio server runs");
    assert.equal(await echo(h, "@s", "over stdio"), "over stdio");
    const close = await h.run(["@s", "close"]);
    assert.equal(close.code, 0, close.stderr);
    await waitFor(() => serverGroupsOf(h.home).length === 0, 10_000, "the stdio server to stop");
  } finally {
    await h.cleanup();
  }
});
