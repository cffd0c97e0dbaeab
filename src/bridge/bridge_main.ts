/**
 * The bridge's composition root (`mcpc __bridge @name`): reads its start
 * config from stdin, opens the log, listens on its socket, connects to the
 * MCP server and serves the CLI until it is told to stop.
 *
 * Layer: edge.
 * @module
 */

import { SessionStore } from "../session/session_store.ts";
import { runsSubcommand } from "../platform/process.ts";
import { assertPrivateHome } from "../platform/private_home.ts";
import { readAtMost } from "../platform/read_bounded.ts";
import { BRIDGE_SUBCOMMAND } from "../platform/self_command.ts";
import { bridgeLogPath, bridgeSocketPath, homePaths } from "../platform/paths.ts";
import { connectMcp, type McpConnection } from "../mcp/client.ts";
import { outboundFetch } from "../platform/outbound_fetch.ts";
import { Bridge, type RequestContext } from "./bridge.ts";
import type { ProgressReport } from "../mcp/client.ts";
import type { ElicitRequestParams, ElicitResult, Task } from "../mcp/types.ts";
import { UnansweredError } from "../mcp/input_router.ts";
import { Channel } from "./channel.ts";
import { FrameTooLargeError, MAX_FRAME_BYTES } from "./framing.ts";
import { type BridgeLog, openBridgeLog } from "./log.ts";
import { exposedGc, IdleCollector } from "./idle_gc.ts";
import { UNREF_TIMERS } from "./keepalive.ts";
import {
  type BridgeMessage,
  type BridgeStartConfig,
  HEARTBEAT_INTERVAL_MS,
  type NotificationEntry,
  parseClientMessage,
  parseStartConfig,
} from "./protocol.ts";

/** How long the bridge waits for its start config on stdin (ms). */
export const START_CONFIG_TIMEOUT_MS = 5_000;
/** Notifications queued for one follower before new ones are dropped. */
const MAX_QUEUED_NOTIFICATIONS = 1_000;
/** Largest start config accepted on stdin (bytes). */
const MAX_START_CONFIG_BYTES = 64 * 1024 * 1024;

/**
 * The access token source of a session with an OAuth profile (loaded only
 * then: sessions without one never load the OAuth code).
 */
async function profileTokens(
  config: BridgeStartConfig,
  log: BridgeLog,
  outbound: () => typeof fetch,
) {
  const url = config.server.url;
  if (!config.profileName || !url) return undefined;
  const [
    { ProfileTokens, refreshLockPath },
    { ProfileStore },
    { openBridgeSecretStore },
    { ProfileSecrets },
  ] = await Promise.all([
    import("../auth/profile_tokens.ts"),
    import("../auth/profile_store.ts"),
    import("../auth/bridge_secrets.ts"),
    import("../auth/profile_secrets.ts"),
  ]);
  const paths = homePaths(config.home);
  const profiles = new ProfileStore(paths.profilesFile, { warn: (message) => log.warn(message) });
  const saved = await profiles.find(url, config.profileName).catch(() => undefined);
  const secrets = openBridgeSecretStore(config.home, (message) => log.warn(message));
  const clientKey = saved?.grantType === "client_credentials"
    ? await new ProfileSecrets(secrets, url, config.profileName).clientKey()
    : undefined;
  return new ProfileTokens({
    serverUrl: url,
    profile: config.profileName,
    grant: saved?.grantType,
    clientKey,
    secrets,
    profiles,
    lockPath: refreshLockPath(config.home),
    now: Date.now,
    fetch: (input, init) => outbound()(input, { ...init, signal: boundSignal(init?.signal) }),
    log: (message) => log.info(message),
  });
}

/** The payer of a session with an x402 wallet (its code is loaded only then). */
async function x402Payer(wallet: NonNullable<BridgeStartConfig["x402Wallet"]>, log: BridgeLog) {
  const [{ X402Payer }, { DEFAULT_MAX_PAYMENT_USD, usdToAtomic }] = await Promise.all([
    import("../x402/payer.ts"),
    import("../x402/payment.ts"),
  ]);
  const most = wallet.maxAmount ?? DEFAULT_MAX_PAYMENT_USD;
  log.info(`x402: paying from ${wallet.address}, at most ${most} USDC at once`);
  return new X402Payer({
    privateKey: wallet.privateKey as `0x${string}`,
    maxAtomicUnits: usdToAtomic(most),
    now: Date.now,
    log: (message) => log.info(message),
  });
}

