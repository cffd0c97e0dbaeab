/**
 * `mcpc connect` with no server: finds the MCP config files people already
 * have for their editors and agents in the standard places (reference.md
 * §8.5), prints what it found, and connects every entry as a bulk connect
 * does (`connect <file>`): project files before the user's, a later entry
 * whose name is taken skipped as a duplicate, stdio entries only with
 * `--stdio`. A file that is not valid JSON is skipped with a warning; one
 * without servers does not count. No vendor's token becomes a session of its
 * own (decisions.md §3.10). Codex's TOML config is not read: no TOML parser
 * is a dependency of mcpc.
 *
 * Layer: use case.
 * @module
 */

import { join } from "node:path";
import { type ConfigFileEntry, loadConfigFile } from "../config/load_config.ts";
import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import type { Theme } from "../render/theme.ts";
import { safeText } from "../render/safe_text.ts";
import {
  badge,
  type BulkEntry,
  connectPlanned,
  jsonOutcome,
  planBulk,
  summary,
} from "./connect_config.ts";
import type { CommandOutput } from "./output.ts";

/** Where to look, as {@linkcode discoveryPaths} needs it. */
export interface DiscoveryPlaces {
  cwd: string;
  home: string | undefined;
  os: typeof Deno.build.os;
  /** `APPDATA` (Windows). */
  appData?: string;
}

/** The config files to look at, in priority order, each once (absolute paths). */
export function discoveryPaths(places: DiscoveryPlaces): string[] {
  const paths = [
    ".mcp.json",
    "mcp.json",
    "mcp_config.json",
    ".cursor/mcp.json",
    ".vscode/mcp.json",
    ".kiro/settings/mcp.json",
  ].map((path) => join(places.cwd, path));
  const home = places.home;
  if (home) {
    paths.push(
      ...[
        ".cursor/mcp.json",
        ".vscode/mcp.json",
        ".codeium/windsurf/mcp_config.json",
        ".kiro/settings/mcp.json",
        ".claude.json",
      ].map((path) => join(home, path)),
    );
    if (places.os === "darwin") {
      const support = join(home, "Library", "Application Support");
      paths.push(
        join(support, "Code", "User", "mcp.json"),
        join(support, "Claude", "claude_desktop_config.json"),
      );
    } else if (places.os !== "windows") {
      paths.push(
        join(home, ".config", "Code", "User", "mcp.json"),
        join(home, ".config", "Claude", "claude_desktop_config.json"),
      );
    }
  }
  if (places.os === "windows" && places.appData) {
    paths.push(
      join(places.appData, "Code", "User", "mcp.json"),
      join(places.appData, "Claude", "claude_desktop_config.json"),
    );
  }
  return [...new Set(paths)];
}

/** A config file found, with its entries. */
interface FoundFile {
  path: string;
  entries: ConfigFileEntry[];
}

/** Longest target shown in the list of what was found. */
const TARGET_WIDTH = 72;

/** Runs `connect` without a server. */
export async function connectDiscovered(
  ctx: AppContext,
  request: { stdio: boolean; protocolVersion?: string },
): Promise<CommandOutput> {
  const searched = discoveryPaths({
    cwd: ctx.cwd,
    home: ctx.env.HOME ?? ctx.env.USERPROFILE,
    os: Deno.build.os,
    appData: ctx.env.APPDATA,
  });
  const found = await findConfigs(ctx, searched);
  if (found.length === 0) {
    if (ctx.output.json) return { json: [], human: () => "" };
    throw usageError(
      "No MCP config files found in standard locations.\n\nSearched:\n" +
        searched.map((path) => `  ${path}`).join("\n") +
        "\n\nConnect a specific server:    mcpc connect mcp.example.com\n" +
        "Connect from a specific file: mcpc connect /path/to/mcp.json",
    );
  }
  const planned = planBulk(
    found.flatMap((file) => file.entries.map((entry) => ({ ...entry, file: file.path }))),
    request.stdio,
  );
  const toConnect = planned.filter((entry) => entry.status !== "skipped");
  const results = await connectPlanned(ctx, toConnect, request);
  const byKey = new Map(results.map((entry) => [`${entry.file}\0${entry.entry}`, entry]));
  const outcome = planned.map((entry) => byKey.get(`${entry.file}\0${entry.entry}`) ?? entry);
  return {
    json: ctx.output.json ? await jsonOutcome(ctx, outcome) : outcome,
    human: (theme) => renderDiscovery(found, planned, results, theme),
  };
}

/** The files of `paths` that are regular files holding servers; invalid JSON is warned of. */
async function findConfigs(ctx: AppContext, paths: readonly string[]): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  for (const path of paths) {
    const info = await Deno.stat(path).catch(() => undefined);
    if (!info?.isFile) continue;
    try {
      const { filePath, entries } = await loadConfigFile(path, {
        cwd: ctx.cwd,
        env: (name) => ctx.env[name],
      });
      if (entries.length > 0) found.push({ path: filePath, entries });
    } catch (error) {
      if (!(error instanceof McpcError)) throw error;
      // A file of another shape (no servers in it) does not count; a broken one is said.
      if (/^Invalid JSON in config file|^Cannot read config file/.test(error.message)) {
        if (!ctx.output.json) ctx.stderr(`Warning: skipping ${error.message.split("\n")[0]}\n`);
      }
    }
  }
  return found;
}

function renderDiscovery(
  found: readonly FoundFile[],
  planned: readonly BulkEntry[],
  results: readonly BulkEntry[],
  theme: Theme,
): string {
  const servers = found.reduce((sum, file) => sum + file.entries.length, 0);
  const lines = [`Found ${found.length} MCP config file(s) with ${servers} server(s):`];
  for (const file of found) {
    lines.push(`  ${file.path} (${file.entries.length} servers)`);
    for (const entry of planned.filter((entry) => entry.file === file.path)) {
      const target = safeText(entry.target);
      const shown = target.length > TARGET_WIDTH ? `${target.slice(0, TARGET_WIDTH - 1)}…` : target;
      const skipped = entry.status === "skipped"
        ? ` ${theme.grey(`○ skipped (${entry.reason})`)}`
        : "";
      lines.push(`    ${entry.sessionName} → ${shown}${skipped}`);
    }
  }
  const stdio = planned.filter((entry) => entry.reason === "stdio").length;
  lines.push(
    "",
    `Connecting ${results.length} server(s).` +
      (stdio > 0 ? ` Skipped ${stdio} stdio server(s), pass --stdio to include.` : ""),
  );
  lines.push(...results.map((entry) => badge(entry, theme)));
  if (results.length > 1) lines.push(summary(results, theme));
  return lines.join("\n");
}
