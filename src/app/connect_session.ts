/**
 * `mcpc connect <server> [@session]`: resolve the target, store its secrets,
 * write the record, start the bridge and report what the server said.
 *
 * Layer: use case.
 * @module
 */

import { DEFAULT_PROFILE, isValidProfileName, loginCommand } from "../auth/profile_store.ts";
import {
  sessionEnvAccount,
  sessionHeadersAccount,
  sessionProxyTokenAccount,
  sessionServerAccount,
} from "../auth/secret_store.ts";
import { launchBridge } from "../bridge/launcher.ts";
import {
  formatProxyAddress,
  parseProxyAddress,
  portInUseMessage,
  type ProxyAddress,
  sameProxyAddress,
} from "../session/proxy_address.ts";
import { sendSignal } from "../platform/process.ts";
import {
  invalidServerMessage,
  parseHeader,
  parseServerArg,
  parseServerUrl,
} from "../config/server_target.ts";
import { loadConfigTarget } from "../config/load_config.ts";
import type { TemplatedFields } from "../config/mcp_config.ts";
import { hasVariableReference } from "../config/env_substitution.ts";
import { redactUrl } from "../config/redact_url.ts";
import { sessionTarget } from "../render/human/sessions.ts";
import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import { bridgeLogPath } from "../platform/paths.ts";
import { checkedCaFile } from "../platform/outbound_fetch.ts";
import { appendLogHint, logPathHint } from "../render/hints.ts";
import { firstFreeName, nameFromUrl, sanitizeNamePart } from "../session/naming.ts";
import {
  isValidSessionName,
  PROTOCOL_VERSIONS,
  REDACTED,
  redactServerConfig,
  type ServerConfig,
  type SessionRecord,
} from "../session/session.ts";
import { isTransient } from "../session/status.ts";
import type { CommandOutput } from "./output.ts";
import {
  authFailure,
  awaitStartingBridge,
  connectToNewBridge,
  forgetSession,
  reachBridge,
  stopBridgeProcess,
} from "./session_bridge.ts";
import { BridgeClient } from "../bridge/client.ts";
import type { ServerDetails } from "../bridge/protocol.ts";
import { requestTimeoutMs, serverDetailsOutput } from "./session_commands.ts";
import { handshakeWaitMs, withWaitingNote } from "./waiting_note.ts";

/** What the user asked `connect` to do. */
export interface ConnectRequest {
  /** `<url>` or `<file>:<entry>`. */
  target: string;
  /** `@name`, when given. */
  sessionName?: string;
  /** Raw `-H/--header` values, in order. */
  headers: string[];
  /** `--protocol-version`: the only revision to speak. */
  protocolVersion?: string;
  /** `--profile <name>` (a name), `--no-profile` (`false`), or neither. */
  profile?: string | false;
  /** `--ca-file <pem>`: CA certificates the server's certificate may also chain to. */
  caFile?: string;
  /** `--insecure`: no TLS certificate checks for the server. */
  insecure?: boolean;
  /** `--proxy [host:]port`: also serve the session as an MCP server there. */
  proxy?: string;
  /** `--proxy-bearer-token`: the token clients of the proxy must send. */
  proxyBearerToken?: string;
  /** `--x402`: pay for tools with the x402 wallet. */
  x402?: boolean;
  /** `--x402-max-amount`: the most one payment may be (USD). */
  x402MaxAmount?: string;
  /**
   * A bulk connect's entry: return as soon as the bridge listens (it goes on
   * connecting on its own) or the session is found active, with a
   * {@linkcode StartedSession} as `json`; no server details are fetched.
   */
  background?: boolean;
  /** A bulk connect's entry, as data (a path may hold `:`); `target` is then only shown. */
  configEntry?: { file: string; entry: string };
  /** A bulk connect without `--stdio`: an entry that turns out to run a command is refused. */
  refuseStdio?: boolean;
  /** Warnings already printed by this bulk connect (each is printed once). */
  warned?: Set<string>;
}

