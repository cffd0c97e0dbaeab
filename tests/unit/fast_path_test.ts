/**
 * A session command must not load the MCP SDK, zod, ajv, logtape or the bridge:
 * they may only be reached through dynamic `import()` from the CLI path.
 */

import assert from "node:assert/strict";

interface InfoDependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

const ROOT = new URL("../../", import.meta.url);
const HEAVY =
  /@modelcontextprotocol\/(sdk|client|server|core)|npm:\/?zod|npm:\/?ajv|@logtape|\/src\/mcp\/sdk\.ts|\/src\/bridge\/bridge_main\.ts/;

async function moduleGraph(entry: string): Promise<Map<string, InfoModule>> {
  const { stdout, code } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", new URL("deno.json", ROOT).pathname, entry],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(code, 0);
  const info = JSON.parse(new TextDecoder().decode(stdout)) as { modules: InfoModule[] };
  return new Map(info.modules.map((module) => [module.specifier, module]));
}

/** Modules loaded when `entries` are loaded, following only static code imports. */
function staticClosure(graph: Map<string, InfoModule>, entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const specifier = queue.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of graph.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) queue.push(dependency.code.specifier);
    }
  }
  return seen;
}

const SESSION_PATH = [
  "main.ts",
  "src/cli/cli_main.ts",
  "src/cli/run.ts",
  "src/app/session_commands.ts",
  "src/app/session_bridge.ts",
  "src/app/list_sessions.ts",
  "src/app/close_session.ts",
  "src/app/restart_session.ts",
  // Shell completion runs on every Tab.
  "src/cli/complete.ts",
  "src/bridge/client.ts",
].map((path) => new URL(path, ROOT).href);

Deno.test("session commands and listing load no MCP SDK, zod or logtape", async () => {
  const graph = await moduleGraph(new URL("main.ts", ROOT).pathname);
  for (const entry of SESSION_PATH) assert.ok(graph.has(entry), `${entry} is in the graph`);
  const loaded = [...staticClosure(graph, SESSION_PATH)];
  assert.deepEqual(loaded.filter((specifier) => HEAVY.test(specifier)), []);
});

Deno.test("the bridge does load the MCP SDK (the check above can fail)", async () => {
  const graph = await moduleGraph(new URL("main.ts", ROOT).pathname);
  const bridge = new URL("src/bridge/bridge_main.ts", ROOT).href;
  const loaded = [...staticClosure(graph, [bridge])];
  assert.ok(loaded.some((specifier) => /@modelcontextprotocol\/client/.test(specifier)));
  assert.ok(loaded.some((specifier) => /@logtape/.test(specifier)));
});

Deno.test("the bridge loads none of the CLI (its command table, commander, the session commands)", async () => {
  const graph = await moduleGraph(new URL("main.ts", ROOT).pathname);
  const entries = ["main.ts", "src/bridge/bridge_main.ts"].map((path) => new URL(path, ROOT).href);
  const loaded = [...staticClosure(graph, entries)];
  assert.deepEqual(
    loaded.filter((specifier) => /commander|\/src\/cli\/|\/src\/app\//.test(specifier)),
    [],
  );
});
