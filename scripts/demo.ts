/**
 * `deno task demo`: starts the bundled demo MCP server, connects to it over
 * Streamable HTTP and over stdio, lists tools, calls one, lists the sessions
 * and closes them. Uses a throwaway MCPC_HOME_DIR, so `~/.mcpc` is untouched.
 *
 * @module
 */

const root = new URL("../", import.meta.url).pathname;
const mcpc = `${root}scripts/mcpc`;

async function startHttpServer(): Promise<{ url: string; process: Deno.ChildProcess }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      `${root}deno.json`,
      "--allow-all",
      `${root}scripts/demo_server.ts`,
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
const server = await startHttpServer();
let failed = false;
try {
  console.log(`Demo MCP server: ${server.url}`);
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
  await step(home, ["connect", server.url, "@demo-http"]);
  await step(home, ["connect", `${config}:demo`, "@demo-stdio"]);
  await step(home, ["@demo-http", "tools-list"]);
  await step(home, ["@demo-http", "tools-call", "add", "a:=2", "b:=40"]);
  await step(home, ["@demo-stdio", "tools-call", "echo", "message:=Hello from mcpc over stdio"]);
  await step(home, []);
  await step(home, ["@demo-http", "close"]);
  await step(home, ["@demo-stdio", "close"]);
  await step(home, []);
} catch (error) {
  failed = true;
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : error}`);
} finally {
  server.process.kill("SIGTERM");
  await server.process.status;
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
Deno.exit(failed ? 1 : 0);
