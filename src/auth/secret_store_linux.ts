/**
 * The Secret Service (GNOME Keyring, KWallet, KeePassXC) through
 * `secret-tool` from libsecret: items with the attributes
 * `service mcpc account <account>`. The value travels only on the child's
 * stdin (`store`) and stdout (`lookup`), never in its argv or environment.
 *
 * Layer: edge.
 * @module
 */

import { KeychainTool } from "./keychain_tool.ts";
import { KEYCHAIN_SERVICE, type KeychainBackend, keychainFailure } from "./keychain_store.ts";

/** Options for {@linkcode SecretToolBackend}. */
export interface SecretToolOptions {
  /** The child's environment; its `PATH` is searched for the command. */
  env: Readonly<Record<string, string>>;
  /** The program to run (default `secret-tool`, looked up on `env.PATH`). */
  command?: string;
  /** Bound on each run in ms (default 5 s). */
  timeoutMs?: number;
}

/** Items in the Secret Service, via `secret-tool`. */
export class SecretToolBackend implements KeychainBackend {
  /** Name used in messages. */
  readonly name = "Secret Service";
  /** `secret-tool store` reads at most 8192 bytes and silently cuts the rest. */
  readonly maxItemBytes = 8_000;
  /** Any bytes are fine. */
  readonly printableOnly = false;
  readonly #tool: KeychainTool;

  constructor(options: SecretToolOptions) {
    this.#tool = new KeychainTool({
      command: options.command ?? "secret-tool",
      env: options.env,
      timeoutMs: options.timeoutMs,
      keychain: this.name,
      missingHint: "install libsecret-tools",
    });
  }

  /** `secret-tool lookup`: exit 1 with no output means no such item. */
  async read(account: string): Promise<string | undefined> {
    const result = await this.#tool.run("read", account, ["lookup", ...attributes(account)]);
    if (result.code === 1 && result.stdout.length === 0 && result.stderr === "") return undefined;
    this.#tool.check("read", account, result);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(result.stdout);
    } catch {
      throw new Error(`${keychainFailure("read", account, this.name)}: it is not UTF-8 text`);
    }
  }

  /** `secret-tool store`, the value on stdin. */
  async write(account: string, value: string): Promise<void> {
    const bytes = new TextEncoder().encode(value);
    if (bytes.length > this.maxItemBytes) {
      const limit = `${bytes.length} bytes is more than ${this.maxItemBytes}`;
      throw new RangeError(`${keychainFailure("store", account, this.name)}: ${limit}`);
    }
    const args = ["store", `--label=mcpc: ${account}`, ...attributes(account)];
    const result = await this.#tool.run("store", account, args, bytes);
    this.#tool.check("store", account, result);
    // It cuts a too-long value, says so on stderr and still exits 0.
    if (/too long/i.test(result.stderr)) {
      throw new Error(`${keychainFailure("store", account, this.name)}: ${result.stderr}`);
    }
  }

  /** `secret-tool clear`: exit 1 with no output means there was nothing to delete. */
  async remove(account: string): Promise<void> {
    const result = await this.#tool.run("delete", account, ["clear", ...attributes(account)]);
    if (result.code === 1 && result.stderr === "") return;
    this.#tool.check("delete", account, result);
  }
}

function attributes(account: string): string[] {
  return ["service", KEYCHAIN_SERVICE, "account", account];
}
