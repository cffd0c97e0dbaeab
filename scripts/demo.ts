/**
 * `deno task demo`: starts the bundled demo MCP server twice over Streamable
 * HTTP, once speaking only MCP 2026-07-28 and once only 2025-11-25, connects a
 * session to each (mcpc negotiates the revision) and one over stdio, shows
 * the protocol of each, lists tools, calls some, lists the sessions and closes
 * them. Uses a throwaway MCPC_HOME_DIR, so `~/.mcpc` is untouched.
 *
 * @module
 */

const root = new URL("../", import.meta.url).pathname;
const mcpc = `${root}scripts/mcpc`;

async function startHttpServer(
  era: "modern" | "legacy",
): Promise<{ url: string; process: Deno.ChildProcess }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      `${root}deno.json`,
      "--allow-all",
      `${root}scripts/demo_server.ts`,
      "--era",
      era,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let buffered = "";
  try {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("The demo server exited before it was ready");
      buffered += value;
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  const match = buffered.match(/READY (\S+)/);
  if (!match) throw new Error(`Unexpected demo server output: ${buffered}`);
  return { url: match[1], process: child };
}

async function step(home: string, args: string[]): Promise<void> {
  console.log(`\n$ mcpc ${args.map((arg) => /[\s"'{}]/.test(arg) ? `'${arg}'` : arg).join(" ")}`);
  const { code } = await new Deno.Command(mcpc, {
    args,
    env: { MCPC_HOME_DIR: home },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`mcpc ${args.join(" ")} exited with ${code}`);
}

const home = await Deno.makeTempDir({ dir: "/tmp", prefix: "mcpc-demo-" });
const servers: Deno.ChildProcess[] = [];
let failed = false;
try {
  const modern = await startHttpServer("modern");
  servers.push(modern.process);
  const legacy = await startHttpServer("legacy");
  servers.push(legacy.process);
  console.log(`Demo MCP server speaking 2026-07-28: ${modern.url}`);
  console.log(`Demo MCP server speaking 2025-11-25: ${legacy.url}`);
  console.log(`mcpc home for this demo: ${home}`);
  const config = `${home}/mcp.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify(
      {
        mcpServers: {
          demo: {
            command: Deno.execPath(),
            args: ["run", "--quiet", "--allow-all", `${root}scripts/demo_server.ts`, "--stdio"],
            env: { DENO_TLS_CA_STORE: "system" },
          },
        },
      },
      null,
      2,
    ),
  );
  await step(home, ["connect", modern.url, "@demo-modern"]);
  await step(home, ["connect", legacy.url, "@demo-legacy"]);
  await step(home, ["connect", `${config}:demo`, "@demo-stdio"]);
  await step(home, ["@demo-modern", "tools-list"]);
  await step(home, ["@demo-modern", "tools-call", "add", "a:=2", "b:=40"]);
  await step(home, [
    "@demo-legacy",
    "tools-call",
    "echo",
    "message:=Hello from a 2025-era session",
  ]);
  await step(home, ["@demo-stdio", "tools-call", "echo", "message:=Hello from mcpc over stdio"]);
  await step(home, []);
  for (const name of ["@demo-modern", "@demo-legacy", "@demo-stdio"]) {
    await step(home, [name, "close"]);
  }
  await step(home, []);
} catch (error) {
  failed = true;
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : error}`);
} finally {
  for (const server of servers) {
    server.kill("SIGTERM");
    await server.status;
  }
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
Deno.exit(failed ? 1 : 0);
