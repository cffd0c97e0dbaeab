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
  if (!await removeProfile(ctx, serverUrl, profile)) {
    throw usageError(`Profile ${profile} for ${serverUrl} not found`, {
      hint: "Run mcpc to list the saved profiles.",
    });
  }
  const affected = await sessionsUsing(ctx, [{ serverUrl, name: profile }]);
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

/**
 * Deletes the profile and its secrets; returns whether the profile existed.
 * The secrets go even when the entry was already gone (an interrupted
 * logout), and under the refresh lock: a bridge refreshing right now cannot
 * write its new tokens back after this.
 */
export async function removeProfile(
  ctx: AppContext,
  serverUrl: string,
  profile: string,
): Promise<boolean> {
  const deleted = await ctx.profiles.delete(serverUrl, profile);
  const secrets = new ProfileSecrets(ctx.secrets, serverUrl, profile);
  await openRefreshLock(refreshLockPath(ctx.paths.home)).update(async () => {
    await secrets.deleteTokens();
    await secrets.deleteClient();
    await secrets.deleteDpopKey();
    await secrets.deleteClientKey();
  });
  return deleted !== undefined;
}

/** The sessions (sorted names) that use one of `profiles`. */
export async function sessionsUsing(
  ctx: AppContext,
  profiles: readonly { serverUrl: string; name: string }[],
): Promise<string[]> {
  const keys = profiles.map((profile) => ({ key: profileKey(profile.serverUrl), ...profile }));
  return Object.values(await ctx.sessions.readAll())
    .filter((record) =>
      record.server?.url !== undefined &&
      keys.some(({ key, name }) => record.profileName === name && sameKey(record.server.url!, key))
    )
    .map((record) => record.name)
    .sort();
}

function sameKey(url: string, key: string): boolean {
  try {
    return profileKey(url) === key;
  } catch {
    return false;
  }
}