/**
 * How the bridge serves its session as an MCP server (`connect --proxy`);
 * the proxy's code is loaded only by bridges that run one.
 */
function serveProxy(
  config: BridgeStartConfig,
  log: BridgeLog,
): (bridge: Bridge, connection: McpConnection) => Promise<() => Promise<void>> {
  const { host, port, bearerToken } = config.proxyServer!;
  return async (bridge, connection) => {
    const { startMcpProxy } = await import("./mcp_proxy.ts");
    const proxy = await startMcpProxy({
      sessionName: config.sessionName,
      address: { host, port },
      ...(bearerToken !== undefined ? { bearerToken } : {}),
      connection,
      upstream: bridge,
      log,
    });
    return () => proxy.close();
  };
}

/** Token requests of a bridge are bounded (30 s) as well as cancellable. */
function boundSignal(signal: AbortSignal | null | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(30_000);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** Runs a bridge until it stops; returns the exit code. */
export async function runBridge(sessionName: string): Promise<number> {
  // Files the bridge creates (log, socket) are private; Windows has no umask.
  if (Deno.build.os !== "windows") Deno.umask(0o077);
  if (Deno.stdin.isTerminal()) {
    throw new TypeError(
      `"mcpc ${BRIDGE_SUBCOMMAND}" is started by mcpc itself; use "mcpc connect <server> @name"`,
    );
  }
  const config = await readStartConfig();
  if (config.sessionName !== sessionName) {
    throw new TypeError(
      `Bridge started for ${sessionName} but configured for ${config.sessionName}`,
    );
  }
  const paths = homePaths(config.home);
  await assertPrivateHome(paths);
  const log = await openBridgeLog(bridgeLogPath(config.home, sessionName), sessionName);
  log.info(`===== mcpc bridge for ${sessionName} (pid ${Deno.pid}) =====`);
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    log.error(`Unhandled rejection: ${describe(event.reason)}`);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    log.error(`Uncaught error: ${describe(event.error)}`);
  });

  // A corrupt sessions.json is left for the next CLI run to move aside and report.
  const store = new SessionStore(paths.sessionsFile, {
    warn: (message) => log.warn(message),
    corruptThrows: true,
  });
  const socketPath = bridgeSocketPath(config.home, sessionName, Deno.pid);
  await Deno.mkdir(paths.bridgesDir, { recursive: true, mode: 0o700 });
  await Deno.remove(socketPath).catch(() => {});
  const listener = Deno.listen({ transport: "unix", path: socketPath });

  // Claim the session unless another live bridge holds it (two automatic launches raced: the
  // first wins); an explicit connect or restart always claims it.
  const claim = await store.update((sessions) => {
    const record = sessions[sessionName];
    if (!record) return "gone";
    const holder = record.pid;
    const live = holder !== undefined && holder !== Deno.pid &&
      runsSubcommand(holder, BRIDGE_SUBCOMMAND, sessionName);
    // The holder leaves by itself once it sees the record name another bridge.
    if (live && !config.takeover) return holder;
    record.pid = Deno.pid;
    return "owned";
  });
  if (claim !== "owned") {
    log.warn(
      claim === "gone"
        ? `Session ${sessionName} no longer exists; exiting`
        : `Session ${sessionName} belongs to the bridge with pid ${claim}; exiting`,
    );
    listener.close();
    await Deno.remove(socketPath).catch(() => {});
    await log.close();
    return 0;
  }

  // Built when first needed: an unreadable CA file fails the connect that needs it.
  let made: typeof fetch | undefined;
  const outbound = () =>
    made ??= outboundFetch({
      proxyEnv: config.proxyEnv ?? {},
      ...(config.server.caFile !== undefined ? { caFile: config.server.caFile } : {}),
      ...(config.server.insecure ? { insecure: true } : {}),
    });
  if (config.server.insecure) {
    log.warn("TLS certificates are not checked for this session (connect --insecure)");
  }
  const tokens = await profileTokens(config, log, outbound);
  const payer = config.x402Wallet ? await x402Payer(config.x402Wallet, log) : undefined;
  const stopped = Promise.withResolvers<void>();
  // Listening before the bridge starts its server: a signal then always ends that server too.
  // Frees what finished requests left outside the JS heap once the bridge is quiet.
  const collect = exposedGc();
  const idle = collect
    ? new IdleCollector(collect, { timers: UNREF_TIMERS, now: Date.now })
    : undefined;
  const bridge = new Bridge({
    config,
    store,
    log,
    pid: Deno.pid,
    now: Date.now,
    connect: async (hooks) =>
      await connectMcp(config.server, {
        resume: config.resume,
        prior: config.prior,
        ...hooks,
        cwd: Deno.cwd(),
        ...(config.server.url !== undefined
          ? { fetch: payer ? payer.wrap(outbound()) : outbound() }
          : {}),
        ...(tokens ? { authFetch: (inner: typeof fetch) => tokens.wrap(inner) } : {}),
        onError: (error) => log.debug(`MCP transport: ${error.message}`),
      }),
    onStopped: () => stopped.resolve(),
    onKeepalive: () => idle?.activity(),
    ...(config.proxyServer ? { serve: serveProxy(config, log) } : {}),
    ...(payer ? { payer } : {}),
  });
  const channels = new Set<Channel>();
  bridge.onShutdown(() => {
    idle?.stop();
    listener.close();
    for (const channel of channels) channel.close();
    try {
      Deno.removeSync(socketPath);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  });
  // In the same tick as the bridge's start, before any server process can have started.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    Deno.addSignalListener(signal, () => bridge.shutdown(`received ${signal}`));
  }
  acceptLoop(listener, bridge, channels, log, () => idle?.activity());
  await stopped.promise;
  await log.close();
  return 0;
}

