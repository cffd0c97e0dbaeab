/**
 * mcpc on a real terminal (a pseudo-terminal made by util-linux `script`):
 * the progress line is drawn and erased, and a server's form is asked field
 * by field, typed and sent, in both protocol eras.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { baseEnv, eraTest, Harness, MCPC } from "./harness.ts";

/** Bound on one run under the terminal. */
const RUN_TIMEOUT_MS = 30_000;

/** Runs `mcpc args...` on a pseudo-terminal, typing `input`; returns the exit code and the screen text. */
async function onTerminal(
  harness: Harness,
  args: string[],
  input = "",
): Promise<{ code: number; screen: string }> {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const child = new Deno.Command("script", {
    args: ["-qefc", [MCPC, ...args].map(quote).join(" "), "/dev/null"],
    cwd: harness.home,
    env: { ...baseEnv(), MCPC_HOME_DIR: harness.home, TERM: "xterm" },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Typed ahead: the terminal keeps it until mcpc reads. Stdin stays open (its end would be ^D).
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  try {
    const output = await child.output();
    return { code: output.code, screen: new TextDecoder().decode(output.stdout) };
  } finally {
    clearTimeout(timer);
    await writer.close().catch(() => {});
  }
}

eraTest("on a terminal, progress is drawn and erased and a form is asked", async (era) => {
  const server = await startDemoHttpServer({ era });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@d"])).code, 0);

    const progress = await onTerminal(harness, [
      "@d",
      "tools-call",
      "progress",
      "steps:=6",
      "ms:=150",
    ]);
    assert.equal(progress.code, 0, progress.screen);
    assert.match(progress.screen, /\[█+░*\] \d+% Running tool progress \(0:0\d\) - step \d/);
    // The line is erased before the result is printed.
    // deno-lint-ignore no-control-regex -- the erase sequence is what this checks
    assert.match(progress.screen, /\r\x1b\[2K(\x1b\[32m)?✓ Tool progress executed/);

    // Name, colour (3: blue), count (empty: the default 3), subscribe (y), then accept.
    const form = await onTerminal(harness, ["@d", "tools-call", "ask"], "Ada\n3\n\ny\na\n");
    assert.equal(form.code, 0, form.screen);
    assert.match(form.screen, /Who is asking\?/);
    assert.match(form.screen, /Name \(required\) - Your name/);
    assert.match(form.screen, /3\) blue/);
    assert.match(form.screen, /\[default: 3\]/);
    assert.match(
      form.screen,
      /"action":"accept","content":\{"name":"Ada","color":"blue","subscribe":true,"count":3\}/,
    );

    // An invalid answer is asked again; declining sends no content.
    const again = await onTerminal(harness, ["@d", "tools-call", "ask"], "Ada\n9\n1\n\n\nd\n");
    assert.equal(again.code, 0, again.screen);
    assert.match(again.screen, /pick a number from 1 to 3/);
    assert.match(again.screen, /"action":"decline"/);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});
