/**
 * What the server scenarios of `deno task conformance` run against: the
 * proxy MCP server of `mcpc connect --proxy`, in front of the demo server
 * (both eras, so the proxy's session upstream speaks 2026-07-28), in a
 * private temporary mcpc home. Closing it closes the session (its bridge and
 * port) and stops the demo server.
 *
 * Layer: edge (processes, ports, files).
 * @module
 */

import { startDemoHttpServer } from "../../scripts/demo_server.ts";

const MCPC = new URL("../../scripts/mcpc", import.meta.url).pathname;
/** Bound on each mcpc command that sets the proxy up or down (ms). */
const COMMAND_TIMEOUT_MS = 60_000;
const SESSION = "@conformance-proxy";

/** A running proxy in front of the demo server. */
export interface ProxyUnderTest {
  /** The proxy's MCP endpoint. */
  url: string;
  close(): Promise<void>;
}

/** Starts the demo server and a session with `--proxy` on a free loopback port. */
export async function startProxyUnderTest(): Promise<ProxyUnderTest> {
  const demo = await startDemoHttpServer();
  const home = await Deno.makeTempDir({ prefix: "mcpc-conformance-proxy-" });
  const port = freePort();
  const run = async (args: string[]) => {
    const output = await new Deno.Command(MCPC, {
      args,
      env: { MCPC_HOME_DIR: home, MCPC_SECRET_STORE: "file", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
    }).output();
    const text = new TextDecoder().decode(output.stderr);
    if (!output.success) {
      throw new Error(`mcpc ${args.join(" ")} failed (exit ${output.code}): ${text}`);
    }
  };
  try {
    await run(["--json", "connect", demo.url, SESSION, "--proxy", `127.0.0.1:${port}`]);
  } catch (error) {
    await demo.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => {
      try {
        await run(["close", SESSION]);
      } finally {
        await demo.close();
        await Deno.remove(home, { recursive: true }).catch(() => {});
      }
    },
  };
}

/** A loopback port nothing listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
