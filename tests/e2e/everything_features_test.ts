/**
 * Resources, prompts, logging, notifications, grep and --schema against a
 * third-party server: `@modelcontextprotocol/server-everything` (pinned),
 * over stdio and over Streamable HTTP.
 */

import assert from "node:assert/strict";
import { waitFor, withEverything } from "./harness.ts";

interface Entry {
  at: string;
  method: string;
  params?: Record<string, unknown>;
}

for (const transport of ["stdio", "http"] as const) {
  Deno.test(`server-everything over ${transport}: resources, templates and reads`, async () => {
    await withEverything(transport, async (harness) => {
      const resources = await harness.json<{ uri: string }[]>(["@ev", "resources-list"]);
      const uris = resources.map((item) => item.uri);
      assert.ok(uris.includes("demo://resource/static/document/architecture.md"), uris.join());
      const listed = await harness.run(["@ev", "resources-list"]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`Resources \\(${resources.length}\\):`));
      const templates = await harness.json<{ uriTemplate: string }[]>([
        "@ev",
        "resources-templates-list",
      ]);
      assert.ok(templates.some((item) => item.uriTemplate.includes("{resourceId}")));

      // Text is shown as text.
      const text = await harness.run([
        "@ev",
        "resources-read",
        "demo://resource/static/document/architecture.md",
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /Architecture/);

      // A blob is never dumped; -o writes the decoded bytes, refuses to overwrite, --force does.
      const blobUri = "demo://resource/dynamic/blob/3";
      const read = await harness.json<{ contents: { blob: string }[] }>([
        "@ev",
        "resources-read",
        blobUri,
      ]);
      const bytes = Uint8Array.from(atob(read.contents[0].blob), (char) => char.charCodeAt(0));
      const human = await harness.run(["@ev", "resources-read", blobUri]);
      assert.equal(human.code, 0, human.stderr);
      assert.ok(!human.stdout.includes(read.contents[0].blob), "no base64 in human output");
      assert.match(human.stdout, new RegExp(`\\[Binary content: [^,]+, ${bytes.length} bytes\\]`));
      assert.match(human.stdout, /-o <file>/);
      // The server puts the time into the content: compare what does not change.
      const decoded = (data: Uint8Array) => new TextDecoder().decode(data).slice(0, 20);
      const saved = await harness.run(["@ev", "resources-read", blobUri, "-o", "blob.bin"]);
      assert.equal(saved.code, 0, saved.stderr);
      const written = await Deno.readFile(`${harness.home}/blob.bin`);
      assert.equal(written.length, bytes.length);
      assert.equal(decoded(written), decoded(bytes));
      assert.match(decoded(written), /^Resource 3/);
      await Deno.writeTextFile(`${harness.home}/blob.bin`, "keep me");
      const again = await harness.run(["@ev", "resources-read", blobUri, "-o", "blob.bin"]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists; use --force/);
      assert.equal(await Deno.readTextFile(`${harness.home}/blob.bin`), "keep me");
      const forced = await harness.json<{ bytes: number; path: string }>([
        "@ev",
        "resources-read",
        blobUri,
        "-o",
        "blob.bin",
        "--force",
      ]);
      assert.equal(forced.bytes, bytes.length);
      assert.equal(decoded(await Deno.readFile(`${harness.home}/blob.bin`)), decoded(bytes));
      const tooBig = await harness.run([
        "@ev",
        "resources-read",
        blobUri,
        "--max-size",
        String(bytes.length - 1),
      ]);
      assert.equal(tooBig.code, 1);
      assert.match(tooBig.stderr, /more than --max-size/);
      const unknown = await harness.run(["@ev", "resources-read", "demo://no/such/thing"]);
      assert.equal(unknown.code, 2, unknown.stderr);
    });
  });

  Deno.test(`server-everything over ${transport}: prompts with arguments`, async () => {
    await withEverything(transport, async (harness) => {
      const prompts = await harness.json<{ name: string }[]>(["@ev", "prompts-list"]);
      assert.ok(prompts.some((prompt) => prompt.name === "args-prompt"));
      const got = await harness.run(["@ev", "prompts-get", "args-prompt", "city:=Paris"]);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /Role: user/);
      assert.match(got.stdout, /Paris/);
      // Non-string values are sent as their text: the protocol wants strings.
      const numeric = await harness.json<{ messages: { content: { text: string } }[] }>([
        "@ev",
        "prompts-get",
        "args-prompt",
        "city:=42",
        "state:=true",
      ]);
      assert.match(numeric.messages[0].content.text, /42/);
      const embedded = await harness.run([
        "@ev",
        "prompts-get",
        "resource-prompt",
        "resourceType:=Text",
        "resourceId:=1",
      ]);
      assert.equal(embedded.code, 0, embedded.stderr);
      assert.match(embedded.stdout, /Embedded resource/);
    });
  });

  Deno.test(`server-everything over ${transport}: subscriptions, log levels and notifications`, async () => {
    await withEverything(transport, async (harness) => {
      const uri = "demo://resource/dynamic/text/1";
      const subscribed = await harness.json(["@ev", "resources-subscribe", uri]);
      assert.deepEqual(subscribed, { subscribed: true, uri });
      assert.deepEqual((await harness.sessions()).sessions["@ev"].subscriptions, [uri]);
      assert.deepEqual(await harness.json(["@ev", "logging-set-level", "error"]), {
        level: "error",
      });
      const levelSetAt = new Date().toISOString();
      const bad = await harness.run(["@ev", "logging-set-level", "loud"]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /Invalid log level: loud\. Must be one of: debug, info/);
      for (const tool of ["toggle-subscriber-updates", "toggle-simulated-logging"]) {
        assert.equal((await harness.run(["@ev", "tools-call", tool])).code, 0);
      }
      let entries: Entry[] = [];
      await waitFor(
        async () => {
          entries = await harness.json<Entry[]>(["@ev", "notifications"]);
          return entries.some((entry) =>
            entry.method === "notifications/resources/updated" && entry.params?.uri === uri
          ) && entries.some((entry) =>
            entry.method === "notifications/message" && entry.at > levelSetAt
          );
        },
        30_000,
        "a resource update and a log message",
      );
      const levels = entries
        .filter((entry) => entry.method === "notifications/message" && entry.at > levelSetAt)
        .map((entry) => String(entry.params?.level));
      assert.ok(levels.length > 0, "log messages arrived after the level was set");
      for (const level of levels) {
        assert.ok(
          ["error", "critical", "alert", "emergency"].includes(level),
          `only error and worse after logging-set-level error, got ${level}`,
        );
      }
      // The bridge writes notification times into the record within 250 ms.
      await waitFor(
        async () => (await harness.sessions()).sessions["@ev"].notifications?.resources?.updatedAt,
        5_000,
        "the update in the record",
      );
      const details = await harness.run(["@ev"]);
      assert.match(details.stdout, /Notifications:\n(\* .*\n)*\* resources updated /);
      const record = (await harness.sessions()).sessions["@ev"];
      assert.ok(record.notifications?.resources?.updatedAt);
      const log = await Deno.readTextFile(`${harness.home}/logs/bridge-@ev.log`);
      assert.match(log, /\[server log[^\]]*\] (error|critical|alert|emergency): /);
      const human = await harness.run(["@ev", "notifications"]);
      assert.match(human.stdout, new RegExp(`resource updated: ${uri.replaceAll("/", "\\/")}`));
      const unsubscribed = await harness.json(["@ev", "resources-unsubscribe", uri]);
      assert.deepEqual(unsubscribed, { unsubscribed: true, uri });
      assert.equal((await harness.sessions()).sessions["@ev"].subscriptions, undefined);
    });
  });
}

