/**
 * The layout of the mcpc home directory (`MCPC_HOME_DIR`, else `~/.mcpc`).
 *
 * Layer: pure (inputs are passed in; nothing here touches the OS).
 * @module
 */

/** Longest Unix socket path Linux accepts (bytes, without the trailing NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** Longest Unix socket path on `os` (`sun_path` is 108 bytes on Linux, 104 on macOS and BSDs). */
export function maxSocketPathBytes(os: string): number {
  return os === "linux" ? MAX_SOCKET_PATH_BYTES : 103;
}

/** Every file and folder mcpc keeps under its home directory. */
export interface HomePaths {
  /** The home directory itself. */
  home: string;
  /** `sessions.json`. */
  sessionsFile: string;
  /** `profiles.json`. */
  profilesFile: string;
  /** Folder of the bridges' Unix sockets. */
  bridgesDir: string;
  /** Folder of the bridges' log files. */
  logsDir: string;
}

/** Inputs for {@linkcode resolveHomeDir}. */
export interface ResolveHomeOptions {
  /** Value of `MCPC_HOME_DIR`, if set. */
  envHome?: string;
  /** The user's home directory (`HOME`/`USERPROFILE`). */
  userHome: string;
  /** Current working directory, for relative `MCPC_HOME_DIR` values. */
  cwd: string;
}

/** Resolves the mcpc home: `MCPC_HOME_DIR` (with `~` expanded, relative to cwd) or `~/.mcpc`. */
export function resolveHomeDir(options: ResolveHomeOptions): string {
  const raw = options.envHome?.trim();
  if (!raw) return joinPath(options.userHome, ".mcpc");
  if (raw === "~") return options.userHome;
  if (raw.startsWith("~/")) return joinPath(options.userHome, raw.slice(2));
  if (raw.startsWith("/")) return stripTrailingSlash(raw);
  return joinPath(options.cwd, raw);
}

/** Returns the layout of the given home directory. */
export function homePaths(home: string): HomePaths {
  return {
    home,
    sessionsFile: joinPath(home, "sessions.json"),
    profilesFile: joinPath(home, "profiles.json"),
    bridgesDir: joinPath(home, "bridges"),
    logsDir: joinPath(home, "logs"),
  };
}

/** The log file of a session's bridge: `<home>/logs/bridge-@name.log`. */
export function bridgeLogPath(home: string, sessionName: string): string {
  return joinPath(home, "logs", `bridge-${sessionName}.log`);
}

/** The Unix socket of a session's bridge: `<home>/bridges/@name.<pid>.sock`. */
export function bridgeSocketPath(home: string, sessionName: string, pid: number): string {
  return joinPath(home, "bridges", `${sessionName}.${pid}.sock`);
}

/** Joins path segments with `/`, collapsing duplicate separators. */
export function joinPath(...parts: string[]): string {
  return stripTrailingSlash(parts.join("/").replace(/\/{2,}/g, "/"));
}

function stripTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
