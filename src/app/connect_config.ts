/**
 * `mcpc connect <file>`: connects every entry of one MCP config file
 * (reference.md §8.6), in parallel, each under the name of its entry
 * (`my.server` → `@my-server`). Stdio entries run a command from the file,
 * so they are skipped unless `--stdio` (supply-chain safety); a later entry
 * whose name collides is skipped as a duplicate; a session already live with
 * the same settings is reported `already active`. The command returns as
 * soon as each bridge listens: bridges connect on their own, so a slow
 * server does not hold it up (`mcpc` lists how each one fared).
 *
 * Layer: use case.
 * @module
 */

import { type ConfigFileEntry, loadConfigFile } from "../config/load_config.ts";
import { redactUrl } from "../config/redact_url.ts";
import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import type { Theme } from "../render/theme.ts";
import { safeText } from "../render/safe_text.ts";
import { sanitizeNamePart } from "../session/naming.ts";
import { connectSession, type StartedSession } from "./connect_session.ts";
import type { CommandOutput } from "./output.ts";
import { openSession } from "./session_bridge.ts";
import { serverDetailsOutput } from "./session_commands.ts";

/** What `connect <file>` was asked. */
export interface ConnectFileRequest {
  file: string;
  /** `--stdio`: include the entries that run a command. */
  stdio: boolean;
  /** `--protocol-version`, for every entry. */
  protocolVersion?: string;
}

/** One entry's outcome, as `--json` prints it. */
export interface BulkEntry {
  sessionName: string;
  /** The config file it comes from (absolute path). */
  file: string;
  /** The entry's name in the file. */
  entry: string;
  /** What it connects to (a URL with its secrets redacted, or the command line). */
  target: string;
  status: "connecting" | "active" | "failed" | "skipped";
  /** Why it was skipped. */
  reason?: "stdio" | "duplicate";
  /** Why it failed (one line). */
  error?: string;
}

/** Connects every entry of `request.file`. */
export async function connectConfigFile(
  ctx: AppContext,
  request: ConnectFileRequest,
): Promise<CommandOutput> {
  const { filePath, entries } = await loadConfigFile(request.file, {
    cwd: ctx.cwd,
    env: (name) => ctx.env[name],
  });
  if (entries.length === 0) throw usageError(`No servers found in config file: ${filePath}`);
  const planned = planBulk(entries.map((entry) => ({ ...entry, file: filePath })), request.stdio);
  const toConnect = planned.filter((entry) => entry.status !== "skipped");
  const stdioSkipped = planned.filter((entry) => entry.reason === "stdio");
  if (toConnect.length === 0 && stdioSkipped.length === planned.length) {
    if (ctx.output.json) return { json: await jsonOutcome(ctx, planned), human: () => "" };
    throw usageError(
      `All ${planned.length} server(s) in ${filePath} use stdio transport.\n` +
        `Pass --stdio to include them: mcpc connect ${request.file} --stdio`,
    );
  }
  const results = await connectPlanned(ctx, toConnect, request);
  const outcome = [...results, ...planned.filter((entry) => entry.status === "skipped")];
  if (
    results.length > 0 && results.every((entry) => entry.status === "failed") && !ctx.output.json
  ) {
    throw new McpcError("usage", `Failed to connect any servers from ${filePath}`, {
      hint: results.map((entry) => `  ${entry.sessionName}: ${safeText(entry.error ?? "")}`)
        .join("\n"),
    });
  }
  return {
    json: ctx.output.json ? await jsonOutcome(ctx, outcome) : outcome,
    human: (theme) =>
      renderBulk(
        filePath,
        results,
        stdioSkipped,
        planned.filter((entry) => entry.reason === "duplicate"),
        theme,
      ),
  };
}

/** One entry of a bulk connect's `--json` (reference.md §3.2.2). */
export interface BulkJsonEntry {
  _mcpc: {
    sessionName: string;
    configFile: string;
    entry: string;
    status: "created" | "active" | "failed" | "skipped";
    skipReason?: string;
    error?: string;
    [key: string]: unknown;
  };
  /** The server's details (those of `mcpc @s --json`), when it answered. */
  protocolVersion?: string;
  serverInfo?: { name: string; version?: string };
  [key: string]: unknown;
}

/** How long `--json` waits for each started bridge's server details (ms). */
export const DETAILS_WAIT_MS = 10_000;

/**
 * The `--json` of a bulk connect (reference.md §3.2.2): one entry per
 * config entry, `_mcpc` first (`created`, `active`, `failed` or `skipped`,
 * with `skipReason` or `error`), with the server's details read from each
 * started bridge. A server that has not answered within
 * {@linkcode DETAILS_WAIT_MS} is `created` without details (its bridge goes
 * on connecting); one that failed is `failed`.
 */
