/**
 * JSON-mode documents (reference §3.1, §3.2.3): one pretty-printed document,
 * MCP results unwrapped, error objects `{error, code}`.
 *
 * Layer: pure.
 * @module
 */

import type { NotificationTimes, ServerConfig } from "../session/session.ts";
import type { ServerInitialize } from "./human/server_details.ts";

/** Serialises `value` the way every `--json` output is printed (two-space indent). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The error document printed on stderr in JSON mode. */
export interface ErrorDocument {
  error: string;
  code: number;
}

/** Builds the `{"error": <message>, "code": <exit code>}` document. */
export function errorJson(message: string, code: number): ErrorDocument {
  return { error: message, code };
}

/** Inputs for {@linkcode serverDetailsJson}. */
export interface ServerDetailsJsonInput {
  sessionName: string;
  profileName?: string;
  /** The session's server config, secrets already redacted. */
  server: ServerConfig;
  /** What the command did (`created`, `active`) or the session's display status (`live`, ...). */
  status: string;
  initialize: ServerInitialize;
  /** Names of the cached tools, when known. */
  toolNames?: string[];
  /** When the last notifications of each kind arrived (the record's `notifications`). */
  notifications?: Record<string, NotificationTimes>;
}

/** The `_mcpc` block of server details. */
export interface McpcSessionBlock {
  sessionName: string;
  profileName?: string;
  server: ServerConfig;
  status: string;
  /** The negotiated MCP protocol revision. */
  protocolVersion?: string;
  /** When the last list changes and resource updates arrived, by kind. */
  notifications?: Record<string, NotificationTimes>;
}

/** The `mcpc @s --json` document: `_mcpc` first, then the `InitializeResult` fields and `toolNames`. */
export interface ServerDetailsDocument {
  _mcpc: McpcSessionBlock;
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
  serverInfo?: { name: string; version?: string };
  instructions?: string;
  toolNames?: string[];
}

/** Builds the server details document with the key order of reference §3.2.3. */
export function serverDetailsJson(input: ServerDetailsJsonInput): ServerDetailsDocument {
  const mcpc: McpcSessionBlock = {
    sessionName: input.sessionName,
    ...(input.profileName !== undefined ? { profileName: input.profileName } : {}),
    server: input.server,
    status: input.status,
    ...(input.initialize.protocolVersion
      ? { protocolVersion: input.initialize.protocolVersion }
      : {}),
    ...(input.notifications ? { notifications: input.notifications } : {}),
  };
  const { initialize } = input;
  const document: ServerDetailsDocument = { _mcpc: mcpc };
  if (initialize.protocolVersion !== undefined) {
    document.protocolVersion = initialize.protocolVersion;
  }
  if (initialize.capabilities !== undefined) document.capabilities = initialize.capabilities;
  if (initialize.serverInfo !== undefined) document.serverInfo = initialize.serverInfo;
  if (initialize.instructions !== undefined) document.instructions = initialize.instructions;
  if (input.toolNames !== undefined) document.toolNames = input.toolNames;
  return document;
}
