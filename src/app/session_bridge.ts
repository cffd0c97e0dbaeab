/**
 * Getting a working bridge for a session: check the stored status, reach the
 * bridge over its socket (identity-checked), and restart it transparently when
 * it is gone, resuming the MCP session when possible.
 *
 * Layer: use case.
 * @module
 */

import {
  sessionAccounts,
  sessionEnvAccount,
  sessionHeadersAccount,
  sessionProxyTokenAccount,
  sessionServerAccount,
} from "../auth/secret_store.ts";
import { hasVariableReference } from "../config/env_substitution.ts";
import { sessionTarget } from "../render/human/sessions.ts";
import { BridgeClient, BridgeUnreachableError, type UnreachableReason } from "../bridge/client.ts";
import { launchBridge, SOCKET_WAIT_MS } from "../bridge/launcher.ts";
import type { BridgeStartConfig } from "../bridge/protocol.ts";
import type { AppContext } from "../context.ts";
import { authError, McpcError, networkError, usageError, withFailurePrefix } from "../errors.ts";
import { bridgeLogPath, bridgeSocketPath } from "../platform/paths.ts";
import {
  reapProcessGroup,
  runsSubcommand,
  terminateProcess,
  waitForExit,
} from "../platform/process.ts";
import { BRIDGE_SUBCOMMAND } from "../platform/self_command.ts";
import {
  appendLogHint,
  authRequiredMessage,
  connectTarget,
  expiredMessage,
  reconnectWithHeadersCommand,
  sessionNotFoundMessage,
} from "../render/hints.ts";
import {
  type EraVerdict,
  isValidSessionName,
  REDACTED,
  redactServerConfig,
  type ServerConfig,
  type SessionRecord,
  usesStaticToken,
} from "../session/session.ts";
import { formatProxyAddress } from "../session/proxy_address.ts";
import { attemptIsFresh, isTransient, restartStatus } from "../session/status.ts";

/** A session with a connected bridge client. */
export interface OpenSession {
  record: SessionRecord;
  client: BridgeClient;
  /** The bridge log file. */
  logPath: string;
}

/** Rejects names that are not `@` + 1–64 of `[a-zA-Z0-9_-]` (session-command wording). */
export function requireSessionName(name: string): void {
  if (!isValidSessionName(name)) {
    throw usageError(
      `Invalid session name: ${name}\nSession names must start with @ (e.g. @apify).\n\n` +
        "To create a session, run:\n  mcpc connect <server> @my-session",
    );
  }
}

/** Reads the session record or fails with `Session not found: @x`. */
export async function requireSession(ctx: AppContext, name: string): Promise<SessionRecord> {
  requireSessionName(name);
  const record = await ctx.sessions.get(name);
  if (!record) throw usageError(sessionNotFoundMessage(name));
  return record;
}

/**
 * Returns a client for the session's bridge, restarting the bridge if it is
 * gone. `unauthorized` and `expired` sessions fail without touching the bridge.
 */
export async function openSession(ctx: AppContext, name: string): Promise<OpenSession> {
  const record = await awaitStartingBridge(ctx, await requireSession(ctx, name));
  const logPath = bridgeLogPath(ctx.paths.home, name);
  if (record.status === "unauthorized") {
    if (!await loggedInSince(ctx, record)) throw authFailure(record, logPath);
    // `mcpc login` renewed the session's profile after its last attempt: try again now.
    ctx.debug(`Profile ${record.profileName} of ${name} was renewed; restarting its bridge`);
    const restarted = await restartBridge(ctx, record, { resume: true });
    return { record: restarted.record, client: restarted.client, logPath };
  }
  if (record.status === "expired") throw usageError(expiredMessage(name, logPath));
  requireServerConfig(record);
  if (record.status === "crashed" && record.pid === undefined) {
    // No attempt runs (a failed bridge gives up its PID while it lingers): start afresh.
    ctx.debug(`Session ${name} crashed; starting a new bridge`);
    const restarted = await restartBridge(ctx, record, { resume: true });
    return { record: restarted.record, client: restarted.client, logPath };
  }
  const reached = await reachStartingBridge(ctx, record);
  if (reached instanceof BridgeClient) {
    ctx.debug(`Connected to the bridge of ${name} (pid ${record.pid})`);
    return { record, client: reached, logPath };
  }
  if (reached === "unresponsive") {
    throw networkError(
      `The bridge of ${name} (pid ${record.pid}) is not responding. ` +
        `Try again, or run "mcpc ${name} restart".`,
    );
  }
  ctx.debug(`Bridge of ${name} is not running (${reached}); starting it`);
  const restarted = await restartBridge(ctx, record, { resume: true });
  return { record: restarted.record, client: restarted.client, logPath };
}