export function jsonOutcome(
  ctx: AppContext,
  entries: readonly BulkEntry[],
): Promise<BulkJsonEntry[]> {
  return Promise.all(entries.map(async (entry): Promise<BulkJsonEntry> => {
    const mcpc = { sessionName: entry.sessionName, configFile: entry.file, entry: entry.entry };
    if (entry.status === "skipped") {
      return { _mcpc: { ...mcpc, status: "skipped", skipReason: entry.reason } };
    }
    if (entry.status === "failed") {
      return { _mcpc: { ...mcpc, status: "failed", error: entry.error } };
    }
    const status: "active" | "created" = entry.status === "active" ? "active" : "created";
    try {
      const session = await openSession(ctx, entry.sessionName);
      try {
        const details = await session.client.request("serverDetails", {}, {
          timeoutMs: DETAILS_WAIT_MS,
        });
        const json = serverDetailsOutput(session.record, details, {
          logPath: session.logPath,
          status,
        }).json as { _mcpc: Record<string, unknown> };
        return { ...json, _mcpc: { ...json._mcpc, ...mcpc, status } };
      } finally {
        session.client.close();
      }
    } catch (error) {
      if (!(error instanceof McpcError)) throw error;
      // Still connecting after the wait: the bridge goes on; anything else is a failure.
      if (/timed out/.test(error.message)) return { _mcpc: { ...mcpc, status } };
      return { _mcpc: { ...mcpc, status: "failed", error: error.message.split("\n")[0] } };
    }
  }));
}

/**
 * Names every entry (in order: an earlier one keeps a name both would get)
 * and decides which are skipped: stdio without `--stdio`, duplicate names.
 */
export function planBulk(
  entries: readonly (ConfigFileEntry & { file: string })[],
  stdio: boolean,
): BulkEntry[] {
  const taken = new Set<string>();
  return entries.map((entry): BulkEntry => {
    const sessionName = `@${sanitizeNamePart(entry.name)}`;
    const target = entry.stdio ? entry.target : redactUrl(entry.target);
    const base = { sessionName, file: entry.file, entry: entry.name, target };
    if (entry.stdio && !stdio) return { ...base, status: "skipped", reason: "stdio" };
    if (taken.has(sessionName)) return { ...base, status: "skipped", reason: "duplicate" };
    taken.add(sessionName);
    return { ...base, status: "connecting" };
  });
}

/** Connects the entries in parallel, each in the background. */
export function connectPlanned(
  ctx: AppContext,
  entries: readonly BulkEntry[],
  options: { stdio: boolean; protocolVersion?: string },
): Promise<BulkEntry[]> {
  const warned = new Set<string>();
  return Promise.all(entries.map((entry) => connectEntry(ctx, entry, { ...options, warned })));
}

/** Connects one entry in the background; a failure is the entry's, not the command's. */
async function connectEntry(
  ctx: AppContext,
  entry: BulkEntry,
  options: { stdio: boolean; protocolVersion?: string; warned: Set<string> },
): Promise<BulkEntry> {
  try {
    const output = await connectSession(ctx, {
      target: `${entry.file}:${entry.entry}`,
      configEntry: { file: entry.file, entry: entry.entry },
      sessionName: entry.sessionName,
      headers: [],
      ...(options.protocolVersion ? { protocolVersion: options.protocolVersion } : {}),
      background: true,
      // The plan read the file once; it is read again for each entry: what runs is checked again.
      refuseStdio: !options.stdio,
      warned: options.warned,
    });
    const started = output.json as StartedSession;
    return { ...entry, status: started.status };
  } catch (error) {
    if (!(error instanceof McpcError)) throw error;
    return { ...entry, status: "failed", error: error.message.split("\n")[0] };
  }
}

function renderBulk(
  filePath: string,
  results: readonly BulkEntry[],
  stdioSkipped: readonly BulkEntry[],
  duplicates: readonly BulkEntry[],
  theme: Theme,
): string {
  const lines = [`Connecting ${results.length} server(s) from ${filePath}...`];
  if (stdioSkipped.length > 0) {
    lines.push(
      `  skipping ${stdioSkipped.length} stdio server(s) (${
        stdioSkipped.map((entry) => safeText(entry.entry)).join(", ")
      }), pass --stdio to include`,
    );
  }
  lines.push(...results.map((entry) => badge(entry, theme)));
  lines.push(...duplicates.map((entry) => `${badge(entry, theme)}: ${safeText(entry.entry)}`));
  if (results.length > 1) lines.push(summary(results, theme));
  return lines.join("\n");
}

/** `  ● @a connecting` (yellow), `already active` (green), `failed — …` (red). */
export function badge(entry: BulkEntry, theme: Theme): string {
  switch (entry.status) {
    case "connecting":
      return `  ${theme.yellow("●")} ${entry.sessionName} connecting`;
    case "active":
      return `  ${theme.green("●")} ${entry.sessionName} already active`;
    case "failed":
      return `  ${theme.red("●")} ${entry.sessionName} failed — ${safeText(entry.error ?? "")}`;
    case "skipped":
      return `  ○ ${entry.sessionName} skipped (${entry.reason})`;
  }
}

/** `✓ 2 connecting`, or `⚠ 1 already active, 1 failed` when not all are connecting. */
export function summary(results: readonly BulkEntry[], theme: Theme): string {
  const count = (status: BulkEntry["status"]) =>
    results.filter((entry) => entry.status === status).length;
  const parts = [
    [count("connecting"), "connecting"],
    [count("active"), "already active"],
    [count("failed"), "failed"],
  ].filter(([n]) => (n as number) > 0).map(([n, what]) => `${n} ${what}`);
  const clean = count("connecting") === results.length;
  return clean ? theme.green(`✓ ${parts.join(", ")}`) : theme.yellow(`⚠ ${parts.join(", ")}`);
}