async function acceptLoop(
  listener: Deno.Listener,
  bridge: Bridge,
  channels: Set<Channel>,
  log: BridgeLog,
  onServed: () => void,
): Promise<void> {
  try {
    for await (const conn of listener) serveConnection(conn, bridge, channels, log, onServed);
  } catch {
    // The listener was closed during shutdown.
  }
}

function serveConnection(
  conn: Deno.Conn,
  bridge: Bridge,
  channels: Set<Channel>,
  log: BridgeLog,
  onServed: () => void,
): void {
  const warn = (message: string) => log.warn(message);
  const inFlight = new Map<number, AbortController>();
  // Questions asked of this CLI and not answered yet, by `requestId/inputId`.
  const questions = new Map<string, (result: ElicitResult | undefined) => void>();
  let nextInputId = 1;
  /**
   * Asks the CLI of request `id`. A CLI that gives the question up, or a
   * request that ends first (cancel, hang-up), leaves it unanswered: the
   * connection's router cancels a plain request's question and holds a task's.
   */
  const askCli = (
    id: number,
    request: ElicitRequestParams,
    signal: AbortSignal,
    send: (message: BridgeMessage) => void,
  ): Promise<ElicitResult> => {
    if (signal.aborted) return Promise.reject(new UnansweredError());
    const inputId = nextInputId++;
    const key = `${id}/${inputId}`;
    const { promise, resolve, reject } = Promise.withResolvers<ElicitResult>();
    const onAbort = () => {
      questions.delete(key);
      reject(new UnansweredError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
    questions.set(key, (result) => {
      signal.removeEventListener("abort", onAbort);
      if (result) resolve(result);
      else reject(new UnansweredError());
    });
    send({ type: "input", id, inputId, request });
    return promise;
  };
  // While requests run, a heartbeat tells the CLI this bridge is alive (a frozen one sends none).
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const beatWhileBusy = () => {
    if (inFlight.size > 0 && heartbeat === undefined) {
      heartbeat = setInterval(() => {
        if (!channel.closed) channel.send({ type: "heartbeat" }).catch(() => {});
      }, HEARTBEAT_INTERVAL_MS);
    } else if (inFlight.size === 0 && heartbeat !== undefined) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };
  const channel: Channel = new Channel(conn, {
    onMessage: (raw) => {
      let message;
      try {
        message = parseClientMessage(raw);
      } catch (error) {
        warn(`Dropped IPC message: ${describe(error)}`);
        return;
      }
      if (message.type === "cancel") {
        inFlight.get(message.id)?.abort(new DOMException("Cancelled by the CLI", "AbortError"));
        return;
      }
      if (message.type === "input-response") {
        const key = `${message.id}/${message.inputId}`;
        const answer = questions.get(key);
        questions.delete(key);
        answer?.(message.result);
        return;
      }
      const controller = new AbortController();
      inFlight.set(message.id, controller);
      beatWhileBusy();
      const id = message.id;
      const send = (outgoing: BridgeMessage) => {
        if (channel.closed || controller.signal.aborted) return;
        channel.send(outgoing).catch((error) =>
          log.debug(`Cannot send ${outgoing.type} to the CLI: ${errorText(error)}`)
        );
      };
      const context: RequestContext = {
        signal: controller.signal,
        timeoutMs: message.timeoutMs,
        ...(message.accepts?.progress
          ? {
            onProgress: (report: ProgressReport) => send({ type: "progress", id, ...report }),
          }
          : {}),
        ...(message.accepts?.input
          ? {
            onInput: (request: ElicitRequestParams) => askCli(id, request, controller.signal, send),
          }
          : {}),
        onTask: (task: Task) => send({ type: "task", id, task }),
        notify: (entry: NotificationEntry) => {
          if (channel.closed) return;
          // A follower that stopped reading does not make the bridge hold an ever longer queue.
          if (channel.queued >= MAX_QUEUED_NOTIFICATIONS) {
            log.debug(`Dropped a notification for a follower that does not read`);
            return;
          }
          channel.send({ type: "notification", ...entry }).catch((error) =>
            log.debug(`Cannot forward a notification: ${errorText(error)}`)
          );
        },
      };
      bridge.handle(message.method, message.params, context).then(async (outcome) => {
        inFlight.delete(message.id);
        // Questions still open when the request ended (a timeout, say) are left unanswered:
        // the router cancels a plain request's and keeps a task's for its next waiter.
        for (const [key, settle] of [...questions]) {
          if (!key.startsWith(`${message.id}/`)) continue;
          questions.delete(key);
          settle(undefined);
        }
        beatWhileBusy();
        if (channel.closed) return;
        try {
          await channel.send({ type: "response", id: message.id, ...outcome });
        } catch (error) {
          if (!(error instanceof FrameTooLargeError)) throw error;
          const size = (error.size / 1024 / 1024).toFixed(1);
          await channel.send({
            type: "response",
            id: message.id,
            error: {
              kind: "server",
              message: `The result of ${message.method} is too large to pass to the CLI ` +
                `(${size} MiB; the limit is ${MAX_FRAME_BYTES / 1024 / 1024} MiB)`,
            },
          });
        }
      }).catch((error) => log.debug(`Cannot send IPC response: ${errorText(error)}`));
    },
    onClose: (error) => {
      channels.delete(channel);
      clearInterval(heartbeat);
      onServed();
      // A CLI that hung up (Ctrl+C, a closed pipe) is routine: no warning, no stack trace.
      if (error || inFlight.size > 0) {
        log.debug(
          `IPC client disconnected${error ? ` (${errorText(error)})` : ""}` +
            `${inFlight.size > 0 ? `; cancelling ${inFlight.size} request(s)` : ""}`,
        );
      }
      for (const controller of inFlight.values()) {
        controller.abort(new DOMException("The CLI disconnected", "AbortError"));
      }
    },
    onInvalidLine: (line) => warn(`Dropped unparsable IPC line (${line.length} chars)`),
  });
  channels.add(channel);
}

async function readStartConfig(): Promise<BridgeStartConfig> {
  const bytes = await readAtMost(
    Deno.stdin.readable,
    MAX_START_CONFIG_BYTES,
    AbortSignal.timeout(START_CONFIG_TIMEOUT_MS),
  );
  if (!bytes) throw new TypeError("The bridge start config is too large");
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") throw new TypeError("Bridge received no start config on stdin");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError("The bridge start config on stdin is not JSON");
  }
  return parseStartConfig(value);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
