/**
 * The GitHub Action (action.yml) run as the runner runs it: its main and post
 * entry points (action/main.mjs, action/post.mjs, under Deno's Node
 * compatibility) with the inputs as INPUT_* variables and the runner's
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH and GITHUB_STATE files.
 * It connects the demo server with a bearer header (masked before anything
 * prints it), sets the outputs, writes the tools to the summary and closes
 * the session in the post step; without a server it only installs, from a
 * fake release into the tool cache.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { fakeRelease } from "../fixtures/fake_release.ts";
import { VERSION } from "../../src/version.ts";
import { baseEnv, MCPC, ROOT, runProgram, type RunResult } from "./harness.ts";

interface Runner {
  dir: string;
  files: Record<"GITHUB_OUTPUT" | "GITHUB_STEP_SUMMARY" | "GITHUB_PATH" | "GITHUB_STATE", string>;
  read(name: keyof Runner["files"]): Promise<string>;
}

async function runner(): Promise<Runner> {
  const dir = await Deno.makeTempDir({ prefix: "mcpc-action-" });
  await Deno.mkdir(`${dir}/home`, { mode: 0o700 });
  const files = {
    GITHUB_OUTPUT: `${dir}/output`,
    GITHUB_STEP_SUMMARY: `${dir}/summary`,
    GITHUB_PATH: `${dir}/path`,
    GITHUB_STATE: `${dir}/state`,
  };
  for (const file of Object.values(files)) await Deno.writeTextFile(file, "");
  return { dir, files, read: (name) => Deno.readTextFile(files[name]) };
}

function step(entry: "main" | "post", env: Record<string, string>): Promise<RunResult> {
  return runProgram(
    Deno.execPath(),
    ["run", "--allow-all", "--no-config", `${ROOT}action/${entry}.mjs`],
    { ...baseEnv(), ...env },
    120_000,
  );
}

Deno.test("the action connects with masked headers, sets its outputs and summary, and closes in its post step", async () => {
  const token = "ci-t0ken-9f2";
  const server = await startDemoHttpServer({ era: "both", requireBearer: token });
  const r = await runner();
  const env = {
    ...r.files,
    MCPC_HOME_DIR: `${r.dir}/home`,
    MCPC_SECRET_STORE: "file",
    MCPC_ACTION_BIN: MCPC,
    INPUT_SERVER: server.url,
    INPUT_SESSION: "@gh",
    INPUT_HEADERS: `Authorization: Bearer ${token}\nX-Trace: trace-value-1\n`,
  };
  try {
    const main = await step("main", env);
    assert.equal(main.code, 0, main.stdout + main.stderr);
    const all = main.stdout + main.stderr;
    const mask = all.indexOf(`::add-mask::Bearer ${token}`);
    assert.ok(mask >= 0, "the header value is masked");
    assert.equal(
      all.indexOf(token),
      mask + "::add-mask::Bearer ".length,
      "nothing printed it first",
    );
    assert.match(all, /::add-mask::trace-value-1/);
    assert.match(all, new RegExp(`::add-mask::${token}\n`), "the token alone is masked too");

    const output = await r.read("GITHUB_OUTPUT");
    assert.match(output, /^session=@gh$/m);
    const tools = JSON.parse(/^tools=(.*)$/m.exec(output)![1]);
    assert.ok(tools.includes("echo") && tools.includes("add"), output);
    const summary = await r.read("GITHUB_STEP_SUMMARY");
    assert.match(summary, /### MCP server tools \(@gh\)/);
    assert.match(summary, /\| `echo` \| .+ \|/);
    assert.doesNotMatch(summary, new RegExp(token));
    assert.match(await r.read("GITHUB_STATE"), /^session=@gh$/m);
    assert.match(await r.read("GITHUB_PATH"), /scripts/);

    // A later step of the job uses the session.
    const call = await new Deno.Command(MCPC, {
      args: ["--json", "@gh", "tools-call", "echo", "message:=from a step"],
      env: { ...baseEnv(), MCPC_HOME_DIR: `${r.dir}/home`, MCPC_SECRET_STORE: "file" },
      stdout: "piped",
    }).output();
    assert.match(new TextDecoder().decode(call.stdout), /from a step/);

    // The runner puts what GITHUB_PATH names on the PATH of the later steps, the post step's too.
    const added = (await r.read("GITHUB_PATH")).trim().split("\n").join(":");
    const post = await step("post", {
      ...env,
      STATE_session: "@gh",
      PATH: `${added}:${Deno.env.get("PATH")}`,
    });
    assert.equal(post.code, 0, post.stdout + post.stderr);
    assert.doesNotMatch(post.stdout, /::warning/);
    const sessions = JSON.parse(await Deno.readTextFile(`${r.dir}/home/sessions.json`));
    assert.equal(sessions.sessions["@gh"], undefined, "the post step closed the session");
  } finally {
    await new Deno.Command(MCPC, {
      args: ["close", "--all"],
      env: { ...baseEnv(), MCPC_HOME_DIR: `${r.dir}/home`, MCPC_SECRET_STORE: "file" },
      stdout: "null",
      stderr: "null",
    }).output();
    await server.close();
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("the action without a server installs mcpc from the release into the tool cache", async () => {
  const release = await fakeRelease();
  const r = await runner();
  try {
    const main = await step("main", {
      ...r.files,
      RUNNER_TOOL_CACHE: `${r.dir}/tools`,
      MCPC_DOWNLOAD_URL: release.url,
      INPUT_VERSION: VERSION,
    });
    assert.equal(main.code, 0, main.stdout + main.stderr);
    assert.match(main.stdout, new RegExp(`Installed mcpc ${VERSION}`));
    const path = (await r.read("GITHUB_PATH")).trim();
    assert.match(path, new RegExp(`${r.dir}/tools/mcpc/${VERSION}/.+/bin$`));
    assert.match(await r.read("GITHUB_OUTPUT"), /^session=$/m);
    // A second job on the runner finds it in the cache.
    const requests = release.requests.length;
    const again = await step("main", {
      ...r.files,
      RUNNER_TOOL_CACHE: `${r.dir}/tools`,
      MCPC_DOWNLOAD_URL: release.url,
      INPUT_VERSION: VERSION,
    });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Using the cached mcpc/);
    assert.equal(release.requests.length, requests);
    const post = await step("post", { ...r.files });
    assert.equal(post.code, 0);
    assert.match(post.stdout, /No session to close/);
  } finally {
    await release.close();
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("the action's headers input refuses a line that is not Key: Value without showing it", async () => {
  const r = await runner();
  try {
    const main = await step("main", {
      ...r.files,
      MCPC_HOME_DIR: `${r.dir}/home`,
      MCPC_ACTION_BIN: MCPC,
      INPUT_SERVER: "http://127.0.0.1:9/mcp",
      INPUT_HEADERS: "just-a-secret-value",
    });
    assert.equal(main.code, 1);
    assert.match(main.stdout, /::error title=mcpc::a line of headers is not "Key: Value"/);
    assert.doesNotMatch(main.stdout + main.stderr, /just-a-secret-value/);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});
