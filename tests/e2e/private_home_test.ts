/**
 * mcpc trusts only a private home (decisions.md §3.19): a home, folder or
 * state file that group or others can write, or that another user owns, is
 * refused with the command that fixes it, and a session planted there is
 * never started.
 */

import assert from "node:assert/strict";
import { Harness } from "./harness.ts";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";

/** A session record whose stdio command would leave `marker` behind if mcpc ran it. */
function plantedSessions(marker: string): string {
  return JSON.stringify({
    sessions: {
      "@planted": {
        name: "@planted",
        server: { command: "/bin/sh", args: ["-c", `touch ${marker}`] },
        status: "crashed",
        createdAt: "2000-01-01T00:00:00.000Z",
        lastConnectionAttemptAt: "2000-01-01T00:00:00.000Z",
      },
    },
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs the commands that would read the planted record and start its command. */
async function tryEverything(h: Harness): Promise<{ code: number; stderr: string }[]> {
  return [
    await h.run([]),
    await h.run(["--json"]),
    await h.run(["@planted", "tools-list"]),
    await h.run(["@planted", "restart"]),
  ];
}

for (const mode of [0o777, 0o1777, 0o775]) {
  Deno.test(`a home with mode ${mode.toString(8)} is refused and its sessions never run`, async () => {
    const h = await Harness.create();
    const marker = `${h.home}.ran`;
    try {
      await Deno.writeTextFile(`${h.home}/sessions.json`, plantedSessions(marker), { mode: 0o600 });
      await Deno.chmod(h.home, mode);
      for (const result of await tryEverything(h)) {
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, new RegExp(`Refusing to use ${h.home}\\b`));
        assert.match(result.stderr, new RegExp(`chmod 700 ${h.home}`));
        const text = result.stderr.trimStart().startsWith("{")
          ? JSON.parse(result.stderr).error
          : result.stderr.trim();
        assert.equal(text.split("\n").length, 1, result.stderr);
      }
      // Give a wrongly started command time to run.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(await exists(marker), false, "the planted command ran");
      assert.equal(await exists(`${h.home}/logs`), false, "a bridge was started");
      // Fixed as told, the same home works.
      await Deno.chmod(h.home, 0o700);
      const fixed = await h.run(["--json"]);
      assert.equal(fixed.code, 0, fixed.stderr);
    } finally {
      await Deno.remove(marker).catch(() => {});
      await h.cleanup();
    }
  });
}

Deno.test("a sessions.json owned by another user is refused, nothing run", async () => {
  const h = await Harness.create();
  const marker = `${h.home}.ran`;
  try {
    const path = `${h.home}/sessions.json`;
    await Deno.writeTextFile(path, plantedSessions(marker), { mode: 0o600 });
    // `nobody` (65534) as the other user: the test runs as root, or chown fails and it is skipped.
    await Deno.chown(path, 65534, null);
    for (const result of await tryEverything(h)) {
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /Refusing to use .*sessions\.json: it belongs to user id 65534/);
      assert.match(result.stderr, new RegExp(`chown ${Deno.uid()} ${path}`));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await exists(marker), false, "the planted command ran");
  } finally {
    await Deno.remove(marker).catch(() => {});
    await h.cleanup();
  }
});

Deno.test("state files and folders writable by others are refused", async () => {
  const h = await Harness.create();
  try {
    assert.equal((await h.run(["--json"])).code, 0);
    for (
      const [path, fix] of [
        [`${h.home}/sessions.json`, "chmod 600"],
        [`${h.home}/sessions.json.flock`, "chmod 600"],
        [`${h.home}/profiles.json`, "chmod 600"],
      ] as const
    ) {
      await Deno.chmod(path, 0o666);
      const result = await h.run([]);
      assert.equal(result.code, 1, `${path}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`Refusing to use ${path}:.*${fix} ${path}`));
      await Deno.chmod(path, 0o600);
    }
    for (const folder of [`${h.home}/logs`, `${h.home}/bridges`]) {
      await Deno.mkdir(folder, { mode: 0o700 });
      await Deno.chmod(folder, 0o757);
      const result = await h.run(["--json"]);
      assert.equal(result.code, 1, `${folder}: ${result.stderr}`);
      assert.match(JSON.parse(result.stderr).error, new RegExp(`chmod 700 ${folder}`));
      await Deno.chmod(folder, 0o700);
    }
    assert.equal((await h.run([])).code, 0);
    // Help and version read nothing and still answer.
    await Deno.chmod(h.home, 0o777);
    assert.equal((await h.run(["--help"])).code, 0);
    assert.equal((await h.run(["--version"])).code, 0);
  } finally {
    await h.cleanup();
  }
});

Deno.test("a home mcpc creates is 0700 and its files 0600", async () => {
  const parent = await Deno.makeTempDir({ dir: "/tmp", prefix: "mcpcp-" });
  try {
    const home = `${parent}/home`;
    const result = await Harness.at(home).run(["--json"], { cwd: parent });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await Deno.stat(home)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${home}/sessions.json`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("__bridge run by hand prints one line and exits 1", async () => {
  const h = await Harness.create();
  try {
    const garbage = await h.run(["__bridge", "@x"], { stdin: "not json" });
    assert.equal(garbage.code, 1);
    assert.equal(garbage.stderr, "Error: The bridge start config on stdin is not JSON\n");
    const empty = await h.run(["__bridge", "@x"], { stdin: "" });
    assert.equal(empty.code, 1);
    assert.equal(empty.stderr.trim().split("\n").length, 1, empty.stderr);
    assert.doesNotMatch(empty.stderr, /\bat \S+:\d+/);
  } finally {
    await h.cleanup();
  }
});

/** A config file with a stdio entry that leaves `marker` behind if run, and an HTTP entry. */
async function writeSharedConfig(path: string, marker: string, url: string): Promise<void> {
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      mcpServers: {
        planted: { command: "/bin/sh", args: ["-c", `touch ${marker}`] },
        web: { url },
      },
    }),
  );
}

Deno.test("a config file others can change: its stdio entries are refused, HTTP ones warned", async () => {
  const server = await startDemoHttpServer();
  const h = await Harness.create();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/mcp.json`;
  const marker = `${dir}/ran`;
  try {
    await writeSharedConfig(path, marker, server.url);
    for (
      const [label, change, fact, fix] of [
        ["others can write", () => Deno.chmod(path, 0o666), "other users can write", "chmod o-w"],
        [
          "another user owns",
          () => Deno.chown(path, 65534, null),
          "belongs to user id 65534",
          `chown ${Deno.uid()}`,
        ],
      ] as const
    ) {
      await Deno.chmod(path, 0o644);
      await Deno.chown(path, Deno.uid(), null);
      await change();
      const refused = await h.run(["connect", `${path}:planted`, "@planted"]);
      assert.equal(refused.code, 1, `${label}: ${refused.stderr}`);
      assert.match(refused.stderr, new RegExp(`Refusing to run the stdio server "planted"`));
      assert.match(refused.stderr, new RegExp(fact));
      assert.match(refused.stderr, new RegExp(`${fix} ${path}`));
      const web = await h.run(["connect", `${path}:web`, "@web"]);
      assert.equal(web.code, 0, `${label}: ${web.stderr}`);
      assert.match(web.stderr, new RegExp(`Warning: .*${fact}.*${fix} ${path}`));
      assert.equal((await h.run(["@web", "close"])).code, 0);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await exists(marker), false, "the stdio entry of a shared config file ran");
    assert.equal((await h.sessions()).sessions["@planted"], undefined);
    // Group write is no reason to refuse (a project's config shared with a team).
    await Deno.chown(path, Deno.uid(), null);
    await Deno.chmod(path, 0o664);
    const group = await h.run(["connect", `${path}:planted`, "@planted"]);
    assert.doesNotMatch(group.stderr, /Refusing|Warning/);
    await waitForFile(marker);
  } finally {
    await h.cleanup();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a warning that names a config file shows no control sequence of its name", async () => {
  const server = await startDemoHttpServer();
  const h = await Harness.create();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/mcp\x1b]0;pwned\x07\x1b[2J.json`;
  try {
    await writeSharedConfig(path, `${dir}/ran`, server.url);
    await Deno.chmod(path, 0o666);
    const web = await h.run(["connect", `${path}:web`, "@web", "--verbose"]);
    assert.equal(web.code, 0, web.stderr);
    // The sequences are removed, not acted on.
    assert.match(
      web.stderr,
      /Warning: other users can write to \/tmp\/\w+\/mcp\.json \(mode 0666\)/,
    );
    // deno-lint-ignore no-control-regex -- control characters are what this test looks for
    assert.doesNotMatch(web.stderr, /[\x1b\x07]/);
  } finally {
    await h.cleanup();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await exists(path))) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
