/**
 * What a stdio server inherits from mcpc's environment when its config does
 * not say: the same short list as the MCP SDK's stdio transport (a test keeps
 * them equal), so a server gets a usable `PATH` and home but none of the
 * user's tokens. Kept here rather than imported: the SDK's module loads
 * `cross-spawn` and Node's process APIs, which a bridge does not otherwise need.
 *
 * Layer: core.
 * @module
 */

const POSIX_VARIABLES = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"] as const;

const WINDOWS_VARIABLES = [
  "APPDATA",
  "COMSPEC",
  "HOMEDRIVE",
  "HOMEPATH",
  "LOCALAPPDATA",
  "PATH",
  "PATHEXT",
  "PROCESSOR_ARCHITECTURE",
  "PROGRAMDATA",
  "PROGRAMFILES",
  "PROGRAMFILES(X86)",
  "PROGRAMW6432",
  "SYSTEMDRIVE",
  "SYSTEMROOT",
  "TEMP",
  "USERNAME",
  "USERPROFILE",
  "WINDIR",
] as const;

/** The names a stdio server inherits on `os`. */
export function inheritedVariables(os: typeof Deno.build.os = Deno.build.os): readonly string[] {
  return os === "windows" ? WINDOWS_VARIABLES : POSIX_VARIABLES;
}

/**
 * The inherited part of a stdio server's environment, read from `env`
 * (default: this process's). A value that starts with `()` (an exported
 * shell function) is left out.
 */
export function defaultServerEnvironment(
  env: Record<string, string> = Deno.env.toObject(),
  os: typeof Deno.build.os = Deno.build.os,
): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of inheritedVariables(os)) {
    const value = env[name];
    if (value === undefined || value.startsWith("()")) continue;
    inherited[name] = value;
  }
  return inherited;
}
