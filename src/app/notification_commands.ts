/**
 * `mcpc @s notifications [--follow]`: the server notifications the session's
 * bridge received (list changes, resource updates, log messages); with
 * `--follow`, new ones as they arrive, across bridge restarts, until Ctrl+C.
 *
 * Layer: use case.
 * @module
 */

import type { NotificationEntry } from "../bridge/protocol.ts";
import { BridgeConnectionLostError } from "../bridge/client.ts";
import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import { renderNotificationLine, renderNotifications } from "../render/human/notifications.ts";
import { renderForTerminal } from "../render/terminal_text.ts";
import type { CommandOutput } from "./output.ts";
import { call, withSession } from "./session_commands.ts";

/** `notifications` without `--follow`. */
export function notificationsList(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const { notifications } = await call(ctx, session, "notifications", { follow: false });
    return {
      json: notifications,
      human: (theme) => renderNotifications(notifications, { sessionName: name, theme }),
      truncatable: true,
    };
  });
}

/** Reconnections in a row after which `--follow` gives up. */
const FOLLOW_RECONNECTS = 5;
/** Wait between reconnections (ms). */
const FOLLOW_RECONNECT_DELAY_MS = 1_000;

/**
 * `notifications --follow`: prints what the bridge has, then each new
 * notification (one JSON object per line with `--json`), from one request
 * in which the bridge sends its history and then every new notification, so
 * nothing falls between the two. When the bridge restarts, it follows the
 * new one (which starts with an empty history); it stops when the session is
 * closed or stdout's reader goes away (`| head -1`). Returns the exit code.
 */
export async function notificationsFollow(ctx: AppContext, name: string): Promise<number> {
  if (!ctx.output.json) ctx.stderr(`Following the notifications of ${name} (Ctrl+C to stop)\n`);
  let failures = 0;
  for (;;) {
    try {
      const outcome = await withSession(ctx, name, async (session) => {
        failures = 0;
        const gone = Promise.withResolvers<"gone">();
        session.client.onNotification((message) => {
          if (message.type !== "notification") return;
          ctx.stdout(`${
            formatEntry(ctx, {
              at: message.at ?? new Date(ctx.now()).toISOString(),
              method: message.method,
              ...(isRecord(message.params) ? { params: message.params } : {}),
            })
          }\n`);
          if (ctx.stdoutGone?.()) gone.resolve("gone");
        });
        // Open until the bridge stops (its followers are ended) or the connection drops.
        const following = session.client.request("notifications", { follow: true })
          .then(() => "ended" as const);
        return await Promise.race([following, gone.promise]);
      });
      if (outcome === "gone") return 0;
    } catch (error) {
      if (!(error instanceof BridgeConnectionLostError) && !isNetwork(error)) throw error;
      if (++failures > FOLLOW_RECONNECTS) throw error;
    }
    if (!(await ctx.sessions.get(name).catch(() => undefined))) {
      if (!ctx.output.json) ctx.stderr(`Session ${name} was closed\n`);
      return 0;
    }
    ctx.debug(`The bridge of ${name} stopped; following its next bridge`);
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_RECONNECT_DELAY_MS));
  }
}

function formatEntry(ctx: AppContext, entry: NotificationEntry): string {
  if (ctx.output.json) return JSON.stringify(entry);
  return renderForTerminal((theme) => renderNotificationLine(entry, theme), {
    colors: ctx.output.theme.colors,
    nonce: crypto.randomUUID().replaceAll("-", ""),
  });
}

function isNetwork(error: unknown): boolean {
  return error instanceof McpcError && error.kind === "network";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Rejects `--follow` combinations that cannot work. */
export function requireFollowable(ctx: AppContext): void {
  if (ctx.output.maxChars !== undefined) {
    throw usageError("--max-chars cannot be used with --follow", { userInput: true });
  }
}