/** What a background connect did. */
export interface StartedSession {
  sessionName: string;
  /** `connecting`: a bridge was started; `active`: a live bridge with the same settings was found. */
  status: "connecting" | "active";
}

function started(sessionName: string, status: StartedSession["status"]): CommandOutput {
  const json: StartedSession = { sessionName, status };
  return { json, human: () => `${sessionName} ${status}` };
}

interface ResolvedTarget {
  /** With `${VAR}` substituted and the full URL: what the bridge connects with. */
  server: ServerConfig;
  /**
   * What records, output and logs show: `${VAR}` fields as written, header and
   * env values redacted, the URL without userinfo and with its query values redacted.
   */
  shown: ServerConfig;
  /** The `<server>` argument as it may be repeated in messages (URL secrets redacted). */
  typed: string;
  /** Base for an automatic name. */
  nameBase: string;
  /** The config file (real path) and entry, for a `file:entry` target. */
  config?: { file: string; entry: string };
  /** The OAuth profile the bridge authenticates with. */
  profileName?: string;
}

/** Runs `connect` for one target. */
export async function connectSession(
  ctx: AppContext,
  request: ConnectRequest,
): Promise<CommandOutput> {
  if (request.target.startsWith("@")) {
    throw usageError(
      request.sessionName === undefined
        ? "Missing required argument: server\n\nExample: mcpc connect mcp.example.com " +
          request.target
        : "The server comes before the session name: " +
          `mcpc connect ${redactUrl(request.sessionName)} ${request.target}`,
    );
  }
  if (request.sessionName !== undefined && !isValidSessionName(request.sessionName)) {
    // Without its @ it may be anything typed there, such as a header value missing its -H.
    const shown = request.sessionName.startsWith("@")
      ? request.sessionName
      : "(not shown: it does not start with @)";
    throw usageError(
      `Invalid session name: ${shown}\nSession names must start with @ and be followed by ` +
        "1-64 characters, alphanumeric with hyphens or underscores only (e.g., @my-session).",
    );
  }
  const proxy = proxySettings(request);
  const maxAmount = await checkedMaxAmount(request);
  const wallet = request.x402 ? await walletForConnect(ctx) : undefined;
  // A proxy's clients spend the wallet: without a token, anything that reaches the port would.
  if (wallet && proxy && proxy.bearerToken === undefined) {
    throw usageError(
      "--x402 with --proxy needs --proxy-bearer-token: the proxy's clients pay with the wallet",
    );
  }
  const resolved = await resolveTarget(ctx, request);
  const { name, announced } = await chooseName(ctx, request, resolved);
  const notices: string[] = [];
  if (announced) notices.push(`Using session name: ${name}`);
  const shown = resolved.shown;
  let existing: SessionRecord | undefined;
  let record: SessionRecord | undefined;
  // A second pass only when another mcpc process changed the session meanwhile.
  for (let pass = 0; record === undefined; pass++) {
    existing = await ctx.sessions.get(name);
    // The session's own bridge may hold the port: then it is checked once that bridge stopped.
    if (proxy && !sameProxyAddress(existing?.proxy, proxy.address)) {
      await probeProxyPort(proxy.address);
    }
    if (existing) {
      if (!sameServer(existing, shown, resolved.config)) {
        throw otherServerError(existing, resolved.typed, shown);
      }
      // Another mcpc may be connecting this very session right now: let it finish.
      existing = await awaitStartingBridge(ctx, existing);
      const reached = await reachBridge(ctx, existing);
      const unchanged = sameSettings(existing, shown, resolved.profileName, proxy) &&
        (existing.x402 === true) === (wallet !== undefined) &&
        existing.x402MaxAmount === maxAmount &&
        await sameSecrets(ctx, name, resolved, proxy);
      const healthy = existing.status === "active" || isTransient(existing.status);
      if (reached instanceof BridgeClient) {
        if (healthy && unchanged && request.background) {
          reached.close();
          return started(name, "active");
        }
        if (healthy && unchanged) return await alreadyActive(ctx, existing, reached, notices);
        reached.close();
      }
      notices.push(
        !unchanged
          ? `Session ${name} exists with other settings, reconnecting with the new ones...`
          : reached === "unresponsive"
          ? `Session ${name} exists but its bridge is not responding, restarting it...`
          : `Session ${name} exists but bridge is ${existing.status}, reconnecting...`,
      );
      await stopBridgeProcess(ctx, existing);
      // The stopped bridge updated the record on its way out.
      existing = (await ctx.sessions.get(name)) ?? existing;
      if (proxy && sameProxyAddress(existing.proxy, proxy.address)) {
        await probeProxyPort(proxy.address);
      }
    }
    try {
      record = await writeRecord(ctx, name, {
        server: shown,
        config: resolved.config,
        profileName: resolved.profileName,
        proxy,
        x402: wallet !== undefined,
        ...(maxAmount !== undefined ? { x402MaxAmount: maxAmount } : {}),
      }, existing);
    } catch (error) {
      if (!(error instanceof RecordConflict) || pass > 0) throw error;
      notices.length = announced ? 1 : 0;
    }
  }
  await storeSecrets(ctx, name, resolved, proxy);
  const startedAt = ctx.now();
  // Ctrl+C abandons the attempt: the bridge stops (and its server with it), a new session goes.
  let spawned: number | undefined;
  const created = existing === undefined;
  const abandon = ctx.onInterrupt(async () => {
    if (spawned !== undefined) sendSignal(spawned, "SIGTERM");
    if (created) await forgetSession(ctx, name);
  });
  try {
    let pid: number;
    try {
      pid = await launchBridge({
        sessionName: name,
        home: ctx.paths.home,
        server: resolved.server,
        label: sessionTarget(shown),
        ...(resolved.profileName ? { profileName: resolved.profileName } : {}),
        ...(proxy
          ? {
            proxyServer: {
              ...proxy.address,
              ...(proxy.bearerToken !== undefined ? { bearerToken: proxy.bearerToken } : {}),
            },
          }
          : {}),
        ...(wallet
          ? {
            x402Wallet: {
              address: wallet.address,
              privateKey: wallet.privateKey,
              ...(maxAmount !== undefined ? { maxAmount } : {}),
            },
          }
          : {}),
        takeover: true,
      }, { cwd: ctx.cwd, env: ctx.env, onSpawn: (child) => spawned = child });
    } catch (error) {
      if (created) await forgetSession(ctx, name);
      throw error;
    }
    ctx.debug(`Bridge of ${name} started (pid ${pid}) in ${ctx.now() - startedAt} ms`);
    if (request.background) return started(name, "connecting");
    return await reportConnect(ctx, { ...record, pid }, { notices, created });
  } finally {
    abandon();
  }
}

