/**
 * Resources, prompts, logging and notifications against the demo server, in
 * each protocol era (a 2026-07-28-only and a 2025-11-25-only server): every
 * page of a list, reads (text, blob, template, a tool's resource link),
 * subscriptions and log levels that outlive a bridge restart, list changes
 * that refresh the bridge's caches, `notifications --follow`, and `grep`
 * across sessions of both eras.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { startRecordingProxy } from "../fixtures/recording_proxy.ts";
import {
  baseEnv,
  DEMO_SERVER,
  denoEntry,
  eraTest,
  Harness,
  isAlive,
  MCPC,
  revisionOf,
  type ServerEra,
  waitFor,
  writeConfig,
} from "./harness.ts";

type Server = Awaited<ReturnType<typeof startDemoHttpServer>>;

interface Entry {
  at: string;
  method: string;
  params?: Record<string, unknown>;
}

/** A demo server of `era` with 120 extra resources and `@d` connected to it. */
async function withDemo(
  era: ServerEra,
  fn: (harness: Harness, server: Server) => Promise<void>,
): Promise<void> {
  const server = await startDemoHttpServer({ era, extraResources: 120 });
  const harness = await Harness.create();
  try {
    const connect = await harness.run(["connect", server.url, "@d"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, new RegExp(`^Protocol: ${revisionOf(era)}`, "m"));
    await fn(harness, server);
  } finally {
    await harness.cleanup();
    await server.close();
  }
}

/** Kills the session's bridge (as a crash would) and waits until it is gone. */
async function killBridge(harness: Harness): Promise<void> {
  const pid = (await harness.sessions()).sessions["@d"].pid!;
  Deno.kill(pid, "SIGKILL");
  await waitFor(() => !isAlive(pid), 10_000, "the bridge to die");
}

async function notifications(harness: Harness): Promise<Entry[]> {
  return await harness.json<Entry[]>(["@d", "notifications"]);
}

eraTest("lists come with every page, and reads show text and save blobs", async (era) => {
  await withDemo(era, async (harness) => {
    const resources = await harness.json<{ uri: string }[]>(["@d", "resources-list"]);
    assert.equal(resources.length, 123, "three pages of 50, 50 and 23");
    assert.equal(new Set(resources.map((item) => item.uri)).size, 123);
    const human = await harness.run(["@d", "resources-list", "--max-chars", "200"]);
    assert.match(human.stdout, /^Resources \(123\):/m);
    assert.match(human.stdout, /output truncated/);
    const templates = await harness.json<{ uriTemplate: string }[]>([
      "@d",
      "resources-templates-list",
    ]);
    assert.deepEqual(templates.map((item) => item.uriTemplate), ["demo://greeting/{name}"]);

    const readme = await harness.run(["@d", "resources-read", "demo://readme"]);
    assert.equal(readme.code, 0, readme.stderr);
    assert.match(readme.stdout, /````\n/);
    const greeting = await harness.json<{ contents: { text: string }[] }>([
      "@d",
      "resources-read",
      "demo://greeting/Ada",
    ]);
    assert.equal(greeting.contents[0].text, "Hello, Ada!");

    const logo = await harness.run(["@d", "resources-read", "demo://logo.png"]);
    assert.match(logo.stdout, /\[Binary content: image\/png, \d+ bytes\]/);
    const saved = await harness.run(["@d", "resources-read", "demo://logo.png", "-o", "logo.png"]);
    assert.equal(saved.code, 0, saved.stderr);
    const png = await Deno.readFile(`${harness.home}/logo.png`);
    assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG file");

    // The URI a tool's resource link shows can be read as printed.
    const found = await harness.run(["@d", "tools-call", "find", "query:=readme"]);
    assert.equal(found.code, 0, found.stderr);
    const uri = found.stdout.match(/\* URI: (\S+)/)?.[1];
    assert.equal(uri, "demo://readme");
    const linked = await harness.run(["@d", "resources-read", uri!]);
    assert.equal(linked.code, 0, linked.stderr);

    const prompts = await harness.json<{ name: string }[]>(["@d", "prompts-list"]);
    assert.deepEqual(prompts.map((prompt) => prompt.name), ["greet", "review"]);
    const greet = await harness.run(["@d", "prompts-get", "greet", "name:=Ada", "style:=formal"]);
    assert.equal(greet.code, 0, greet.stderr);
    assert.match(greet.stdout, /Messages \(1\):\n\nRole: user\n````\n[^`]*Ada/);
    const review = await harness.run(["@d", "prompts-get", "review", "topic:=caching"]);
    assert.match(review.stdout, /Role: assistant/);
    assert.match(review.stdout, /Embedded resource/);
    assert.match(review.stdout, /\[Image: image\/png/);
    const missing = await harness.run(["@d", "prompts-get", "greet"]);
    assert.equal(missing.code, 2, "the server refuses a prompt without its required argument");
  });
});

eraTest("a subscription and the log level outlive a bridge restart", async (era) => {
  await withDemo(era, async (harness) => {
    const subscribed = await harness.run(["@d", "resources-subscribe", "demo://counter"]);
    assert.equal(subscribed.code, 0, subscribed.stderr);
    assert.match(subscribed.stdout, /✓ Subscribed to resource: demo:\/\/counter/);
    assert.equal((await harness.run(["@d", "logging-set-level", "warning"])).code, 0);

    assert.equal((await harness.run(["@d", "tools-call", "touch"])).code, 0);
    await harness.run(["@d", "tools-call", "log", "level:=info", "message:=quiet one"]);
    await harness.run(["@d", "tools-call", "log", "level:=error", "message:=loud one"]);
    await waitFor(
      async () => {
        const entries = await notifications(harness);
        return entries.some((entry) => entry.method === "notifications/resources/updated") &&
          entries.some((entry) => entry.params?.data === "loud one");
      },
      10_000,
      "the update and the error message",
    );
    const before = await notifications(harness);
    assert.ok(!before.some((entry) => entry.params?.data === "quiet one"), "info is below warning");
    // The bridge writes notification times into the record within 250 ms.
    await waitFor(
      async () => (await harness.sessions()).sessions["@d"].notifications?.resources?.updatedAt,
      5_000,
      "the update in the record",
    );
    const details = await harness.run(["@d"]);
    assert.match(details.stdout, /Notifications:\n\* resources updated `demo:\/\/counter` /);
    const log = await Deno.readTextFile(`${harness.home}/logs/bridge-@d.log`);
    assert.match(log, /\[server log demo\] error: loud one/);

    await killBridge(harness);
    const restartedAt = new Date().toISOString();
    // The next command starts a new bridge, which subscribes and sets the level again.
    assert.equal((await harness.run(["@d", "ping"])).code, 0);
    await waitFor(
      async () =>
        (await Deno.readTextFile(`${harness.home}/logs/bridge-@d.log`)).includes(
          "Subscribed again to 1 resource(s)",
        ),
      10_000,
      "the new bridge to subscribe again",
    );
    await harness.run(["@d", "tools-call", "touch"]);
    await harness.run(["@d", "tools-call", "log", "level:=info", "message:=quiet two"]);
    await harness.run(["@d", "tools-call", "log", "level:=critical", "message:=loud two"]);
    let after: Entry[] = [];
    await waitFor(
      async () => {
        after = (await notifications(harness)).filter((entry) => entry.at > restartedAt);
        return after.some((entry) =>
          entry.method === "notifications/resources/updated" &&
          entry.params?.uri === "demo://counter"
        ) && after.some((entry) => entry.params?.data === "loud two");
      },
      10_000,
      "an update and a message through the new bridge",
    );
    assert.ok(!after.some((entry) => entry.params?.data === "quiet two"), "the level still holds");

    const unsubscribed = await harness.run(["@d", "resources-unsubscribe", "demo://counter"]);
    assert.equal(unsubscribed.code, 0, unsubscribed.stderr);
    const count = (await notifications(harness)).length;
    await harness.run(["@d", "tools-call", "touch"]);
    await harness.run(["@d", "tools-call", "log", "level:=error", "message:=marker"]);
    await waitFor(
      async () => (await notifications(harness)).some((entry) => entry.params?.data === "marker"),
      10_000,
      "the marker message",
    );
    const latest = (await notifications(harness)).slice(count);
    assert.ok(
      !latest.some((entry) => entry.method === "notifications/resources/updated"),
      "no update after unsubscribing",
    );
  });
});

eraTest("list changes refresh the bridge's caches and are recorded", async (era) => {
  await withDemo(era, async (harness) => {
    // Fill the caches first: the change must replace what the bridge holds.
    assert.equal((await harness.run(["@d", "tools-get", "echo"])).code, 0);
    // Each item is matched as `@d/<name or uri> <json>`: this finds the new items only.
    const added = "^@d/(dynamic-1|demo://dynamic/1) ";
    const grepBefore = await harness.run(["@d", "grep", "-E", added, "--tools", "--resources"]);
    assert.equal(grepBefore.code, 1);
    assert.equal((await harness.run(["@d", "tools-call", "change-lists"])).code, 0);
    await waitFor(
      async () => {
        const record = (await harness.sessions()).sessions["@d"];
        const times = record.notifications ?? {};
        return Boolean(
          times.tools?.listChangedAt && times.resources?.listChangedAt &&
            times.prompts?.listChangedAt,
        );
      },
      10_000,
      "the three list changes to be recorded",
    );
    const tool = await harness.run(["@d", "tools-get", "dynamic-1"]);
    assert.equal(tool.code, 0, tool.stderr);
    const grep = await harness.json<{ totalMatches: { tools: number; resources: number } }>([
      "@d",
      "grep",
      "-E",
      added,
      "--tools",
      "--resources",
    ]);
    assert.deepEqual([grep.totalMatches.tools, grep.totalMatches.resources], [1, 1]);
    const details = await harness.run(["@d"]);
    assert.match(details.stdout, /\* tools list changed /);
    const document = await harness.json<{ _mcpc: { notifications?: Record<string, unknown> } }>([
      "@d",
    ]);
    assert.deepEqual(Object.keys(document._mcpc.notifications ?? {}).sort(), [
      "prompts",
      "resources",
      "tools",
    ]);
    assert.match(details.stdout, /\* prompts list changed /);
    const human = await harness.run(["@d", "notifications"]);
    assert.match(human.stdout, /tools list changed/);
    assert.match(human.stdout, /resources list changed/);
  });
});

eraTest("notifications --follow prints new notifications as they come", async (era) => {
  await withDemo(era, async (harness) => {
    assert.equal((await harness.run(["@d", "resources-subscribe", "demo://counter"])).code, 0);
    const child = harness.spawn(["@d", "notifications", "--follow", "--json"]);
    const lines: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffered = "";
      for await (const chunk of child.stdout) {
        buffered += decoder.decode(chunk, { stream: true });
        const parts = buffered.split("\n");
        buffered = parts.pop()!;
        lines.push(...parts);
      }
    })();
    try {
      // The follower is connected once the bridge lists it; touch until an update shows up.
      await waitFor(
        async () => {
          await harness.run(["@d", "tools-call", "touch"]);
          return lines.some((line) => line.includes("notifications/resources/updated"));
        },
        15_000,
        "the update on the follower's stdout",
      );
      const entry = JSON.parse(lines.find((line) => line.includes("resources/updated"))!);
      assert.equal(entry.params.uri, "demo://counter");
      assert.ok(!Number.isNaN(Date.parse(entry.at)));
    } finally {
      child.kill("SIGINT");
      const status = await child.status;
      await reading.catch(() => {});
      await child.stderr.cancel().catch(() => {});
      assert.equal(status.code, 130, "Ctrl+C ends --follow");
    }
  });
});

Deno.test("grep searches the sessions of both eras in parallel", async () => {
  const modern = await startDemoHttpServer({ era: "modern" });
  const legacy = await startDemoHttpServer({
    era: "legacy",
    instructions: "Legacy demo: counters",
  });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", modern.url, "@m"])).code, 0);
    assert.equal((await harness.run(["connect", legacy.url, "@l"])).code, 0);
    const found = await harness.run(["grep", "touch"]);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /@m\n {2}Tools \(1\):/);
    assert.match(found.stdout, /@l\n {2}Tools \(1\):/);
    assert.match(found.stdout, /2 matches across 2 sessions\./);
    const json = await harness.json<{ sessions: { name: string; instructions: unknown }[] }>([
      "grep",
      "counters",
      "--instructions",
    ]);
    const byName = Object.fromEntries(json.sessions.map((item) => [item.name, item.instructions]));
    assert.equal(byName["@m"], false);
    assert.match(String(byName["@l"]), /counters/);
    const none = await harness.run(["--json", "grep", "nothing-like-this"]);
    assert.equal(none.code, 1);
    assert.equal(JSON.parse(none.stdout).totalMatches.tools, 0);
    const badRegex = await harness.run(["grep", "(", "-E"]);
    assert.equal(badRegex.code, 1);
    assert.match(badRegex.stderr, /Invalid regex/);
  } finally {
    await harness.cleanup();
    await modern.close();
    await legacy.close();
  }
});

Deno.test("a list walk that repeats a cursor or never ends stops with a clear error", async () => {
  const harness = await Harness.create();
  try {
    await writeConfig(`${harness.home}/mcp.json`, {
      paging: denoEntry(new URL("../fixtures/paging_server.ts", import.meta.url).pathname),
    });
    const connect = await harness.run(["connect", `${harness.home}/mcp.json:paging`, "@p"]);
    assert.equal(connect.code, 0, connect.stderr);
    const tools = await harness.run(["@p", "tools-list"]);
    assert.equal(tools.code, 2, tools.stderr);
    assert.match(
      tools.stderr,
      /tools\/list returned the cursor "c1" a second time \(after 3 pages\)/,
    );
    const resources = await harness.run(["@p", "resources-list"]);
    assert.equal(resources.code, 2, resources.stderr);
    assert.match(resources.stderr, /resources\/list did not end after 1000 pages; listing stopped/);
    const prompts = await harness.json<{ name: string }[]>(["@p", "prompts-list"]);
    assert.deepEqual(prompts.map((prompt) => prompt.name), ["prompt-1", "prompt-2", "prompt-3"]);
    assert.equal((await harness.run(["@p", "ping"])).code, 0, "the session lives on");
  } finally {
    await harness.cleanup();
  }
});

for (const era of ["modern", "legacy"] as const) {
  Deno.test(`a stdio server [${era}]: resource updates and list changes reach the bridge`, async () => {
    const harness = await Harness.create();
    try {
      await writeConfig(`${harness.home}/mcp.json`, {
        demo: denoEntry(DEMO_SERVER, ["--stdio", "--era", era]),
      });
      const connect = await harness.run(["connect", `${harness.home}/mcp.json:demo`, "@s"]);
      assert.equal(connect.code, 0, connect.stderr);
      assert.match(connect.stdout, new RegExp(`^Protocol: ${revisionOf(era)}`, "m"));
      assert.equal((await harness.run(["@s", "resources-subscribe", "demo://counter"])).code, 0);
      assert.equal((await harness.run(["@s", "tools-call", "touch"])).code, 0);
      assert.equal((await harness.run(["@s", "tools-call", "change-lists"])).code, 0);
      await waitFor(
        async () => {
          const entries = await harness.json<Entry[]>(["@s", "notifications"]);
          const methods = entries.map((entry) => entry.method);
          return methods.includes("notifications/resources/updated") &&
            methods.includes("notifications/tools/list_changed");
        },
        10_000,
        "the update and the tool list change",
      );
      assert.equal((await harness.run(["@s", "tools-get", "dynamic-1"])).code, 0);
    } finally {
      await harness.cleanup();
    }
  });
}

eraTest(
  "a subscribe cancelled by its CLI, or racing a bridge restart, keeps every subscription working",
  async (era) => {
    await withDemo(era, async (harness) => {
      assert.equal((await harness.run(["@d", "resources-subscribe", "demo://counter"])).code, 0);
      // The CLI gives up at once; the change stream it touched must go on carrying updates.
      await harness.run(["@d", "resources-subscribe", "demo://readme", "--timeout", "0.001"]);
      const updates = async () =>
        (await notifications(harness)).filter((entry) =>
          entry.method === "notifications/resources/updated"
        ).length;
      const before = await updates();
      await harness.run(["@d", "tools-call", "touch"]);
      await waitFor(async () => (await updates()) > before, 10_000, "an update after the cancel");

      // A subscribe that reaches a new bridge while it restores the old list adds to it.
      await killBridge(harness);
      const added = await harness.run(["@d", "resources-subscribe", "demo://logo.png"]);
      assert.equal(added.code, 0, added.stderr);
      await waitFor(
        async () => {
          const subscribed = (await harness.sessions()).sessions["@d"].subscriptions ?? [];
          return subscribed.includes("demo://counter") && subscribed.includes("demo://logo.png");
        },
        10_000,
        "both subscriptions in the record",
      );
      const restartedAt = new Date().toISOString();
      await harness.run(["@d", "tools-call", "touch", "uri:=demo://logo.png"]);
      await harness.run(["@d", "tools-call", "touch"]);
      await waitFor(
        async () => {
          const uris = (await notifications(harness))
            .filter((entry) =>
              entry.at > restartedAt && entry.method === "notifications/resources/updated"
            )
            .map((entry) => entry.params?.uri);
          return uris.includes("demo://logo.png") && uris.includes("demo://counter");
        },
        10_000,
        "updates of both resources through the new bridge",
      );
    });
  },
);

Deno.test("grep and lists honour --max-chars; --follow ends when its reader goes away", async () => {
  await withDemo("modern", async (harness) => {
    const grep = await harness.run(["@d", "grep", "e", "--max-chars", "60"]);
    assert.equal(grep.code, 0, grep.stderr);
    assert.match(grep.stdout, /output truncated/);
    const all = await harness.run(["grep", "e", "--max-chars", "60"]);
    assert.match(all.stdout, /output truncated/);
    assert.equal((await harness.run(["@d", "resources-subscribe", "demo://counter"])).code, 0);
    const child = new Deno.Command("sh", {
      args: ["-c", `"${MCPC}" @d notifications --follow --json | head -1`],
      cwd: harness.home,
      env: { ...baseEnv(), MCPC_HOME_DIR: harness.home },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const output = child.output();
    const ended = (async () => {
      for (let round = 0; round < 40; round++) {
        await harness.run(["@d", "tools-call", "touch"]);
        const done = await Promise.race([
          output.then(() => true),
          new Promise((resolve) => setTimeout(() => resolve(false), 500)),
        ]);
        if (done) return true;
      }
      return false;
    })();
    try {
      assert.ok(await ended, "mcpc stopped once head had its line");
      const { stdout } = await output;
      assert.match(new TextDecoder().decode(stdout), /notifications\/resources\/updated/);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await output.catch(() => {});
    }
  });
});

eraTest("resource updates come back after the network drops the stream", async (era) => {
  const server = await startDemoHttpServer({ era });
  let hop = await startRecordingProxy(server.url);
  const harness = await Harness.create();
  try {
    const connect = await harness.run(["connect", hop.url, "@d"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.equal((await harness.run(["@d", "resources-subscribe", "demo://counter"])).code, 0);
    const updatedSince = async (since: string) =>
      (await notifications(harness)).some((entry) =>
        entry.at > since && entry.method === "notifications/resources/updated" &&
        entry.params?.uri === "demo://counter"
      );
    const startedAt = new Date().toISOString();
    await harness.run(["@d", "tools-call", "touch"]);
    await waitFor(() => updatedSince(startedAt), 10_000, "an update before the outage");

    // The hop goes away mid-stream (both ends see the connection go) for a few seconds.
    const port = hop.port;
    await hop.close();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    hop = await startRecordingProxy(server.url, { port });
    // The bridge reopens the stream with a backoff that has reached a few seconds by now.
    const reopenedAt = new Date().toISOString();
    await waitFor(
      async () => {
        await harness.run(["@d", "tools-call", "touch"]);
        return await updatedSince(reopenedAt);
      },
      30_000,
      "an update through the reopened stream",
    );
  } finally {
    await harness.cleanup();
    await hop.close();
    await server.close();
  }
});
