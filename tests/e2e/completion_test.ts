/**
 * Shell completion through bash itself: the script of `mcpc completion bash`
 * is loaded in a bash subprocess and its function run as bash runs it on Tab,
 * with mcpc on the PATH, a real session to the demo server (its tool names
 * come from the bridge) and a session whose bridge never answers (completion
 * gives up on it instead of hanging).
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { baseEnv, Harness, MCPC } from "./harness.ts";

async function bashComplete(h: Harness, bin: string, words: string[]): Promise<string[]> {
  const script = [
    'eval "$(mcpc completion bash)"',
    `COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")})`,
    `COMP_CWORD=${words.length - 1}`,
    "_mcpc",
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join("\n");
  const output = await new Deno.Command("bash", {
    args: ["-c", script],
    env: { ...baseEnv(), PATH: `${bin}:${Deno.env.get("PATH")}`, MCPC_HOME_DIR: h.home },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout).split("\n").filter((line) => line !== "");
}

Deno.test("bash completes commands, sessions, options and a session's tool names", async () => {
  const server = await startDemoHttpServer({ era: "both" });
  const h = await Harness.create();
  const bin = await Deno.makeTempDir({ prefix: "mcpc-bin-" });
  await Deno.symlink(MCPC, `${bin}/mcpc`);
  try {
    assert.equal((await h.run(["connect", server.url, "@demo"])).code, 0);
    assert.deepEqual(await bashComplete(h, bin, ["mcpc", "@"]), ["@demo"]);
    assert.deepEqual(await bashComplete(h, bin, ["mcpc", "con"]), ["connect"]);
    assert.deepEqual(await bashComplete(h, bin, ["mcpc", "@demo", "tools-c"]), ["tools-call"]);
    assert.deepEqual(await bashComplete(h, bin, ["mcpc", "@demo", "tools-call", "ec"]), ["echo"]);
    const tools = await bashComplete(h, bin, ["mcpc", "@demo", "tools-get", ""]);
    assert.ok(tools.includes("add") && tools.includes("slow"), tools.join(" "));
    assert.deepEqual(await bashComplete(h, bin, ["mcpc", "connect", "x", "--proxy-b"]), [
      "--proxy-bearer-token",
    ]);

    // A bridge that accepts and never answers: the tool names are given up on, not waited for.
    const hung = Deno.listen({
      transport: "unix",
      path: `${h.home}/bridges/@hung.${Deno.pid}.sock`,
    });
    const accepted: Deno.Conn[] = [];
    (async () => {
      for await (const conn of hung) accepted.push(conn);
    })().catch(() => {});
    await h.editSessions((file) => {
      file.sessions["@hung"] = {
        ...structuredClone(file.sessions["@demo"]),
        name: "@hung",
        pid: Deno.pid,
      };
    });
    try {
      const started = Date.now();
      assert.deepEqual(await bashComplete(h, bin, ["mcpc", "@hung", "tools-call", ""]), []);
      assert.ok(Date.now() - started < 20_000, "completion did not hang on the bridge");
      assert.ok(accepted.length > 0, "it did try the bridge");
    } finally {
      hung.close();
      for (const conn of accepted) conn.close();
      await h.editSessions((file) => {
        delete file.sessions["@hung"];
      });
    }
  } finally {
    await h.cleanup();
    await server.close();
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("mcpc completion refuses a shell it has no script for", async () => {
  const h = await Harness.create();
  try {
    const result = await h.run(["completion", "tcsh"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Unknown shell: tcsh\. mcpc completes in bash, zsh, fish/);
    const zsh = await h.run(["completion", "zsh"]);
    assert.equal(zsh.code, 0);
    assert.match(zsh.stdout, /^#compdef mcpc/);
  } finally {
    await h.cleanup();
  }
});
