/**
 * A keychain command-line tool (`secret-tool`, `security`) as the keychain
 * backends run it: found on `PATH` once, run with the backend's trimmed
 * environment, a bound on each run, and failures named after the keychain,
 * the action and the account (never the value).
 *
 * Layer: edge (starts processes).
 * @module
 */

import { findExecutable, runTool, type ToolResult } from "../platform/run_tool.ts";
import { type Action, DEFAULT_KEYCHAIN_TIMEOUT_MS, keychainFailure } from "./keychain_store.ts";

/** What a {@linkcode KeychainTool} needs. */
export interface KeychainToolOptions {
  /** The program, looked up on `env.PATH` unless it is a path. */
  command: string;
  /** The child's environment. */
  env: Readonly<Record<string, string>>;
  /** Bound on each run in ms (default {@linkcode DEFAULT_KEYCHAIN_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** The keychain's name in messages. */
  keychain: string;
  /** Added to the "cannot find" message, e.g. which package to install. */
  missingHint?: string;
}

/** Runs one keychain tool. */
export class KeychainTool {
  readonly #options: KeychainToolOptions;
  #program: Promise<string> | undefined;

  constructor(options: KeychainToolOptions) {
    this.#options = options;
  }

  /** Runs the tool with `args` (and `stdin`); a failure to run names the action and account. */
  async run(
    action: Action,
    account: string,
    args: string[],
    stdin?: Uint8Array,
  ): Promise<ToolResult> {
    const { command, env, missingHint } = this.#options;
    this.#program ??= findExecutable(command, env.PATH).then((path) => {
      if (path === undefined) {
        throw new Error(`Cannot find "${command}" on PATH${missingHint ? `: ${missingHint}` : ""}`);
      }
      return path;
    });
    try {
      return await runTool(await this.#program, args, {
        env,
        stdin,
        timeoutMs: this.#options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS,
      });
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(`${keychainFailure(action, account, this.#options.keychain)}: ${message}`, {
        cause: error,
      });
    }
  }

  /** Throws unless the tool exited 0, with its exit code and stderr. */
  check(action: Action, account: string, result: ToolResult): void {
    if (result.code === 0) return;
    const detail = result.stderr === "" ? "" : `: ${result.stderr}`;
    const tool = this.#options.command.split("/").pop();
    throw new Error(
      `${
        keychainFailure(action, account, this.#options.keychain)
      }: ${tool} exited ${result.code}${detail}`,
    );
  }
}
