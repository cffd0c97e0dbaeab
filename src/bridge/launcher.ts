/**
 * Starts a session's bridge: the same program with the hidden `__bridge`
 * subcommand, detached, with a scrubbed environment, and its start config
 * (secrets included) written to its stdin.
 *
 * Layer: edge.
 * @module
 */

import { proxyVariables } from "../config/proxy_env.ts";
import { usageError } from "../errors.ts";
import { bridgeLogPath, bridgeSocketPath, maxSocketPathBytes } from "../platform/paths.ts";
import { isProcessRunning, spawnDetached, terminateProcess } from "../platform/process.ts";
import { BRIDGE_SUBCOMMAND, selfCommand } from "../platform/self_command.ts";
import type { BridgeStartConfig } from "./protocol.ts";

/** How long `connect`/`restart` wait for a new bridge's socket (ms). */
export const SOCKET_WAIT_MS = 5_000;
const SOCKET_POLL_MS = 10;
/** Widest PID Linux hands out (`pid_max` is at most 4194304). */
const WIDEST_PID = 9_999_999;

/**
 * Variables a bridge inherits. Everything else (including whatever variable a
 * CI step keeps its token in) is dropped, so no secret reaches its environment.
 */
export const BRIDGE_ENV_ALLOWLIST: readonly string[] = [
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TERM",
  "PATH",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "XDG_RUNTIME_DIR",
  "XDG_DATA_HOME",
  "XDG_CONFIG_HOME",
  "DBUS_SESSION_BUS_ADDRESS",
  // The bridge picks the same secret store as the CLI (an OAuth profile's refreshed tokens).
  "MCPC_SECRET_STORE",
  "DENO_DIR",
  "DENO_TLS_CA_STORE",
  "DENO_CERT",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "SYSTEMROOT",
  "APPDATA",
  "LOCALAPPDATA",
  "USERPROFILE",
];

/** Options for {@linkcode launchBridge}. */
export interface LaunchBridgeOptions {
  /** Directory the bridge runs in (the session's creation directory). */
  cwd: string;
  /** The CLI's environment; only {@linkcode BRIDGE_ENV_ALLOWLIST} passes through. */
  env: Record<string, string>;
  /** Wait until the bridge listens on its socket (default true). */
  wait?: boolean;
  /** Told the bridge's PID as soon as it is spawned (before its socket is up). */
  onSpawn?: (pid: number) => void;
}

/**
 * glibc's malloc settings for a bridge on Linux: blocks of 64 KiB and more
 * (V8's compile zones, socket and fetch buffers) get pages of their own that
 * go back to the OS when freed, and a free heap top over 64 KiB is trimmed,
 * instead of the default, which keeps up to 32 MiB a process once used.
 * Measured on the demo server (connect + 20 calls, 3 s idle): anonymous
 * memory 24.0 → 22.8 MiB. glibc reads it at start; other C libraries ignore
 * it, and stdio servers never see it (src/mcp/server_environment.ts).
 */
export const BRIDGE_GLIBC_TUNABLES =
  "glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=65536";

/** Keeps only the allow-listed variables of `env`; on Linux adds {@linkcode BRIDGE_GLIBC_TUNABLES}. */
export function bridgeEnvironment(
  env: Record<string, string>,
  os: typeof Deno.build.os = Deno.build.os,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of BRIDGE_ENV_ALLOWLIST) if (env[name] !== undefined) out[name] = env[name];
  if (os === "linux") out.GLIBC_TUNABLES = BRIDGE_GLIBC_TUNABLES;
  return out;
}

/** Fails early when the socket path would be too long for the OS. */
export function checkSocketPath(home: string, sessionName: string): void {
  const longest = bridgeSocketPath(home, sessionName, WIDEST_PID);
  const bytes = new TextEncoder().encode(longest).length;
  const limit = maxSocketPathBytes(Deno.build.os);
  if (bytes > limit) {
    throw usageError(
      `Cannot start bridge for ${sessionName}: socket path "${longest}" would be ${bytes} bytes, ` +
        `over the ${limit}-byte limit. Set MCPC_HOME_DIR to a shorter directory.`,
    );
  }
}

/** Starts a bridge and returns its PID (after its socket exists, unless `wait` is false). */
export async function launchBridge(
  config: BridgeStartConfig,
  options: LaunchBridgeOptions,
): Promise<number> {
  checkSocketPath(config.home, config.sessionName);
  const { command, args } = selfCommand([BRIDGE_SUBCOMMAND, config.sessionName]);
  const cwd = await existingDir(options.cwd, config.home);
  const pid = await spawnDetached(command, args, {
    cwd,
    env: bridgeEnvironment(options.env),
    // The proxy variables go in the start config: a proxy's password stays out of the
    // bridge's environment (which others may read, e.g. /proc/<pid>/environ).
    stdin: JSON.stringify({ ...config, proxyEnv: proxyVariables(options.env) }),
  });
  options.onSpawn?.(pid);
  if (options.wait === false) return pid;
  const socketPath = bridgeSocketPath(config.home, config.sessionName, pid);
  const deadline = Date.now() + SOCKET_WAIT_MS;
  while (Date.now() < deadline) {
    // The socket file appears at bind(), a moment before listen(): wait until it accepts.
    if (await accepts(socketPath)) return pid;
    if (!isProcessRunning(pid)) break;
    await new Promise((resolve) => setTimeout(resolve, SOCKET_POLL_MS));
  }
  await terminateProcess(pid, 1_000);
  throw usageError(
    `Bridge failed to start: its socket did not accept connections within the timeout. Check bridge logs at ${
      bridgeLogPath(config.home, config.sessionName)
    }`,
  );
}

async function accepts(path: string): Promise<boolean> {
  try {
    (await Deno.connect({ transport: "unix", path })).close();
    return true;
  } catch {
    return false;
  }
}

async function existingDir(preferred: string, fallback: string): Promise<string> {
  try {
    if ((await Deno.stat(preferred)).isDirectory) return preferred;
  } catch {
    // The session's directory was removed; the home directory always exists.
  }
  return fallback;
}