/** Whether the session's OAuth profile was logged in or refreshed after the session's last attempt. */
async function loggedInSince(ctx: AppContext, record: SessionRecord): Promise<boolean> {
  const url = record.server?.url;
  if (!record.profileName || !url) return false;
  const profile = await ctx.profiles.find(url, record.profileName);
  const renewed = Math.max(
    Date.parse(profile?.authenticatedAt ?? "") || 0,
    Date.parse(profile?.refreshedAt ?? "") || 0,
  );
  const attempted = Date.parse(record.lastConnectionAttemptAt ?? "") || 0;
  return renewed > attempted;
}

/**
 * The error for a server that rejected the session's credentials, with the
 * reconnect command that can fix it and the log path.
 */
export function authFailure(
  record: SessionRecord,
  logPath: string,
  options: { cause?: unknown } = {},
): McpcError {
  const cause = options.cause;
  return authError(
    authRequiredMessage({ session: record, logPath, staticToken: usesStaticToken(record) }),
    { cause, details: cause instanceof Error ? cause.message : undefined },
  );
}

/**
 * Like {@linkcode reachBridge}, but a bridge started a moment ago (a listing
 * records its PID before it listens) is given until its socket is up.
 */
async function reachStartingBridge(
  ctx: AppContext,
  record: SessionRecord,
): Promise<BridgeClient | UnreachableReason> {
  const fresh = attemptIsFresh(record, ctx.now());
  const deadline = ctx.now() + SOCKET_WAIT_MS;
  while (true) {
    const reached = await reachBridge(ctx, record);
    const starting = reached === "absent" && fresh && record.pid !== undefined &&
      runsSubcommand(record.pid, BRIDGE_SUBCOMMAND, record.name);
    if (!starting || ctx.now() >= deadline) return reached;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Timeout of the identity check when a bridge is reached (ms). */
const REACH_TIMEOUT_MS = 5_000;

/**
 * Connects to the record's bridge and checks its identity. Returns the client,
 * or why it cannot be used: `absent` (no bridge, or no PID recorded), `foreign`
 * (the PID belongs to something else) or `unresponsive` (our bridge is busy).
 */
export async function reachBridge(
  ctx: AppContext,
  record: SessionRecord,
  options: { timeoutMs?: number } = {},
): Promise<BridgeClient | UnreachableReason> {
  if (record.pid === undefined) return "absent";
  try {
    return await BridgeClient.connect(bridgeSocketPath(ctx.paths.home, record.name, record.pid), {
      sessionName: record.name,
      pid: record.pid,
      timeoutMs: options.timeoutMs ?? REACH_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof BridgeUnreachableError) return error.reason;
    throw error;
  }
}

/**
 * Whether the record's bridge is alive: it answers as itself, or it is ours
 * but busy. Only a missing or foreign bridge counts as dead (PID-reuse safe).
 */
export async function probeBridge(ctx: AppContext, record: SessionRecord): Promise<boolean> {
  const reached = await reachBridge(ctx, record, { timeoutMs: PROBE_TIMEOUT_MS });
  if (reached instanceof BridgeClient) {
    reached.close();
    return true;
  }
  return reached === "unresponsive";
}

/** How long a liveness probe waits for an answer (ms). */
const PROBE_TIMEOUT_MS = 1_000;

/** Fails for records that carry no server to connect to (e.g. written by an old version). */
export function requireServerConfig(record: SessionRecord): void {
  if (!record.server?.url && !record.server?.command) {
    throw usageError(
      `Session ${record.name} has no server configuration (it may come from an older mcpc).\n` +
        `Remove it with: mcpc ${record.name} close`,
    );
  }
}

/**
 * When another mcpc process has just started this session's bridge (status
 * `connecting`/`reconnecting`, fresh attempt, no PID yet), waits briefly for
 * the bridge to record its PID instead of starting a second one.
 */
export async function awaitStartingBridge(
  ctx: AppContext,
  record: SessionRecord,
): Promise<SessionRecord> {
  const starting = record.pid === undefined && isTransient(record.status) &&
    attemptIsFresh(record, ctx.now());
  if (!starting) return record;
  ctx.debug(`Waiting for the bridge of ${record.name} that another mcpc process started`);
  const deadline = ctx.now() + SOCKET_WAIT_MS;
  let current = record;
  while (ctx.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    current = (await ctx.sessions.get(record.name)) ?? current;
    if (current.pid !== undefined || !isTransient(current.status)) return current;
  }
  return current;
}

/** Options for {@linkcode restartBridge}. */
export interface RestartBridgeOptions {
  /** Resume the stored MCP session (automatic restarts) or start fresh (explicit `restart`). */
  resume: boolean;
}

/**
 * Stops the session's bridge if one runs, marks the record (re)connecting and
 * starts a new bridge with the stored secrets; returns a client for it.
 */
export async function restartBridge(
  ctx: AppContext,
  record: SessionRecord,
  options: RestartBridgeOptions,
): Promise<{ record: SessionRecord; client: BridgeClient }> {
  const name = record.name;
  requireServerConfig(record);
  // Everything that can fail without harm comes before the bridge is stopped: the secrets,
  // then the record, so a full disk or a busy lock leaves the running session as it was.
  let start: BridgeStartConfig;
  try {
    start = await buildStartConfig(ctx, record, options);
  } catch (error) {
    // Closed meanwhile: its secrets went with it, and that is the news.
    if (!(await ctx.sessions.get(name).catch(() => record))) {
      throw usageError(sessionNotFoundMessage(name), { cause: error });
    }
    throw error;
  }
  // No PID from here on: a bridge stopped next no longer owns the record (it does not mark
  // it `crashed`), and a record never names a bridge that is gone.
  const updated = await withFailurePrefix(
    `Session ${name} was not restarted (nothing was changed): `,
    () =>
      ctx.sessions.patch(name, (stored) => {
        stored.status = restartStatus(stored);
        stored.lastConnectionAttemptAt = new Date(ctx.now()).toISOString();
        delete stored.pid;
        if (!options.resume) {
          // A fresh start: what the old bridge followed and set is not carried over.
          delete stored.mcpSessionId;
          delete stored.subscriptions;
          delete stored.logLevel;
        }
      }),
  );
  if (!updated) throw usageError(sessionNotFoundMessage(name));
  await stopBridgeProcess(ctx, record);
  // A listing may have started a retry meanwhile: stop that one too (bounded).
  for (let round = 0; round < 3; round++) {
    const current = await ctx.sessions.get(name);
    if (current?.pid === undefined || current.pid === record.pid) break;
    await stopBridgeProcess(ctx, current);
  }
  ctx.debug(`Starting a bridge for ${name}${start.resume ? " (resuming the MCP session)" : ""}`);
  // An explicit restart takes the session over; a transparent one yields to a bridge that
  // another mcpc started at the same moment, and then uses that one.
  const takeover = !options.resume;
  try {
    const pid = await launchBridge({ ...start, ...(takeover ? { takeover } : {}) }, {
      cwd: record.cwd ?? ctx.cwd,
      env: ctx.env,
    });
    ctx.debug(`Bridge of ${name} started (pid ${pid})`);
    const client = await connectToNewBridge(ctx, name, pid);
    return { record: { ...updated, pid }, client };
  } catch (error) {
    const rival = takeover ? undefined : await ctx.sessions.get(name);
    if (rival?.pid !== undefined) {
      const reached = await reachStartingBridge(ctx, rival);
      if (reached instanceof BridgeClient) {
        ctx.debug(`Using the bridge another mcpc started for ${name} (pid ${rival.pid})`);
        return { record: rival, client: reached };
      }
    }
    throw error;
  }
}

/** Connects to a bridge that was just started. */
export async function connectToNewBridge(
  ctx: AppContext,
  name: string,
  pid: number,
): Promise<BridgeClient> {
  try {
    return await BridgeClient.connect(bridgeSocketPath(ctx.paths.home, name, pid), {
      sessionName: name,
      pid,
    });
  } catch (error) {
    throw usageError(
      appendLogHint(`Cannot reach the new bridge of ${name}`, bridgeLogPath(ctx.paths.home, name)),
      { cause: error },
    );
  }
}

/** Deletes a session's record and all its secrets. */
export async function forgetSession(ctx: AppContext, name: string): Promise<void> {
  await ctx.sessions.delete(name);
  await forgetSecrets(ctx, name);
}

/** Deletes all secrets kept for a session. */
export async function forgetSecrets(ctx: AppContext, name: string): Promise<void> {
  for (const account of sessionAccounts(name)) await ctx.secrets.delete(account);
}

/** Builds a bridge's start config from the record plus the secrets kept for it. */
export async function buildStartConfig(
  ctx: AppContext,
  record: SessionRecord,
  options: RestartBridgeOptions,
): Promise<BridgeStartConfig> {
  let server: ServerConfig = { ...record.server };
  // `${VAR}` templates and redacted query values: the real values are with the secrets.
  const keptAside = [server.url, server.command, ...(server.args ?? [])]
    .some((value) => value !== undefined && hasVariableReference(value)) ||
    server.url?.includes(REDACTED) === true;
  if (keptAside) {
    const stored = await ctx.secrets.get(sessionServerAccount(record.name));
    if (!stored) {
      throw usageError(
        `Missing the full server settings of session ${record.name} in the secret store. ` +
          `Reconnect it with: mcpc connect ${connectTarget(record)} ${record.name}`,
      );
    }
    server = { ...server, ...JSON.parse(stored) };
  }
  // `--timeout` on this command wins over the one recorded at connect, for the handshake too.
  if (ctx.timeoutExplicit) server.timeout = ctx.timeoutMs / 1000;
  if (server.headers) {
    server.headers = await loadSecretValues(
      ctx,
      sessionHeadersAccount(record.name),
      server.headers,
      {
        what: "HTTP header(s)",
        reconnect: () => reconnectWithHeadersCommand(record),
        sessionName: record.name,
      },
    );
  }
  if (server.env) {
    server.env = await loadSecretValues(ctx, sessionEnvAccount(record.name), server.env, {
      what: "environment variable(s)",
      reconnect: () => `mcpc connect ${connectTarget(record)} ${record.name}`,
      sessionName: record.name,
    });
  }
  const canResume = options.resume && record.mcpSessionId && record.initializeResult;
  const wallet = record.x402 ? await sessionWallet(ctx, record) : undefined;
  const proxyToken = record.proxy?.bearerToken !== undefined
    ? await ctx.secrets.get(sessionProxyTokenAccount(record.name))
    : undefined;
  // Never an open proxy where a token was asked for.
  if (record.proxy?.bearerToken !== undefined && proxyToken === undefined) {
    throw usageError(
      `Missing the proxy bearer token in the secret store for session ${record.name}. ` +
        `Reconnect it with: mcpc connect ${connectTarget(record)} ${record.name} --proxy ` +
        `${formatProxyAddress(record.proxy)} --proxy-bearer-token <token>`,
    );
  }
  return {
    sessionName: record.name,
    home: ctx.paths.home,
    server,
    ...(record.profileName ? { profileName: record.profileName } : {}),
    ...(canResume
      ? { resume: { mcpSessionId: record.mcpSessionId!, initialize: record.initializeResult! } }
      : {}),
    ...(record.era && !canResume ? { prior: eraOf(record.era) } : {}),
    ...(record.proxy
      ? {
        proxyServer: {
          host: record.proxy.host,
          port: record.proxy.port,
          ...(proxyToken !== undefined ? { bearerToken: proxyToken } : {}),
        },
      }
      : {}),
    ...(wallet
      ? {
        x402Wallet: {
          address: wallet.address,
          privateKey: wallet.privateKey,
          ...(record.x402MaxAmount !== undefined ? { maxAmount: record.x402MaxAmount } : {}),
        },
      }
      : {}),
    label: sessionTarget(redactServerConfig(record.server)),
  };
}

/** The wallet a paying session's bridge gets; a usage error when it was removed. */
async function sessionWallet(ctx: AppContext, record: SessionRecord) {
  const { readWallet } = await import("../x402/wallet.ts");
  const wallet = await readWallet(ctx.secrets);
  if (!wallet) {
    throw usageError(
      `Session ${record.name} pays with the x402 wallet, which is gone. Create or import one ` +
        `(mcpc x402 init), or connect without --x402: mcpc connect ${
          connectTarget(record)
        } ${record.name}`,
    );
  }
  return wallet;
}

/** The verdict without its date, as the bridge passes it to the SDK. */
function eraOf(era: NonNullable<SessionRecord["era"]>): EraVerdict {
  return era.kind === "modern" ? { kind: "modern", discover: era.discover } : { kind: "legacy" };
}

async function loadSecretValues(
  ctx: AppContext,
  account: string,
  recorded: Record<string, string>,
  labels: { what: string; sessionName: string; reconnect: () => string },
): Promise<Record<string, string>> {
  const raw = await ctx.secrets.get(account);
  const stored: Record<string, string> = raw ? JSON.parse(raw) : {};
  const missing = Object.keys(recorded).filter((key) =>
    recorded[key] === REDACTED && stored[key] === undefined
  );
  if (missing.length > 0) {
    throw usageError(
      `Missing ${labels.what} in the secret store for session ${labels.sessionName}: ${
        missing.join(", ")
      }. Reconnect it with: ${labels.reconnect()}`,
    );
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(recorded)) {
    values[key] = value === REDACTED ? stored[key] : value;
  }
  return values;
}

/**
 * How long a bridge asked to stop may take before it is signalled (ms): it
 * ends the MCP session and may need the whole stdio stop sequence (2 s + 2 s).
 */
export const STOP_GRACE_MS = 6_000;

/**
 * Stops a session's bridge: asks it to shut down over IPC (so it ends the MCP
 * session and its stdio server), makes sure the process is gone, then ends a
 * stdio server group a dead bridge left behind.
 */
export async function stopBridgeProcess(ctx: AppContext, record: SessionRecord): Promise<void> {
  const pid = record.pid;
  if (pid !== undefined) await stopBridge(ctx, record, pid);
  await endOrphanedServer(ctx, record);
}

async function stopBridge(ctx: AppContext, record: SessionRecord, pid: number): Promise<void> {
  const client = await reachBridge(ctx, record, { timeoutMs: 2_000 });
  // A bridge still starting (no socket yet) takes SIGTERM like a running one.
  if (client === "absent" && runsSubcommand(pid, BRIDGE_SUBCOMMAND, record.name)) {
    return await terminateProcess(pid, STOP_GRACE_MS);
  }
  // Gone, or the PID now belongs to a stranger: never signal it.
  if (client === "absent" || client === "foreign") return;
  // Only our bridge listens on its own socket path: a busy one may be signalled.
  if (client === "unresponsive") return await terminateProcess(pid, STOP_GRACE_MS);
  try {
    await client.request("shutdown", {}, { timeoutMs: 2_000 });
  } catch (error) {
    if (!(error instanceof McpcError)) throw error;
  } finally {
    client.close();
  }
  if (await waitForExit(pid, STOP_GRACE_MS)) return;
  await terminateProcess(pid, STOP_GRACE_MS);
}

/**
 * Ends the stdio server group recorded for a session whose bridge is gone
 * (killed before it could stop the server), and forgets it. The group is
 * only signalled when it is provably the recorded one (PID-reuse safe).
 */
export async function endOrphanedServer(ctx: AppContext, record: SessionRecord): Promise<void> {
  const name = record.name;
  const stored = await ctx.sessions.get(name);
  // A record already deleted (close) still names the group it had.
  const group = stored ? stored.serverProcess : record.serverProcess;
  if (!group) return;
  if (await reapProcessGroup(group)) {
    ctx.debug(`Stopped the server process group ${group.pgid} left by the bridge of ${name}`);
  }
  await ctx.sessions.patch(name, (stored) => {
    if (stored.serverProcess?.pgid === group.pgid) delete stored.serverProcess;
  });
}
