/**
 * The macOS login Keychain through `/usr/bin/security`: generic passwords
 * with service `mcpc`. Reading prints the password on stdout
 * (`find-generic-password -w`); writing runs `security -i` and sends
 * `add-generic-password -U -s mcpc -a <account> -X <hex>` on its stdin, so
 * the value is never in an argv that `ps` shows.
 *
 * Layer: edge.
 * @module
 */

import { KeychainTool } from "./keychain_tool.ts";
import {
  type Action,
  KEYCHAIN_SERVICE,
  type KeychainBackend,
  keychainFailure,
} from "./keychain_store.ts";

/** `errSecItemNotFound` (-25300) as an exit status. */
export const SECURITY_NOT_FOUND_EXIT = 44;
/** `security -i` reads at most this many bytes of a line; the rest would run as a new command. */
export const SECURITY_MAX_LINE = 4095;
/** The longest account name accepted (keeps every command line within {@linkcode SECURITY_MAX_LINE}). */
export const MAX_ACCOUNT_LENGTH = 300;
/** Bytes of one item: its hex plus the longest account fits one `security -i` line. */
const MAX_ITEM_BYTES = 1_800;

/** Options for {@linkcode SecurityCliBackend}. */
export interface SecurityCliOptions {
  /** The child's environment (a relative `command` is looked up on its `PATH`). */
  env: Readonly<Record<string, string>>;
  /** The program to run (default `/usr/bin/security`). */
  command?: string;
  /** Bound on each run in ms (default 5 s). */
  timeoutMs?: number;
}

/** Items in the macOS Keychain, via `security`. */
export class SecurityCliBackend implements KeychainBackend {
  /** Name used in messages. */
  readonly name = "macOS Keychain";
  /** One item's hex must fit a `security -i` line. */
  readonly maxItemBytes = MAX_ITEM_BYTES;
  /** `find-generic-password -w` prints an unprintable password as unmarked hex. */
  readonly printableOnly = true;
  readonly #tool: KeychainTool;

  constructor(options: SecurityCliOptions) {
    this.#tool = new KeychainTool({
      command: options.command ?? "/usr/bin/security",
      env: options.env,
      timeoutMs: options.timeoutMs,
      keychain: this.name,
    });
  }

  /** `find-generic-password -w`: the password and one newline; exit 44 means no such item. */
  async read(account: string): Promise<string | undefined> {
    checkAccount(account, "read");
    const result = await this.#tool.run("read", account, [
      "find-generic-password",
      "-s",
      KEYCHAIN_SERVICE,
      "-a",
      account,
      "-w",
    ]);
    if (result.code === SECURITY_NOT_FOUND_EXIT) return undefined;
    this.#tool.check("read", account, result);
    const text = new TextDecoder().decode(result.stdout);
    return text.endsWith("\n") ? text.slice(0, -1) : text;
  }

  /** `security -i` with the `add-generic-password` line on stdin. */
  async write(account: string, value: string): Promise<void> {
    checkAccount(account, "store");
    const line = addPasswordLine(account, value);
    if (line.length > SECURITY_MAX_LINE) {
      throw new RangeError(
        `${keychainFailure("store", account, this.name)}: the value is too long for one item`,
      );
    }
    const result = await this.#tool.run(
      "store",
      account,
      ["-i"],
      new TextEncoder().encode(`${line}\n`),
    );
    this.#tool.check("store", account, result);
  }

  /** `delete-generic-password`; exit 44 means there was nothing to delete. */
  async remove(account: string): Promise<void> {
    checkAccount(account, "delete");
    const result = await this.#tool.run("delete", account, [
      "delete-generic-password",
      "-s",
      KEYCHAIN_SERVICE,
      "-a",
      account,
    ]);
    if (result.code === SECURITY_NOT_FOUND_EXIT) return;
    this.#tool.check("delete", account, result);
  }
}

/**
 * The `security -i` command that stores `value` under `account`: the value
 * as hex, so the line splitter sees nothing but hex digits.
 */
export function addPasswordLine(account: string, value: string): string {
  checkAccount(account, "store");
  const hex = toHex(new TextEncoder().encode(value));
  return `add-generic-password -U -s ${KEYCHAIN_SERVICE} -a ${account} -X ${hex}`;
}

/**
 * Whether `account` can be passed to `security` as it is: printable ASCII
 * without spaces, quotes or backslashes (which `security -i` would split on
 * or unquote), not starting with `-`, and at most {@linkcode MAX_ACCOUNT_LENGTH}.
 */
export function isSafeAccount(account: string): boolean {
  return account.length > 0 && account.length <= MAX_ACCOUNT_LENGTH &&
    /^[\x21-\x7e]+$/.test(account) && !/["'\\]/.test(account) && !account.startsWith("-");
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function checkAccount(account: string, action: Action): void {
  if (!isSafeAccount(account)) {
    throw new TypeError(
      `${keychainFailure(action, account, "macOS Keychain")}: ` +
        "an account name must be printable ASCII without spaces, quotes or backslashes",
    );
  }
}
