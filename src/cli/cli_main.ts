/**
 * The CLI side of mcpc: builds the real context, runs one invocation, maps
 * errors to exit codes in one place. `main.ts` loads it only when the
 * program is not a bridge, so a bridge holds none of the CLI's modules.
 *
 * Layer: edge.
 * @module
 */

import { openSecretStore } from "../auth/keychain.ts";
import { ProfileStore } from "../auth/profile_store.ts";
import {
  envFlag,
  type Invocation,
  parseArgv,
  UnknownCommandError,
  wantsJson,
} from "../cli/parse_argv.ts";
import { runInvocation } from "../cli/run.ts";
import type { AppContext } from "../context.ts";
import { INTERRUPTED_EXIT_CODE, type McpcError, toMcpcError } from "../errors.ts";
import { homePaths, resolveHomeDir } from "../platform/paths.ts";
import { assertPrivateHome } from "../platform/private_home.ts";
import { errorJson, toJson } from "../render/json.ts";
import { safeText } from "../render/safe_text.ts";
import { createTheme, type Theme } from "../render/theme.ts";
import { SessionStore } from "../session/session_store.ts";
import { settleWithin } from "../platform/settle.ts";
import { writeText } from "../platform/write_text.ts";

/** Default per-request timeout (ms). */
export const DEFAULT_TIMEOUT_MS = 300_000;

/** Runs the CLI with `argv` (without the program name) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const env = Deno.env.toObject();
  const envFlags = { json: envFlag(env.MCPC_JSON), verbose: envFlag(env.MCPC_VERBOSE) };
  const colors = Deno.stdout.isTerminal() && env.NO_COLOR === undefined;
  const errorTheme = createTheme(Deno.stderr.isTerminal() && env.NO_COLOR === undefined);
  let json = wantsJson(argv, envFlags);
  let verbose = envFlags.verbose;
  // Ctrl+C: exiting closes the bridge socket, and the bridge cancels the request on the server.
  const cleanups = new Set<() => void | Promise<void>>();
  // Set once Ctrl+C was pressed: the command's own outcome is then moot, the handler exits.
  let interrupted: Promise<never> | undefined;
  // A command that handles Ctrl+C itself (detaching from a task) takes the next one.
  const takers: (() => void)[] = [];
  const onInterrupt = () => {
    const taker = takers.pop();
    if (taker) taker();
    else interrupted ??= interrupt();
  };
  const takeInterrupt = (handler: () => void) => {
    takers.push(handler);
    return () => {
      const index = takers.lastIndexOf(handler);
      if (index >= 0) takers.splice(index, 1);
    };
  };
  const interrupt = async (): Promise<never> => {
    await settleWithin(Promise.all([...cleanups].map((cleanup) => cleanup())), 3_000);
    writeText(
      Deno.stderr,
      json ? `${toJson(errorJson("Interrupted", INTERRUPTED_EXIT_CODE))}\n` : "Interrupted\n",
    );
    return Deno.exit(INTERRUPTED_EXIT_CODE);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const invocation = parseArgv(argv, envFlags);
    json = invocation.flags.json;
    verbose = invocation.flags.verbose;
    if (invocation.kind !== "help" && invocation.kind !== "version") {
      // Nothing is read from (or started because of) a home others could write to.
      await assertPrivateHome(homePaths(homeDir(env)));
    }
    const ctx = createContext(env, invocation, createTheme(colors && !json), {
      onInterrupt: (cleanup) => {
        cleanups.add(cleanup);
        return () => cleanups.delete(cleanup);
      },
      takeInterrupt,
    });
    const code = await runInvocation(ctx, invocation);
    if (interrupted) await interrupted;
    return code;
  } catch (error) {
    if (interrupted) await interrupted;
    const failure = await withSessionSuggestion(toMcpcError(error), env);
    writeText(Deno.stderr, formatError(failure, { json, verbose, theme: errorTheme }));
    return failure.exitCode;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

/** An unknown command that is a session name without its @ (ev, @ev exists): suggest it. */
async function withSessionSuggestion(
  error: McpcError,
  env: Record<string, string>,
): Promise<McpcError> {
  if (!(error instanceof UnknownCommandError) || !/^[a-zA-Z0-9_-]{1,64}$/.test(error.token)) {
    return error;
  }
  try {
    const sessions = await new SessionStore(homePaths(homeDir(env)).sessionsFile).readAll();
    const name = `@${error.token}`;
    const match = sessions[name]
      ? name
      : Object.keys(sessions).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return match ? error.forSession(match) : error;
  } catch {
    return error;
  }
}

function homeDir(env: Record<string, string>): string {
  const cwd = Deno.cwd();
  return resolveHomeDir({
    envHome: env.MCPC_HOME_DIR,
    userHome: env.HOME ?? env.USERPROFILE ?? cwd,
    cwd,
  });
}

function createContext(
  env: Record<string, string>,
  invocation: Invocation,
  theme: Theme,
  interrupts: Pick<AppContext, "onInterrupt" | "takeInterrupt">,
): AppContext {
  const cwd = Deno.cwd();
  const home = homeDir(env);
  const paths = homePaths(home);
  const flags = invocation.flags;
  // Store warnings (a corrupt file moved aside) are printed in JSON mode too: they name a backup.
  // Warnings and debug lines may quote a server or a file: no control sequence reaches the terminal.
  const warn = (message: string) => {
    writeText(Deno.stderr, `${safeText(message)}\n`);
  };
  let stdoutGone = false;
  return {
    paths,
    cwd,
    env,
    now: Date.now,
    stdout: (text) => {
      if (!writeText(Deno.stdout, text)) stdoutGone = true;
    },
    stdoutGone: () => stdoutGone,
    stderr: (text) => {
      writeText(Deno.stderr, safeText(text));
    },
    output: { json: flags.json, verbose: flags.verbose, theme, maxChars: flags.maxChars },
    debug: (message) => {
      if (flags.verbose && !flags.json) {
        writeText(Deno.stderr, `[${new Date().toISOString()}] [DEBUG] ${safeText(message)}\n`);
      }
    },
    sessions: new SessionStore(paths.sessionsFile, { warn }),
    profiles: new ProfileStore(paths.profilesFile, { warn }),
    secrets: openSecretStore({ home, env, warn, json: flags.json }),
    timeoutMs: flags.timeout !== undefined
      ? Math.max(1, Math.round(flags.timeout * 1000))
      : DEFAULT_TIMEOUT_MS,
    timeoutExplicit: flags.timeout !== undefined,
    stdinIsTerminal: Deno.stdin.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    readStdin: () => new Response(Deno.stdin.readable).text(),
    ...interrupts,
  };
}

/** Formats an error for stderr: `Error: <message>` (+ hints) or the JSON `{error, code}` document. */
export function formatError(
  error: McpcError,
  mode: { json: boolean; verbose: boolean; theme: Theme },
): string {
  if (mode.json) return `${toJson(errorJson(error.message, error.exitCode))}\n`;
  // Messages echo server text and argv: sanitized before our own colour goes on.
  const lines = [mode.theme.red(`Error: ${safeText(error.message)}`)];
  if (error.hint) lines.push(safeText(error.hint));
  if (mode.verbose) {
    if (error.details !== undefined) lines.push(`Details: ${safeText(String(error.details))}`);
    const cause = error.cause instanceof Error ? error.cause : undefined;
    if (cause?.stack) lines.push(`Stack trace: ${safeText(cause.stack)}`);
  }
  return `${lines.join("\n")}\n`;
}