/**
 * Whether `record` is for the same server as the new target (`shown`): the
 * same config file and entry, else the same URL as shown (query values
 * redacted, so only another value for the same query keys is the same
 * server), else the same stdio command line.
 */
function sameServer(
  record: SessionRecord,
  shown: ServerConfig,
  config: ResolvedTarget["config"],
): boolean {
  if (record.configFile !== undefined && config !== undefined) {
    return record.configFile === config.file && record.configEntry === config.entry;
  }
  if (record.server?.url !== undefined || shown.url !== undefined) {
    return shownUrl(record) === shown.url;
  }
  return sessionTarget(record.server) === sessionTarget(shown);
}

/** A record's URL as shown; records of older versions may hold the full URL. */
function shownUrl(record: SessionRecord): string | undefined {
  return record.server?.url === undefined ? undefined : redactUrl(record.server.url);
}

function otherServerError(record: SessionRecord, typed: string, server: ServerConfig) {
  const current = record.configFile
    ? `${record.configFile}:${record.configEntry}`
    : sessionTarget(redactServerConfig(record.server ?? {}));
  const wanted = typed.includes(":") && !server.url ? typed : sessionTarget(server);
  return usageError(
    `Session ${record.name} is connected to ${current}, not ${wanted}; nothing was changed.\n` +
      `To connect ${typed}, pick another name:  mcpc connect ${typed} @<new-name>\n` +
      `To reuse the name, close it first:      mcpc close ${record.name}`,
  );
}

