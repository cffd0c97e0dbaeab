/**
 * mcpc on a real terminal (a pseudo-terminal made by util-linux `script`):
 * the progress line is drawn and erased, and a server's form is asked field
 * by field, typed and sent, in both protocol eras.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { baseEnv, eraTest, Harness, MCPC, withEverything } from "./harness.ts";

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

/** A key typed (or something done) once the screen shows `after`. */
interface Keystroke {
  after: RegExp;
  type: string | (() => void);
}

/**
 * Runs `mcpc args...` on a pseudo-terminal, typing each keystroke once its
 * cue is on screen. With `then`, the shell runs that command line after
 * mcpc (on the same terminal) instead of being replaced by mcpc.
 */
async function onTerminalTyping(
  harness: Harness,
  args: string[],
  keystrokes: Keystroke[],
  then?: string,
): Promise<{ code: number; screen: string }> {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const mcpc = [MCPC, ...args].map(quote).join(" ");
  // `exec`: mcpc alone gets the terminal's Ctrl+C (a waiting `sh -c` would exit 130 on it).
  const child = new Deno.Command("script", {
    args: ["-qefc", then === undefined ? `exec ${mcpc}` : `${mcpc}; ${then}`, "/dev/null"],
    cwd: harness.home,
    env: { ...baseEnv(), MCPC_HOME_DIR: harness.home, TERM: "xterm" },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  let screen = "";
  const pending = [...keystrokes];
  try {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      screen += chunk;
      while (pending.length > 0 && pending[0].after.test(screen)) {
        const { type } = pending.shift()!;
        if (typeof type === "function") type();
        else await writer.write(new TextEncoder().encode(type));
      }
    }
    const status = await child.status;
    assert.deepEqual(pending, [], `keys never typed (their cue never showed):\n${screen}`);
    return { code: status.code, screen };
  } finally {
    clearTimeout(timer);
    await writer.close().catch(() => {});
  }
}

eraTest(
  "on a terminal, Ctrl+C during a call erases the progress line and exits 130",
  async (era) => {
    const server = await startDemoHttpServer({ era });
    const harness = await Harness.create();
    try {
      assert.equal((await harness.run(["connect", server.url, "@d"])).code, 0);
      const run = await onTerminalTyping(
        harness,
        ["@d", "tools-call", "progress", "steps:=40", "ms:=250"],
        [{ after: /Running tool progress \(0:0\d\) - step \d/, type: "\x03" }],
      );
      assert.equal(run.code, 130, run.screen);
      // deno-lint-ignore no-control-regex -- the erase sequence is what this checks
      assert.match(run.screen, /\r\x1b\[2KInterrupted/, "the line is erased before the message");
    } finally {
      await harness.cleanup();
      await server.close();
    }
  },
);

Deno.test("on a terminal, Esc during --task detaches (and Ctrl+C still does)", async () => {
  await withEverything("stdio", async (harness) => {
    for (const key of ["\x1b", "\x03"]) {
      const run = await onTerminalTyping(
        harness,
        ["@ev", "tools-call", "simulate-research-query", "topic:=newts", "--task"],
        // The status shows once the task exists (the hint after it is cut to the width).
        [{ after: /Running tool simulate-research-query \(0:0\d\) working/, type: key }],
      );
      assert.equal(run.code, 0, `${JSON.stringify(key)}: ${run.screen}`);
      const taskId = run.screen.match(/Detached\. Task (\S+) continues in background/)?.[1];
      assert.ok(taskId, run.screen);
      const result = await harness.run(["@ev", "tasks-result", taskId]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Research Report: newts/);
    }
  });
});

/** The PIDs of the processes whose command line contains `text`. */
async function pidsOf(text: string): Promise<number[]> {
  const { stdout } = await new Deno.Command("pgrep", { args: ["-f", text], stdout: "piped" })
    .output();
  return new TextDecoder().decode(stdout).split("\n").filter(Boolean).map(Number);
}

/** Whether `stty -a` output shows the terminal back in line mode with echo. */
function lineMode(screen: string): boolean {
  const settings = screen.slice(screen.lastIndexOf("speed"));
  return /(^|\s)icanon\b/.test(settings) && /(^|\s)echo\b/.test(settings);
}

Deno.test("on a terminal, Esc and SIGTERM during --task leave the terminal in line mode", async () => {
  const server = await startDemoHttpServer({ era: "modern" });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@d"])).code, 0);
    const cue = /Running tool research \(0:0\d\) working/;
    const esc = await onTerminalTyping(
      harness,
      ["@d", "tools-call", "research", "topic:=escape", "steps:=40", "--task"],
      [{ after: cue, type: "\x1b" }],
      'echo "rc=$?"; stty -a',
    );
    assert.match(esc.screen, /Detached\. Task \S+ continues in background/);
    assert.match(esc.screen, /rc=0/);
    assert.ok(lineMode(esc.screen), esc.screen);

    const term = await onTerminalTyping(
      harness,
      ["@d", "tools-call", "research", "topic:=terminated", "steps:=40", "--task"],
      [{
        after: cue,
        type: async () => {
          // mcpc itself (deno running main.ts), not the shell or `script` around it.
          const pids = await pidsOf("main\\.ts @d tools-call research topic:=terminated");
          assert.equal(pids.length, 1, `one mcpc: ${pids}`);
          Deno.kill(pids[0], "SIGTERM");
        },
      }],
      'echo "rc=$?"; stty -a',
    );
    assert.match(term.screen, /rc=143/, term.screen);
    assert.ok(lineMode(term.screen), `the terminal is back in line mode:\n${term.screen}`);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

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
