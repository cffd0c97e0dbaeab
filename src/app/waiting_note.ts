/**
 * The one-line note a person at a terminal sees when a server is slow to
 * answer the handshake, so a silent wait does not look like a hang.
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { connectTimeoutMs, type ServerConfig } from "../session/session.ts";
import { safeText } from "../render/safe_text.ts";

/** How long a handshake may take before the note appears (ms). */
export const WAITING_NOTE_AFTER_MS = 3_000;

/** Time a bridge gets beyond the handshake's timeout to report its failure (ms). */
const BRIDGE_ANSWER_MARGIN_MS = 5_000;

/** The handshake timeout of a bridge started now: this command's `--timeout`, else the record's. */
export function handshakeTimeoutMs(ctx: AppContext, server: ServerConfig): number {
  return ctx.timeoutExplicit ? ctx.timeoutMs : connectTimeoutMs(server);
}

/**
 * How long to wait for a new bridge's server details: the bridge gives up the
 * handshake at its timeout and says why, so this is only a backstop.
 */
export function handshakeWaitMs(ctx: AppContext, server: ServerConfig, requestMs: number): number {
  return Math.max(requestMs, handshakeTimeoutMs(ctx, server)) + BRIDGE_ANSWER_MARGIN_MS;
}

/** Who is being waited for, in the user's terms (the record's URL is already redacted). */
export function serverLabel(server: ServerConfig): string {
  if (server.url) return server.url;
  return `the server command "${server.command ?? "?"}"`;
}

/**
 * Waits for `work`; when stderr is a terminal (and the output is not JSON),
 * prints `Waiting for <server> to answer…` once if it takes longer than
 * {@linkcode WAITING_NOTE_AFTER_MS}.
 */
export async function withWaitingNote<T>(
  ctx: AppContext,
  server: ServerConfig,
  work: Promise<T>,
): Promise<T> {
  if (!ctx.stderrIsTerminal || ctx.output.json) return await work;
  const timer = setTimeout(() => {
    const limit = `gives up after ${handshakeTimeoutMs(ctx, server) / 1000} s; Ctrl+C to stop`;
    ctx.stderr(`Waiting for ${safeText(serverLabel(server))} to answer (${limit})…\n`);
  }, WAITING_NOTE_AFTER_MS);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
  }
}
