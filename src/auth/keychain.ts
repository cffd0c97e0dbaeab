/**
 * Chooses where secrets live: the OS keychain (Secret Service on Linux,
 * the macOS Keychain, the Windows Credential Manager) or the 0600
 * `credentials.json`. `MCPC_SECRET_STORE=keychain|file` decides; otherwise
 * the keychain is probed once (write, read back, delete a throwaway item)
 * and the file is the fallback, with a warning. Nothing is probed, loaded
 * or started until a secret is first used.
 *
 * Layer: edge.
 * @module
 */

import { joinPath } from "../platform/paths.ts";
import {
  DEFAULT_KEYCHAIN_TIMEOUT_MS,
  type KeychainBackend,
  KeychainSecretStore,
} from "./keychain_store.ts";
import { FileSecretStore, type SecretStore } from "./secret_store.ts";

/** The environment variable that picks the store. */
export const SECRET_STORE_VARIABLE = "MCPC_SECRET_STORE";

/** What `MCPC_SECRET_STORE` asks for; `auto` when it is unset or empty. */
export type SecretStoreMode = "keychain" | "file" | "auto";

/** Options for {@linkcode openSecretStore}. */
export interface OpenSecretStoreOptions {
  /** The mcpc home (`credentials.json` lives there). */
  home: string;
  /** The process environment: `MCPC_SECRET_STORE`, and what keychain helpers run with. */
  env: Readonly<Record<string, string>>;
  /** The operating system (default `Deno.build.os`). */
  os?: typeof Deno.build.os;
  /** Prints a warning on stderr. */
  warn: (message: string) => void;
  /** JSON mode: the fallback warning is not printed. */
  json: boolean;
  /** Bound on each keychain call in ms (default 5 s). */
  timeoutMs?: number;
  /** Makes the keychain backend (default: the platform's); called at most once. */
  backend?: () => KeychainBackend | Promise<KeychainBackend>;
}

/** The mode `MCPC_SECRET_STORE` asks for (throws `RangeError` for any other value). */
export function secretStoreMode(env: Readonly<Record<string, string>>): SecretStoreMode {
  const value = env[SECRET_STORE_VARIABLE];
  if (value === undefined || value === "") return "auto";
  if (value === "keychain" || value === "file") return value;
  throw new RangeError(
    `Cannot choose a secret store: ${SECRET_STORE_VARIABLE} is "${value}", expected "keychain" or "file"`,
  );
}

/** The warning printed when the keychain probe fails and `credentials.json` is used instead. */
export function fallbackWarning(home: string): string {
  return `OS keychain unavailable, falling back to file-based credential storage (${
    credentialsFile(home)
  }). Install a keyring daemon (e.g. gnome-keyring or kwallet) for better security.`;
}

/** `<home>/credentials.json`. */
export function credentialsFile(home: string): string {
  return joinPath(home, "credentials.json");
}

/**
 * The secret store for this process: chosen on its first `get`, `set` or
 * `delete`, then kept (the probe runs once). A bad `MCPC_SECRET_STORE` is
 * refused at once (`RangeError`), before a command has changed anything.
 */
export function openSecretStore(options: OpenSecretStoreOptions): SecretStore {
  const mode = secretStoreMode(options.env);
  let chosen: Promise<SecretStore> | undefined;
  const store = () => chosen ??= chooseSecretStore(mode, options);
  return {
    get: async (account) => await (await store()).get(account),
    set: async (account, value) => await (await store()).set(account, value),
    delete: async (account) => await (await store()).delete(account),
  };
}

/** What a keychain helper may see of our environment: how to reach the keyring, nothing else. */
const HELPER_VARIABLES = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TMPDIR",
  "DBUS_SESSION_BUS_ADDRESS",
  "XDG_RUNTIME_DIR",
  "XDG_DATA_HOME",
  "XDG_CONFIG_HOME",
  "XDG_CURRENT_DESKTOP",
  "DISPLAY",
  "WAYLAND_DISPLAY",
  "XAUTHORITY",
];

/**
 * The environment a keychain helper runs with: only the variables it needs
 * (our own environment may hold secrets, e.g. a `${VAR}` of a config file).
 */
export function helperEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of HELPER_VARIABLES) {
    if (env[name] !== undefined) result[name] = env[name];
  }
  return result;
}

/** The platform's keychain backend; its module is loaded only now. */
export async function platformBackend(
  os: typeof Deno.build.os,
  options: { env: Readonly<Record<string, string>>; timeoutMs?: number },
): Promise<KeychainBackend> {
  switch (os) {
    case "darwin": {
      const { SecurityCliBackend } = await import("./secret_store_macos.ts");
      return new SecurityCliBackend(options);
    }
    case "windows": {
      const { CredentialManagerBackend } = await import("./secret_store_windows.ts");
      return new CredentialManagerBackend();
    }
    default: {
      const { SecretToolBackend } = await import("./secret_store_linux.ts");
      return new SecretToolBackend(options);
    }
  }
}

/**
 * Writes, reads back and deletes a throwaway item
 * (`__mcpc_probe_<ms>_<random>__`); throws why the keychain cannot be used.
 */
export async function probeKeychain(backend: KeychainBackend, now = Date.now()): Promise<void> {
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  const account = `__mcpc_probe_${now}_${random}__`;
  const value = `probe-${random}`;
  await backend.write(account, value);
  try {
    const read = await backend.read(account);
    if (read !== value) {
      throw new Error(`The ${backend.name} returned another value than was stored`);
    }
  } finally {
    await backend.remove(account);
  }
}

async function chooseSecretStore(
  mode: SecretStoreMode,
  options: OpenSecretStoreOptions,
): Promise<SecretStore> {
  const file = credentialsFile(options.home);
  if (mode === "file") return new FileSecretStore(file, { warn: options.warn });
  let backend: KeychainBackend;
  try {
    backend = await (options.backend ?? (() =>
      platformBackend(options.os ?? Deno.build.os, {
        env: helperEnv(options.env),
        timeoutMs: options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS,
      })))();
    await probeKeychain(backend);
  } catch (error) {
    if (mode === "keychain") {
      throw new Error(
        `Cannot use the OS keychain (${SECRET_STORE_VARIABLE}=keychain): ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
    if (!options.json) options.warn(fallbackWarning(options.home));
    return new FileSecretStore(file, { warn: options.warn });
  }
  return new KeychainSecretStore(backend, { legacyFile: file, warn: options.warn });
}
