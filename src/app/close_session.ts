/**
 * `mcpc @s close`: stop the bridge gracefully (it ends the MCP session), then
 * delete the record, its secrets and any socket left behind.
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { renderClosed } from "../render/human/misc.ts";
import type { CommandOutput } from "./output.ts";
import { forgetSession, requireSession, stopBridgeProcess } from "./session_bridge.ts";

/** Closes a session. */
export async function closeSession(ctx: AppContext, name: string): Promise<CommandOutput> {
  const record = await requireSession(ctx, name);
  await stopBridgeProcess(ctx, record);
  await forgetSession(ctx, name);
  await removeSockets(ctx, name);
  return {
    json: { sessionName: name, closed: true },
    human: (theme) => renderClosed(name, theme),
  };
}

async function removeSockets(ctx: AppContext, name: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(ctx.paths.bridgesDir)) {
      if (entry.name.startsWith(`${name}.`) && entry.name.endsWith(".sock")) {
        await Deno.remove(`${ctx.paths.bridgesDir}/${entry.name}`).catch(() => {});
      }
    }
  } catch {
    // No bridges folder: nothing to remove.
  }
}