async function resolveTarget(ctx: AppContext, request: ConnectRequest): Promise<ResolvedTarget> {
  const target = request.configEntry
    ? { type: "config" as const, ...request.configEntry }
    : parseServerArg(request.target);
  if (!target) throw usageError(invalidServerMessage(request.target));
  const headers = headerFlags(request.headers);
  if (target.type === "config-file") {
    throw usageError(
      `Connecting every server of a config file is not available yet: ${target.file}\n` +
        `Name one entry instead: mcpc connect ${target.file}:<entry>`,
    );
  }
  const warn = (message: string) => {
    if (request.warned?.has(message)) return;
    request.warned?.add(message);
    if (!ctx.output.json) ctx.stderr(`${message}\n`);
  };
  let server: ServerConfig;
  let nameBase: string;
  let templates: TemplatedFields = {};
  let config: ResolvedTarget["config"];
  let typed = request.target;
  if (target.type === "url") {
    const { url, authorization } = parseServerUrl(target.url);
    server = { url };
    if (authorization !== undefined) {
      if (hasHeader(headers, "authorization")) {
        warn("Ignoring the user name and password in the URL: --header sets Authorization");
      } else server.headers = { Authorization: authorization };
    }
    nameBase = nameFromUrl(url);
    typed = redactUrl(request.target);
  } else {
    const loaded = await loadConfigTarget(target.file, target.entry, {
      cwd: ctx.cwd,
      env: (name) => ctx.env[name],
      warn,
    });
    ({ server, templates } = loaded);
    if (request.refuseStdio && server.command !== undefined) {
      throw usageError(
        `Server "${target.entry}" runs a command (stdio); pass --stdio to include it`,
      );
    }
    config = { file: loaded.realPath, entry: target.entry };
    nameBase = sanitizeNamePart(target.entry);
  }
  if (Object.keys(headers).length > 0) {
    if (!server.url) {
      throw usageError("--header applies to HTTP servers only, not to stdio servers");
    }
    server.headers = withHeaders(server.headers ?? {}, headers);
  }
  if (ctx.timeoutExplicit) server.timeout = ctx.timeoutMs / 1000;
  if (request.caFile !== undefined) {
    if (!server.url) {
      throw usageError("--ca-file applies to HTTP servers only, not to stdio servers");
    }
    server.caFile = await checkedCaFile(request.caFile, ctx.cwd);
  }
  if (request.insecure) {
    if (!server.url) {
      throw usageError("--insecure applies to HTTP servers only, not to stdio servers");
    }
    server.insecure = true;
    warn(
      "Warning: --insecure: the server's TLS certificate is not checked for this session, " +
        "so anyone on the network path can read and change its traffic",
    );
  }
  if (request.protocolVersion !== undefined) {
    server.protocolVersion = checkedProtocolVersion(request.protocolVersion);
  }
  if (request.x402 && !server.url) {
    throw usageError("--x402 applies to HTTP servers only, not to stdio servers");
  }
  const shown = redactServerConfig({ ...server, ...templates });
  // A paying session uses no OAuth profile unless one is asked for (as the original).
  const profileName = request.x402 && request.profile === undefined
    ? undefined
    : await chooseProfile(ctx, server, request.profile);
  return {
    server,
    shown,
    typed,
    nameBase,
    ...(config ? { config } : {}),
    ...(profileName ? { profileName } : {}),
  };
}

/**
 * The OAuth profile a connect uses (reference.md §7.7): none with an explicit
 * `Authorization` header or `--no-profile`; `--profile p` must exist;
 * otherwise the server's "default" profile when one is saved.
 */