Deno.test("server-everything over stdio: grep and --schema", async () => {
  await withEverything("stdio", async (harness) => {
    const found = await harness.run(["@ev", "grep", "echo"]);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /Tools \(\d+\):\n {2}\* `echo /);
    const none = await harness.run(["@ev", "grep", "zzz-nothing-zzz"]);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /No matches found\./);
    const all = await harness.json<{ sessions: { name: string; resources: unknown[] }[] }>([
      "grep",
      "architecture",
      "--resources",
    ]).catch(() => undefined);
    assert.ok(all, "a match across sessions exits 0");
    assert.equal(all.sessions[0].name, "@ev");
    assert.equal(all.sessions[0].resources.length, 1);

    const tool = await harness.run(["--json", "@ev", "tools-get", "echo"]);
    await Deno.writeTextFile(`${harness.home}/echo.json`, tool.stdout);
    const same = await harness.run([
      "@ev",
      "tools-call",
      "echo",
      "message:=hi",
      "--schema",
      "echo.json",
    ]);
    assert.equal(same.code, 0, same.stderr);
    // The caller saved a tool whose `message` was a number: the server's is a string now.
    const saved = JSON.parse(tool.stdout);
    saved.inputSchema.properties.message = { type: "number" };
    await Deno.writeTextFile(`${harness.home}/changed.json`, JSON.stringify(saved));
    const strict = await harness.run([
      "@ev",
      "tools-get",
      "echo",
      "--schema",
      "changed.json",
      "--schema-mode",
      "strict",
    ]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /Schema validation failed for tool "echo"/);
    const compatible = await harness.run([
      "@ev",
      "tools-call",
      "echo",
      "message:=hi",
      "--schema",
      "changed.json",
    ]);
    assert.equal(compatible.code, 1, "the type of an argument the caller passes changed");
    assert.match(compatible.stderr, /Argument "message" type changed/);
    const ignored = await harness.run([
      "@ev",
      "tools-call",
      "echo",
      "message:=hi",
      "--schema",
      "changed.json",
      "--schema-mode",
      "ignore",
    ]);
    assert.equal(ignored.code, 0, ignored.stderr);
    const missing = await harness.run(["@ev", "tools-get", "echo", "--schema", "nope.json"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Schema file not found: nope\.json/);
  });
});
