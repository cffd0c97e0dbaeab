/**
 * `mcpc logout <server> [--profile p]`: deletes an OAuth profile and its
 * secrets (tokens, client) and names the sessions that used it; it stops or
 * changes none of them (reference.md §7.6).
 *
 * Layer: application.
 * @module
 */

import { ProfileSecrets } from "../auth/profile_secrets.ts";
import { openRefreshLock, refreshLockPath } from "../auth/profile_tokens.ts";
import {
  DEFAULT_PROFILE,
  isValidProfileName,
  loginCommand,
  profileKey,
} from "../auth/profile_store.ts";
import { parseServerArg, parseServerUrl } from "../config/server_target.ts";
import type { AppContext } from "../context.ts";
import { usageError } from "../errors.ts";
import type { CommandOutput } from "./output.ts";

/** Deletes the profile; exits 1 when there is none. */
export async function logout(
  ctx: AppContext,
  input: { server: string; profile?: string },
): Promise<CommandOutput> {
  const target = parseServerArg(input.server);
  if (target?.type !== "url") {
    throw usageError(`Invalid server: "${input.server}". Give the MCP server's URL`);
  }
  const serverUrl = parseServerUrl(target.url).url;
  const profile = input.profile ?? DEFAULT_PROFILE;
  if (!isValidProfileName(profile)) throw usageError(`Invalid profile name: "${profile}"`);
  const deleted = await ctx.profiles.delete(serverUrl, profile);
  // Secrets go even when the profile entry was already gone (an interrupted logout), and under
  // the refresh lock: a bridge refreshing right now cannot write its new tokens back after this.
  const secrets = new ProfileSecrets(ctx.secrets, serverUrl, profile);
  await openRefreshLock(refreshLockPath(ctx.paths.home)).update(async () => {
    await secrets.deleteTokens();
    await secrets.deleteClient();
    await secrets.deleteDpopKey();
    await secrets.deleteClientKey();
  });
  if (!deleted) {
    throw usageError(`Profile ${profile} for ${serverUrl} not found`, {
      hint: "Run mcpc to list the saved profiles.",
    });
  }
  const key = profileKey(serverUrl);
  const affected = Object.values(await ctx.sessions.readAll())
    .filter((record) =>
      record.profileName === profile && record.server?.url !== undefined &&
      sameKey(record.server.url, key)
    )
    .map((record) => record.name)
    .sort();
  const relogin = loginCommand(serverUrl, profile);
  return {
    json: { profile, serverUrl, deleted: true, affectedSessions: affected },
    human: (theme) =>
      [
        theme.green(`✓ Profile ${profile} for ${serverUrl} deleted`),
        ...(affected.length
          ? [
            theme.yellow(
              `Warning: ${affected.length} session(s) were using this profile: ${
                affected.join(", ")
              }`,
            ),
            `These sessions may fail to authenticate. Recreate them or login again by running: ${relogin}`,
          ]
          : []),
      ].join("\n"),
  };
}

function sameKey(url: string, key: string): boolean {
  try {
    return profileKey(url) === key;
  } catch {
    return false;
  }
}