async function chooseProfile(
  ctx: AppContext,
  server: ServerConfig,
  requested: string | false | undefined,
): Promise<string | undefined> {
  if (requested === false) return undefined;
  const authorization = hasHeader(server.headers ?? {}, "authorization");
  if (requested !== undefined) {
    if (!server.url) {
      throw usageError("--profile applies to HTTP servers only, not to stdio servers");
    }
    if (authorization) {
      throw usageError(
        "Give either an Authorization header or --profile, not both: the profile's token " +
          "would replace the header",
      );
    }
    if (!isValidProfileName(requested)) throw usageError(`Invalid profile name: "${requested}"`);
    if (!await ctx.profiles.find(server.url, requested)) {
      throw usageError(`Profile ${requested} for ${server.url} not found`, {
        hint: `Create it with: ${loginCommand(server.url, requested)}`,
      });
    }
    return requested;
  }
  if (!server.url || authorization) return undefined;
  const found = await ctx.profiles.find(server.url, DEFAULT_PROFILE);
  // Profiles are per endpoint without its query; a query may name another tenant, whose
  // server must not get this login's token unasked.
  if (!found || new URL(found.serverUrl).search !== new URL(server.url).search) return undefined;
  return DEFAULT_PROFILE;
}

/** A `--protocol-version` mcpc speaks, or a usage error listing those it does. */
function checkedProtocolVersion(version: string): string {
  if (PROTOCOL_VERSIONS.includes(version)) return version;
  throw usageError(
    `Unsupported --protocol-version ${JSON.stringify(version)}. ` +
      `Supported revisions: ${PROTOCOL_VERSIONS.join(", ")}`,
    { userInput: true },
  );
}

/** The `-H` values as headers; a later value for the same name (any case) replaces an earlier one. */
function headerFlags(values: readonly string[]): Record<string, string> {
  let headers: Record<string, string> = {};
  values.forEach((raw, index) => {
    const [key, value] = parseHeader(raw, values.length > 1 ? { position: index + 1 } : {});
    headers = withHeaders(headers, { [key]: value });
  });
  return headers;
}

