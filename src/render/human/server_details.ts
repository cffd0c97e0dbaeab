/**
 * Human output of `mcpc @s` (also printed by `connect` and `restart`):
 * server identity, capabilities, instructions, tools, the last notifications
 * and the commands to try next (reference §3.2.3).
 *
 * Layer: pure.
 * @module
 */

import type { Tool } from "../../mcp/types.ts";
import type { Theme } from "../theme.ts";
import { fence } from "./misc.ts";
import { safeText } from "../safe_text.ts";
import { type NotificationSummary, renderLastNotifications } from "./notifications.ts";
import { renderToolsSummary } from "./tools.ts";

/** The parts of an MCP `InitializeResult` the details view shows (a stored copy fits too). */
export interface ServerInitialize {
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
  serverInfo?: { name: string; version?: string };
  instructions?: string;
}

/** Inputs for {@linkcode renderServerDetails}. */
export interface ServerDetails {
  sessionName: string;
  initialize: ServerInitialize;
  /** Cached tool list; omitted when the server has no tools capability. */
  tools?: readonly Tool[];
  /** The session commands to offer, as written in help (`tools-get <name>`). */
  commands: readonly string[];
  /** The bridge log file of the session. */
  logPath: string;
  /** The 2025-era MCP session id (HTTP), shown by its first characters. */
  mcpSessionId?: string;
  /** When the session last saw list changes and updates, shown with their age at `now` (ms). */
  notifications?: { summary?: NotificationSummary; now: number };
}

/** `2026-07-28`, or `2025-11-25 (MCP session 1a2b3c4d…)` for a 2025-era HTTP session. */
export function protocolLine(protocolVersion: string, mcpSessionId?: string): string {
  if (!mcpSessionId) return protocolVersion;
  const prefix = mcpSessionId.length > 8 ? `${mcpSessionId.slice(0, 8)}…` : mcpSessionId;
  return `${protocolVersion} (MCP session ${prefix})`;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

function withFeatures(name: string, features: string[]): string {
  return features.length === 0 ? `* ${name}` : `* ${name} (${features.join(", ")})`;
}

/** One `* <capability> (<features>)` line per capability the server declares, or `* (none)`. */
function capabilityLines(capabilities: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const tools = asRecord(capabilities.tools);
  if (tools) lines.push(`* tools (${tools.listChanged ? "dynamic" : "static"})`);
  const resources = asRecord(capabilities.resources);
  if (resources) {
    const features: string[] = [];
    if (resources.subscribe) features.push("supports subscribe");
    if (resources.listChanged) features.push("dynamic list");
    lines.push(withFeatures("resources", features));
  }
  const prompts = asRecord(capabilities.prompts);
  if (prompts) lines.push(withFeatures("prompts", prompts.listChanged ? ["dynamic list"] : []));
  if (capabilities.logging) lines.push("* logging");
  if (capabilities.completions) lines.push("* completions");
  const tasks = asRecord(capabilities.tasks);
  if (tasks) lines.push(withFeatures("tasks", Object.keys(asRecord(tasks.requests) ?? {})));
  const extensions = Object.keys(asRecord(capabilities.extensions) ?? {});
  if (extensions.length > 0) lines.push(withFeatures("extensions", extensions.map(safeText)));
  return lines.length === 0 ? ["* (none)"] : lines;
}

/** The `Available commands:` bullets. */
function commandLines(sessionName: string, commands: readonly string[], theme: Theme): string[] {
  return commands.map((command) => `* ${theme.grey(`\`mcpc ${sessionName} ${command}\``)}`);
}

/**
 * The server details view: Server, Capabilities, Instructions, tools,
 * Notifications (when any were recorded), Available commands, log path.
 */
export function renderServerDetails(details: ServerDetails, theme: Theme): string {
  const { initialize, sessionName } = details;
  const capabilities = initialize.capabilities ?? {};
  const name = initialize.serverInfo?.name ?? "unknown";
  const version = initialize.serverInfo?.version || "N/A";
  const sections = [
    [
      `${theme.bold("Server:")} ${name} (version: ${version})`,
      ...(initialize.protocolVersion
        ? [
          `${theme.bold("Protocol:")} ${
            protocolLine(initialize.protocolVersion, details.mcpSessionId)
          }`,
        ]
        : []),
    ].join("\n"),
    [theme.bold("Capabilities:"), ...capabilityLines(capabilities)].join("\n"),
  ];
  const instructions = initialize.instructions?.trim();
  if (instructions) sections.push(`${theme.bold("Instructions:")}\n${fence(instructions)}`);
  if (details.tools) sections.push(renderToolsSummary(details.tools, theme));
  if (details.notifications) {
    const { summary, now } = details.notifications;
    const notifications = renderLastNotifications(summary, now, theme);
    if (notifications) sections.push(notifications);
  }
  sections.push(
    [theme.bold("Available commands:"), ...commandLines(sessionName, details.commands, theme)].join(
      "\n",
    ),
  );
  sections.push(`Session log for debugging: ${details.logPath}`);
  return sections.join("\n\n");
}
