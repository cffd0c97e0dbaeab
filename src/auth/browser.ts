/**
 * Opens a URL in the user's browser: `MCPC_BROWSER` (a program that gets the
 * URL as its only argument) or the platform's opener (`open`, `xdg-open`,
 * `rundll32 url.dll,FileProtocolHandler`). No shell is involved, so nothing
 * in the URL is interpreted.
 *
 * Layer: edge (starts a process).
 * @module
 */

/** How long an opener may take to report failure before it counts as started (ms). */
const OPENER_WAIT_MS = 5_000;

/** The program and arguments that open `url` on `os`, honouring `MCPC_BROWSER`. */
export function openerCommand(
  url: string,
  env: Record<string, string>,
  os: typeof Deno.build.os = Deno.build.os,
): { command: string; args: string[] } {
  const custom = env.MCPC_BROWSER?.trim();
  if (custom) return { command: custom, args: [url] };
  if (os === "darwin") return { command: "open", args: [url] };
  if (os === "windows") return { command: "rundll32", args: ["url.dll,FileProtocolHandler", url] };
  return { command: "xdg-open", args: [url] };
}

/**
 * Starts the opener; resolves `true` when it exited 0 or is still running
 * after a few seconds (a browser that stays in the foreground), `false` when
 * it cannot be started or failed.
 */
export async function openBrowser(url: string, env: Record<string, string>): Promise<boolean> {
  const { command, args } = openerCommand(url, env);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch {
    return false;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stillRunning = new Promise<"running">((resolve) => {
    timer = setTimeout(() => resolve("running"), OPENER_WAIT_MS);
  });
  const outcome = await Promise.race([child.status, stillRunning]);
  clearTimeout(timer);
  if (outcome === "running") {
    child.unref();
    return true;
  }
  return outcome.success;
}