/** `base` with `extra` applied: an extra header replaces one of the same name in any case. */
function withHeaders(
  base: Record<string, string>,
  extra: Record<string, string>,
): Record<string, string> {
  const names = new Set(Object.keys(extra).map((key) => key.toLowerCase()));
  const kept = Object.entries(base).filter(([key]) => !names.has(key.toLowerCase()));
  // Object.fromEntries defines own properties, so a key like "__proto__" stays plain data.
  return Object.fromEntries([...kept, ...Object.entries(extra)]);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/**
 * Whether a stored session already has these settings (server, header and env
 * keys, profile). Header values are secrets and not compared: a new value for
 * the same header key is applied only on reconnect.
 */
function sameSettings(
  existing: SessionRecord,
  server: ServerConfig,
  profileName: string | undefined,
  proxy: ProxySettings | undefined,
): boolean {
  const stable = (value: object | undefined) => JSON.stringify(sortKeys(value ?? {}));
  return stable(existing.server) === stable(redactServerConfig(server)) &&
    existing.profileName === profileName &&
    stable(existing.proxy) === stable(proxy && recordedProxy(proxy));
}

/** `--x402-max-amount`, checked (it needs `--x402`). */
async function checkedMaxAmount(request: ConnectRequest): Promise<string | undefined> {
  const given = request.x402MaxAmount;
  if (given === undefined) return undefined;
  if (!request.x402) throw usageError("--x402-max-amount applies with --x402 only");
  const { usdToAtomic } = await import("../x402/payment.ts");
  try {
    usdToAtomic(given);
  } catch (error) {
    throw usageError(`Invalid --x402-max-amount: ${(error as Error).message}`);
  }
  return given;
}

/** The x402 wallet `connect --x402` pays with; a usage error when there is none. */
async function walletForConnect(ctx: AppContext) {
  const { readWallet } = await import("../x402/wallet.ts");
  const wallet = await readWallet(ctx.secrets);
  if (!wallet) {
    throw usageError(
      "--x402 needs an x402 wallet. Create one with: mcpc x402 init (or mcpc x402 import)",
    );
  }
  return wallet;
}

/** What `--proxy` and `--proxy-bearer-token` ask for. */
interface ProxySettings {
  address: ProxyAddress;
  bearerToken?: string;
}

/** Checks `--proxy` and `--proxy-bearer-token`; `undefined` without `--proxy`. */
function proxySettings(request: ConnectRequest): ProxySettings | undefined {
  const token = request.proxyBearerToken;
  if (request.proxy === undefined) {
    if (token !== undefined) {
      throw usageError("--proxy-bearer-token requires --proxy to be specified");
    }
    return undefined;
  }
  let address: ProxyAddress;
  try {
    address = parseProxyAddress(request.proxy);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  if (token !== undefined && token.trim() === "") {
    throw usageError("--proxy-bearer-token cannot be empty");
  }
  // HTTP drops the spaces around a header value: such a token could never be sent.
  if (token !== undefined && (token !== token.trim() || /[\r\n]/.test(token))) {
    throw usageError("--proxy-bearer-token cannot begin or end with spaces or hold line breaks");
  }
  return { address, ...(token !== undefined ? { bearerToken: token } : {}) };
}

/** The proxy as the record keeps it: the address, and whether a token is needed (never the token). */
function recordedProxy(proxy: ProxySettings): NonNullable<SessionRecord["proxy"]> {
  return {
    ...proxy.address,
    ...(proxy.bearerToken !== undefined ? { bearerToken: REDACTED } : {}),
  };
}

/** Fails with the "already in use" message when the proxy's address cannot be listened on. */
async function probeProxyPort(address: ProxyAddress): Promise<void> {
  try {
    const listener = Deno.listen({ hostname: address.host, port: address.port });
    listener.close();
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw usageError(portInUseMessage(address), { cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(`Cannot listen on ${formatProxyAddress(address)} for --proxy: ${reason}`, {
      cause: error,
    });
  }
  // Let the OS release the port before the bridge binds it.
  await Promise.resolve();
}

/** A copy of `value` with object keys in sorted order, at every depth. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value).sort().map((
      key,
    ) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

async function chooseName(
  ctx: AppContext,
  request: ConnectRequest,
  resolved: ResolvedTarget,
): Promise<{ name: string; announced: boolean }> {
  if (request.sessionName) return { name: request.sessionName, announced: false };
  const sessions = Object.values(await ctx.sessions.readAll());
  const config = resolved.config;
  const reuse = config
    ? sessions.find((record) =>
      record.configFile === config.file && record.configEntry === config.entry
    )
    : sessions.find((record) =>
      record.configFile === undefined && shownUrl(record) === resolved.shown.url &&
      record.profileName === resolved.profileName &&
      headerKeys(record.server) === headerKeys(resolved.server)
    );
  if (reuse) return { name: reuse.name, announced: true };
  const name = firstFreeName(resolved.nameBase, new Set(sessions.map((record) => record.name)));
  if (!name) {
    throw usageError(
      "Cannot auto-generate session name: too many sessions for this server.\n" +
        `Specify a name explicitly: mcpc connect ${resolved.typed} @my-session`,
    );
  }
  return { name, announced: true };
}

function headerKeys(server: ServerConfig | undefined): string {
  return Object.keys(server?.headers ?? {}).map((key) => key.toLowerCase()).sort().join("\n");
}

/**
 * The secret-store accounts of a session and the values `target` puts there:
 * header and env values, and the real `url`/`command`/`args` where the record
 * shows something else (a `${VAR}` template, redacted query values).
 */
function secretValues(name: string, target: ResolvedTarget): [string, object | undefined][] {
  const { server, shown } = target;
  const substituted: TemplatedFields = {};
  if (keptAside(shown.url, server.url)) substituted.url = server.url;
  if (keptAside(shown.command, server.command)) substituted.command = server.command;
  if (keptAside(shown.args?.join("\0"), server.args?.join("\0"))) substituted.args = server.args;
  return [
    [sessionHeadersAccount(name), server.headers],
    [sessionEnvAccount(name), server.env],
    [sessionServerAccount(name), substituted],
  ];
}

/** Whether the real value must be kept with the secrets: the record shows another text. */
function keptAside(shown: string | undefined, real: string | undefined): boolean {
  if (shown === undefined) return false;
  return shown !== real || hasVariableReference(shown);
}

function isEmpty(value: object | undefined): boolean {
  return value === undefined || Object.keys(value).length === 0;
}

async function storeSecrets(
  ctx: AppContext,
  name: string,
  target: ResolvedTarget,
  proxy: ProxySettings | undefined,
): Promise<void> {
  for (const [account, value] of secretValues(name, target)) {
    if (isEmpty(value)) await ctx.secrets.delete(account);
    else await ctx.secrets.set(account, JSON.stringify(value));
  }
  const token = proxy?.bearerToken;
  if (token === undefined) await ctx.secrets.delete(sessionProxyTokenAccount(name));
  else await ctx.secrets.set(sessionProxyTokenAccount(name), token);
}

/** Whether the stored secrets (header values, env values, substituted fields) equal the new ones. */
async function sameSecrets(
  ctx: AppContext,
  name: string,
  target: ResolvedTarget,
  proxy: ProxySettings | undefined,
): Promise<boolean> {
  if (proxy?.bearerToken !== undefined) {
    if (await ctx.secrets.get(sessionProxyTokenAccount(name)) !== proxy.bearerToken) return false;
  }
  for (const [account, value] of secretValues(name, target)) {
    const stored = await ctx.secrets.get(account);
    const current = stored === undefined ? undefined : JSON.parse(stored);
    if (isEmpty(value) && isEmpty(current)) continue;
    if (JSON.stringify(sortKeys(current)) !== JSON.stringify(sortKeys(value))) return false;
  }
  return true;
}

/** The session was created or replaced by another mcpc process while this one connected. */
class RecordConflict extends Error {
  constructor(name: string) {
    super(
      `Session ${name} was changed by another mcpc process while connecting; check it with: mcpc ${name}`,
    );
    this.name = "RecordConflict";
  }
}

async function writeRecord(
  ctx: AppContext,
  name: string,
  target: {
    server: ServerConfig;
    config: ResolvedTarget["config"];
    profileName?: string;
    proxy?: ProxySettings;
    x402?: boolean;
    x402MaxAmount?: string;
  },
  existing: SessionRecord | undefined,
): Promise<SessionRecord> {
  const now = new Date(ctx.now()).toISOString();
  return await ctx.sessions.update((sessions) => {
    // Identity is the creation time: a listing dropping a dead PID is no conflict.
    if (sessions[name]?.createdAt !== existing?.createdAt) throw new RecordConflict(name);
    const record: SessionRecord = {
      name,
      server: redactServerConfig(target.server),
      ...(target.config
        ? { configFile: target.config.file, configEntry: target.config.entry }
        : {}),
      ...(target.profileName ? { profileName: target.profileName } : {}),
      ...(target.proxy ? { proxy: recordedProxy(target.proxy) } : {}),
      ...(target.x402 ? { x402: true } : {}),
      ...(target.x402MaxAmount !== undefined ? { x402MaxAmount: target.x402MaxAmount } : {}),
      status: "connecting",
      createdAt: existing?.createdAt ?? now,
      lastConnectionAttemptAt: now,
      cwd: ctx.cwd,
    };
    sessions[name] = record;
    return structuredClone(record);
  });
}

async function alreadyActive(
  ctx: AppContext,
  record: SessionRecord,
  client: BridgeClient,
  notices: string[],
): Promise<CommandOutput> {
  ctx.debug(`Session ${record.name} is already active (bridge pid ${record.pid})`);
  try {
    const details = await client.request("serverDetails", {}, {
      timeoutMs: requestTimeoutMs(ctx, record),
    });
    logConnection(ctx, record.name, details);
    const output = serverDetailsOutput(record, details, {
      logPath: bridgeLogPath(ctx.paths.home, record.name),
      status: "active",
    });
    return {
      json: [output.json],
      human: (theme) =>
        [
          ...notices.map((line) => theme.cyan(line)),
          output.human(theme),
          "",
          theme.green(`✓ Session ${record.name} is already active`),
        ].join("\n"),
    };
  } finally {
    client.close();
  }
}

async function reportConnect(
  ctx: AppContext,
  record: SessionRecord,
  options: { notices: string[]; created: boolean },
): Promise<CommandOutput> {
  const name = record.name;
  const logPath = bridgeLogPath(ctx.paths.home, name);
  const client = await connectToNewBridge(ctx, name, record.pid!);
  try {
    const timeoutMs = handshakeWaitMs(ctx, record.server, requestTimeoutMs(ctx, record));
    const details = await withWaitingNote(
      ctx,
      record.server,
      client.request("serverDetails", {}, {
        timeoutMs,
        timeoutLabel: `${timeoutMs / 1000} s`,
      }),
    );
    logConnection(ctx, name, details);
    const stored = (await ctx.sessions.get(name)) ?? record;
    const output = serverDetailsOutput(stored, details, { logPath, status: "created" });
    const verb = options.created ? "created" : "reconnected";
    return {
      json: [output.json],
      human: (theme) =>
        [
          ...options.notices.map((line) => theme.cyan(line)),
          output.human(theme),
          "",
          theme.green(`✓ Session ${name} ${verb}`),
        ].join("\n"),
    };
  } catch (error) {
    client.close();
    throw await connectFailure(ctx, record, error, options.created);
  } finally {
    client.close();
  }
}

/** With `--verbose`: how the bridge reached the server, and how long it took. */
function logConnection(ctx: AppContext, name: string, details: ServerDetails): void {
  const connection = details.connection;
  if (!connection) return;
  const version = details.initialize.protocolVersion || "unknown";
  const took = connection.connectMs !== undefined ? ` in ${connection.connectMs} ms` : "";
  ctx.debug(
    `Bridge of ${name} connected over ${connection.transport}, protocol ${version}` +
      `${connection.resumed ? " (MCP session resumed)" : ""}${took}`,
  );
}

/**
 * The error of a connect whose bridge could not connect. A failure that
 * waiting cannot heal (usage kind) leaves nothing behind for a new session:
 * the bridge is stopped and the record and secrets are deleted. Transient
 * failures keep the session; a rejected credential keeps it `unauthorized`.
 */
async function connectFailure(
  ctx: AppContext,
  record: SessionRecord,
  error: unknown,
  created: boolean,
): Promise<unknown> {
  if (!(error instanceof McpcError)) return error;
  const name = record.name;
  const logPath = bridgeLogPath(ctx.paths.home, name);
  const current = await ctx.sessions.get(name);
  if (current?.createdAt !== record.createdAt) {
    return usageError(`Session ${name} was closed while it was connecting`, { cause: error });
  }
  // A bridge that gave up (it dropped its PID from the record) lingers only to report its
  // failure, which this CLI now has; one still connecting (a timeout here) may go on.
  const gaveUp = current.pid !== record.pid;
  if (gaveUp || (error.kind === "usage" && created)) {
    await stopBridgeProcess(ctx, { ...current, pid: record.pid });
  }
  if (error.kind === "auth") {
    return authFailure(record, logPath, { cause: error });
  }
  if (error.kind === "network") {
    return new McpcError(
      "network",
      `${error.message}\nSession ${name} was kept and reconnects automatically` +
        `${
          record.server.url ? " when the server is reachable" : ""
        }; check it with: mcpc ${name}\n` +
        logPathHint(logPath),
      { cause: error },
    );
  }
  if (error.kind === "usage" && created) {
    await forgetSession(ctx, name);
    return usageError(error.message, { cause: error });
  }
  return new McpcError(error.kind, appendLogHint(error.message, logPath), { cause: error });
}
