/**
 * `mcpc connect` with no server: config files found in every standard
 * location of a temporary project and HOME (reference.md §8.5), in priority
 * order, each entry connected; a broken file skipped with a warning, one
 * without servers ignored, the project's entry winning a name over the
 * user's; nothing found is a clear error (`[]` with `--json`).
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import type { BulkJsonEntry as JsonEntry } from "../../src/app/connect_config.ts";
import { discoveryPaths } from "../../src/app/connect_discover.ts";
import { DEMO_SERVER, denoEntry, Harness, waitFor } from "./harness.ts";

/**
 * The environment of a run with another HOME: Deno keeps its cache under
 * HOME unless told, and a fresh cache would fetch every package again.
 */
function withHome(home: string): Record<string, string> {
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  return { HOME: home, DENO_DIR: denoDir };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, typeof value === "string" ? value : JSON.stringify(value), {
    mode: 0o600,
  });
}

Deno.test("connect without a server finds the config files of every standard place", async () => {
  const server = await startDemoHttpServer({ era: "both" });
  const h = await Harness.create();
  try {
    const project = `${h.home}/project`;
    const user = `${h.home}/user`;
    await Deno.mkdir(project, { recursive: true });
    const paths = discoveryPaths({ cwd: project, home: user, os: "linux" });
    assert.equal(paths.length, 13);
    // One entry per place, named after it; VS Code's "servers" form in .vscode files.
    const names: string[] = [];
    for (const [index, path] of paths.entries()) {
      const name = `place-${index + 1}`;
      names.push(name);
      const entry = { type: "http", url: server.url };
      await writeJson(
        path,
        path.includes(".vscode")
          ? { servers: { [name]: entry } }
          : { mcpServers: { [name]: entry } },
      );
    }
    // The user's Claude Desktop file is broken, the project's mcp_config.json holds no servers,
    // the user's Cursor file also names place-1 (the project's wins), and a stdio entry waits
    // for --stdio.
    await writeJson(paths[12], '{"mcpServers": {');
    await writeJson(paths[2], { theme: "dark" });
    await writeJson(paths[6], {
      mcpServers: {
        "place-1": { url: server.url },
        "place-7": { url: server.url },
        local: denoEntry(DEMO_SERVER, ["--stdio"]),
      },
    });
    const run = await h.run(["connect"], { cwd: project, env: withHome(user) });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /Warning: skipping Invalid JSON in config file: .*claude_desktop_config\.json/,
    );
    assert.match(run.stdout, /^Found 11 MCP config file\(s\) with 13 server\(s\):$/m);
    assert.match(run.stdout, /@place-1 → http:\/\/127\.0\.0\.1:\d+\/mcp ○ skipped \(duplicate\)/);
    assert.match(run.stdout, /@local → .* ○ skipped \(stdio\)/);
    assert.match(
      run.stdout,
      /Connecting 11 server\(s\)\. Skipped 1 stdio server\(s\), pass --stdio/,
    );
    const expected = names.filter((_, index) => index !== 2 && index !== 12);
    const order = [...run.stdout.matchAll(/^ {2}● (@place-\d+) connecting$/gm)].map((m) => m[1]);
    assert.deepEqual(order, expected.map((name) => `@${name}`), "in priority order");
    assert.match(run.stdout, /✓ 11 connecting/);
    const sessions = (await h.sessions()).sessions;
    assert.equal(sessions["@place-1"].configFile, await Deno.realPath(paths[0]));
    await waitFor(
      async () => {
        const listed = await h.json<{ sessions: { status: string }[] }>(["--json"]);
        return listed.sessions.length === 11 &&
          listed.sessions.every((session) => session.status === "live");
      },
      30_000,
      "every session to be live",
    );

    const again = await h.json<JsonEntry[]>(["connect"], { cwd: project, env: withHome(user) });
    assert.equal(again.filter((entry) => entry._mcpc.status === "active").length, 11);
    assert.deepEqual(
      again.filter((entry) => entry._mcpc.status === "skipped").map((entry) =>
        entry._mcpc.skipReason
      )
        .sort(),
      ["duplicate", "stdio"],
    );
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("connect without a server and no config files names where it looked", async () => {
  const h = await Harness.create();
  try {
    const project = `${h.home}/empty-project`;
    await Deno.mkdir(project);
    const env = withHome(`${h.home}/nobody`);
    const run = await h.run(["connect"], { cwd: project, env });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No MCP config files found in standard locations\./);
    assert.match(run.stderr, /Searched:\n {2}.*empty-project\/\.mcp\.json\n/);
    assert.match(run.stderr, /nobody\/\.claude\.json/);
    assert.match(run.stderr, /Connect from a specific file: mcpc connect \/path\/to\/mcp\.json/);
    assert.deepEqual(await h.json(["connect"], { cwd: project, env }), []);
  } finally {
    await h.cleanup();
  }
});
