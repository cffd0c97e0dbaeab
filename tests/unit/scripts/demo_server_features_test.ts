/**
 * The demo server's resources, prompts, logging and change notifications, in
 * both protocol eras: 2026-07-28 clients (listen streams, per-request log
 * level) and 2025-era clients (MCP sessions, `resources/subscribe`,
 * `logging/setLevel`), over HTTP and over stdio.
 */

import assert from "node:assert/strict";
import {
  Client,
  LOG_LEVEL_META_KEY,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import {
  COUNTER_URI,
  LOGO_PNG_BASE64,
  parseDemoArgs,
  README_URI,
} from "../../../scripts/demo_server.ts";
import { withDeadline } from "../../fakes/deadline.ts";
import { textOf, withServer } from "../../fakes/demo_servers.ts";

const SCRIPT = new URL("../../../scripts/demo_server.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const WAIT_MS = 5_000;

type ClientEra = "modern" | "legacy";
const ERAS: readonly ClientEra[] = ["modern", "legacy"];

const NOTIFICATION_METHODS = [
  "notifications/resources/updated",
  "notifications/resources/list_changed",
  "notifications/tools/list_changed",
  "notifications/prompts/list_changed",
  "notifications/message",
] as const;

type NotificationMethod = typeof NOTIFICATION_METHODS[number];

/** A notification as the client received it. */
interface Received {
  method: NotificationMethod;
  params: Record<string, unknown>;
}

/** Collects the change and log notifications one client receives. */
class Inbox {
  readonly received: Received[] = [];

  constructor(client: Client) {
    for (const method of NOTIFICATION_METHODS) {
      client.setNotificationHandler(method, (notification) => {
        const params = (notification.params ?? {}) as Record<string, unknown>;
        this.received.push({ method, params });
      });
    }
  }

  /** The notifications of `method` received so far. */
  of(method: NotificationMethod): Received[] {
    return this.received.filter((item) => item.method === method);
  }

  /** Resolves with the first `method` notification that `match` accepts; fails after 5 s. */
  async next(
    method: NotificationMethod,
    match: (params: Record<string, unknown>) => boolean = () => true,
  ): Promise<Received> {
    const deadline = performance.now() + WAIT_MS;
    while (true) {
      const found = this.of(method).find((item) => match(item.params));
      if (found) return found;
      if (performance.now() > deadline) {
        throw new Error(`Timed out after ${WAIT_MS} ms waiting for ${method}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** One connected client with its inbox. */
interface Connected {
  client: Client;
  inbox: Inbox;
}

/**
 * Connects a client of `era` over HTTP. A 2025-era client is returned once its
 * GET stream is open, so that notifications sent outside a request reach it.
 */
async function connectHttp(url: string, era: ClientEra): Promise<Connected> {
  const { promise: getStreamOpen, resolve: onGetStreamOpen } = Promise.withResolvers<void>();
  const fetchWatchingGet = async (input: string | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    if ((init?.method ?? "GET") === "GET" && response.ok) onGetStreamOpen();
    return response;
  };
  const client = new Client({ name: "demo-features-test", version: "0.0.0" }, {
    versionNegotiation: { mode: era === "modern" ? "auto" : "legacy" },
  });
  const inbox = new Inbox(client);
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: fetchWatchingGet });
  await withDeadline(client.connect(transport), 10_000, `${era} client connect`);
  if (era === "legacy") await withDeadline(getStreamOpen, WAIT_MS, "the GET stream to open");
  return { client, inbox };
}

async function withClients(
  url: string,
  eras: readonly ClientEra[],
  fn: (clients: Connected[]) => Promise<void>,
): Promise<void> {
  const clients: Connected[] = [];
  try {
    for (const era of eras) clients.push(await connectHttp(url, era));
    await fn(clients);
  } finally {
    await Promise.allSettled(
      clients.map(({ client }) => withDeadline(client.close(), 10_000, "client close")),
    );
  }
}

/** Opens what makes `uri` updates reach the client in its era. */
async function subscribe(connected: Connected, era: ClientEra, uri: string): Promise<void> {
  if (era === "legacy") {
    await connected.client.subscribeResource({ uri });
    return;
  }
  const subscription = await withDeadline(
    connected.client.listen({ resourceSubscriptions: [uri] }),
    WAIT_MS,
    "listen acknowledgement",
  );
  assert.deepEqual(subscription.honoredFilter, { resourceSubscriptions: [uri] });
}

/** Opens what makes the three `list_changed` notifications reach the client in its era. */
async function listenForListChanges(connected: Connected, era: ClientEra): Promise<void> {
  if (era === "legacy") return;
  const filter = { toolsListChanged: true, resourcesListChanged: true, promptsListChanged: true };
  const subscription = await withDeadline(
    connected.client.listen(filter),
    WAIT_MS,
    "listen acknowledgement",
  );
  assert.deepEqual(subscription.honoredFilter, filter);
}

for (const era of ERAS) {
  Deno.test(`startDemoHttpServer() pages resources/list 50 at a time for a ${era} client`, async () => {
    await withServer({ extraResources: 120 }, async (server) => {
      await withClients(server.url, [era], async ([{ client }]) => {
        const capabilities = client.getServerCapabilities();
        assert.deepEqual(capabilities?.resources, { subscribe: true, listChanged: true });
        assert.deepEqual(capabilities?.prompts, { listChanged: true });

        const sizes: number[] = [];
        const uris: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await client.request({
            method: "resources/list",
            params: cursor === undefined ? {} : { cursor },
          });
          if (era === "modern" && cursor === undefined) {
            assert.equal((page as { ttlMs?: number }).ttlMs, 30_000);
          }
          sizes.push(page.resources.length);
          uris.push(...page.resources.map((resource) => resource.uri));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        assert.deepEqual(sizes, [50, 50, 23]);
        assert.equal(new Set(uris).size, 123);
        assert.deepEqual(uris.slice(0, 4), [
          README_URI,
          "demo://logo.png",
          COUNTER_URI,
          "demo://item/1",
        ]);
        assert.equal(uris.at(-1), "demo://item/120");

        const all = await client.listResources();
        assert.equal(all.resources.length, 123);
        assert.equal(all.nextCursor, undefined);
        await assert.rejects(client.request({ method: "resources/list", params: { cursor: "x" } }));
      });
    });
  });

  Deno.test(`startDemoHttpServer() reads text, blob and template resources for a ${era} client`, async () => {
    await withServer({}, async (server) => {
      await withClients(server.url, [era], async ([{ client }]) => {
        const readme = (await client.readResource({ uri: README_URI })).contents[0];
        assert.equal(readme.mimeType, "text/markdown");
        assert.match("text" in readme ? readme.text : "", /^# mcpc demo server\n/);

        const logo = (await client.readResource({ uri: "demo://logo.png" })).contents[0];
        assert.equal(logo.mimeType, "image/png");
        const blob = "blob" in logo ? logo.blob : "";
        assert.equal(blob, LOGO_PNG_BASE64);
        const bytes = Uint8Array.from(atob(blob), (char) => char.charCodeAt(0));
        assert.deepEqual([...bytes.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
        assert.ok(bytes.length < 500);

        const counter = (await client.readResource({ uri: COUNTER_URI })).contents[0];
        assert.equal("text" in counter ? counter.text : undefined, "0");

        const { resourceTemplates } = await client.listResourceTemplates();
        assert.deepEqual(
          resourceTemplates.map(({ name, uriTemplate, mimeType }) => ({
            name,
            uriTemplate,
            mimeType,
          })),
          [{ name: "greeting", uriTemplate: "demo://greeting/{name}", mimeType: "text/plain" }],
        );
        const greeting = (await client.readResource({ uri: "demo://greeting/World" })).contents[0];
        assert.equal("text" in greeting ? greeting.text : undefined, "Hello, World!");
      });
    });
  });

  Deno.test(`startDemoHttpServer() sends resources/updated for touch to a subscribed ${era} client`, async () => {
    await withServer({}, async (server) => {
      await withClients(server.url, [era], async ([connected]) => {
        const { client, inbox } = connected;
        await subscribe(connected, era, COUNTER_URI);
        const readme = await client.callTool({ name: "touch", arguments: { uri: README_URI } });
        assert.equal(textOf(readme), "counter is now 0");
        assert.equal(
          textOf(await client.callTool({ name: "touch", arguments: {} })),
          "counter is now 1",
        );
        const updated = await inbox.next("notifications/resources/updated");
        assert.equal(updated.params.uri, COUNTER_URI);
        assert.equal(inbox.of("notifications/resources/updated").length, 1, "no update for readme");
        const counter = (await client.readResource({ uri: COUNTER_URI })).contents[0];
        assert.equal("text" in counter ? counter.text : undefined, "1");
        assert.equal(server.stats().calls.touch, 2);
      });
    });
  });

  Deno.test(`startDemoHttpServer() sends the list_changed notifications for change-lists to a ${era} client`, async () => {
    await withServer({}, async (server) => {
      await withClients(server.url, [era], async ([connected]) => {
        const { client, inbox } = connected;
        await listenForListChanges(connected, era);
        const added = await client.callTool({ name: "change-lists", arguments: {} });
        assert.equal(textOf(added), "added dynamic-1");
        await inbox.next("notifications/tools/list_changed");
        await inbox.next("notifications/resources/list_changed");
        await inbox.next("notifications/prompts/list_changed");

        const tools = (await client.listTools()).tools.map((tool) => tool.name);
        assert.ok(tools.includes("dynamic-1"), `no dynamic-1 in ${tools}`);
        const resources = (await client.listResources()).resources.map((resource) => resource.uri);
        assert.ok(resources.includes("demo://dynamic/1"), `no demo://dynamic/1 in ${resources}`);
        const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
        assert.deepEqual(prompts, ["greet", "review", "dynamic-1"]);
        assert.equal(
          textOf(await client.callTool({ name: "dynamic-1", arguments: {} })),
          "dynamic-1",
        );
        const dynamic = (await client.readResource({ uri: "demo://dynamic/1" })).contents[0];
        assert.equal("text" in dynamic ? dynamic.text : undefined, "Dynamic resource 1");
      });
    });
  });

  Deno.test(`startDemoHttpServer() fills the greet and review prompts for a ${era} client`, async () => {
    await withServer({}, async (server) => {
      await withClients(server.url, [era], async ([{ client }]) => {
        const { prompts } = await client.listPrompts();
        const greet = prompts.find((prompt) => prompt.name === "greet");
        assert.deepEqual(
          greet?.arguments?.map(({ name, required }) => ({ name, required })),
          [{ name: "name", required: true }, { name: "style", required: false }],
        );

        const formal = await client.getPrompt({
          name: "greet",
          arguments: { name: "Ada", style: "formal" },
        });
        assert.equal(formal.messages.length, 1);
        assert.equal(formal.messages[0].role, "user");
        assert.deepEqual(formal.messages[0].content, {
          type: "text",
          text: "Write a formal greeting for Ada.",
        });
        const plain = await client.getPrompt({ name: "greet", arguments: { name: "Bo" } });
        assert.deepEqual(plain.messages[0].content, {
          type: "text",
          text: "Write a friendly greeting for Bo.",
        });
        await assert.rejects(client.getPrompt({ name: "greet", arguments: { style: "loud" } }));

        const review = await client.getPrompt({ name: "review", arguments: { topic: "mcpc" } });
        assert.deepEqual(
          [...new Set(review.messages.map((message) => message.role))].sort(),
          ["assistant", "user"],
        );
        const contents = review.messages.map((message) => message.content);
        const embedded = contents.find((content) => content.type === "resource");
        assert.equal(embedded?.type === "resource" ? embedded.resource.uri : undefined, README_URI);
        const image = contents.find((content) => content.type === "image");
        assert.deepEqual(
          image?.type === "image" ? { data: image.data, mimeType: image.mimeType } : undefined,
          { data: LOGO_PNG_BASE64, mimeType: "image/png" },
        );
        assert.match(textOf({ content: contents }), /Please review mcpc\./);
      });
    });
  });

  Deno.test(`startDemoHttpServer() log tool honours the level of a ${era} client`, async () => {
    await withServer({}, async (server) => {
      await withClients(server.url, [era], async ([{ client, inbox }]) => {
        const log = (level: string, message: string, logger?: string) =>
          client.callTool({
            name: "log",
            arguments: { level, message, ...(logger !== undefined && { logger }) },
            ...(era === "modern" && { _meta: { [LOG_LEVEL_META_KEY]: "warning" } }),
          });
        if (era === "legacy") await client.setLoggingLevel("warning");

        assert.equal(textOf(await log("debug", "too quiet")), "logged");
        assert.deepEqual(inbox.of("notifications/message"), [], "debug is below warning");
        assert.equal(textOf(await log("warning", "heads up", "tests")), "logged");
        const warning = await inbox.next("notifications/message");
        assert.deepEqual(warning.params, { level: "warning", logger: "tests", data: "heads up" });
        await log("error", "broken");
        const error = await inbox.next(
          "notifications/message",
          (params) => params.level === "error",
        );
        assert.deepEqual(error.params, { level: "error", logger: "demo", data: "broken" });
        assert.equal(inbox.of("notifications/message").length, 2);
      });
    });
  });

  Deno.test(`startDemoHttpServer() find tool returns a resource_link for a ${era} client`, async () => {
    await withServer({}, async (server) => {
      await withClients(server.url, [era], async ([{ client }]) => {
        const result = await client.callTool({ name: "find", arguments: { query: "readme" } });
        const content = result.content as { type: string }[];
        assert.deepEqual(content[0], {
          type: "resource_link",
          uri: README_URI,
          name: "readme",
          mimeType: "text/markdown",
          description: "The demo server readme",
        });
        assert.match(textOf(result), /1 match for "readme"/);
      });
    });
  });
}

Deno.test("startDemoHttpServer() tells clients of both eras about a change made by either", async () => {
  await withServer({}, async (server) => {
    await withClients(server.url, ["legacy", "modern"], async ([legacy, modern]) => {
      await subscribe(legacy, "legacy", COUNTER_URI);
      await subscribe(modern, "modern", COUNTER_URI);
      await listenForListChanges(modern, "modern");

      const touched = await modern.client.callTool({ name: "touch", arguments: {} });
      assert.equal(textOf(touched), "counter is now 1");
      for (const { inbox } of [legacy, modern]) {
        const updated = await inbox.next("notifications/resources/updated");
        assert.equal(updated.params.uri, COUNTER_URI);
      }

      await legacy.client.callTool({ name: "change-lists", arguments: {} });
      for (const { inbox } of [legacy, modern]) {
        await inbox.next("notifications/tools/list_changed");
        await inbox.next("notifications/resources/list_changed");
        await inbox.next("notifications/prompts/list_changed");
      }
      for (const { client } of [legacy, modern]) {
        const tools = (await client.listTools()).tools.map((tool) => tool.name);
        assert.ok(tools.includes("dynamic-1"), `no dynamic-1 in ${tools}`);
        const counter = (await client.readResource({ uri: COUNTER_URI })).contents[0];
        assert.equal("text" in counter ? counter.text : undefined, "1");
      }
      assert.equal(server.stats().calls["change-lists"], 1);
    });
  });
});

Deno.test("startDemoHttpServer() leaves the feature tools out when told to", async () => {
  await withServer({ featureTools: false }, async (server) => {
    await withClients(server.url, ["modern"], async ([{ client }]) => {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.deepEqual(names, ["echo", "add", "fail", "slow", "stats"]);
      assert.equal((await client.listResources()).resources.length, 3);
    });
  });
});

Deno.test("parseDemoArgs() reads --extra-resources and --no-feature-tools", () => {
  assert.deepEqual(parseDemoArgs(["--extra-resources=7", "--no-feature-tools"]), {
    stdio: false,
    failStart: false,
    extraResources: 7,
    featureTools: false,
  });
  assert.throws(() => parseDemoArgs(["--extra-resources", "5001"]), RangeError);
});

for (const era of ERAS) {
  Deno.test(`demo_server.ts --stdio sends updates, list changes and logs to a ${era} client`, async () => {
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: ["run", "--frozen", "--quiet", "--allow-all", SCRIPT, "--stdio"],
      cwd: ROOT,
      env: {
        DENO_TLS_CA_STORE: "system",
        PATH: Deno.env.get("PATH") ?? "",
        HOME: Deno.env.get("HOME") ?? "",
      },
      stderr: "ignore",
    });
    const client = new Client({ name: "demo-features-test", version: "0.0.0" }, {
      versionNegotiation: { mode: era === "modern" ? "auto" : "legacy" },
    });
    const inbox = new Inbox(client);
    const connected = { client, inbox };
    try {
      await withDeadline(client.connect(transport), 30_000, "stdio connect");
      assert.equal(
        client.getNegotiatedProtocolVersion?.() === "2026-07-28",
        era === "modern",
        "the client speaks the era it asked for",
      );
      await subscribe(connected, era, COUNTER_URI);
      await listenForListChanges(connected, era);
      await client.callTool({ name: "touch", arguments: { uri: README_URI } });
      assert.equal(
        textOf(await client.callTool({ name: "touch", arguments: {} })),
        "counter is now 1",
      );
      assert.equal((await inbox.next("notifications/resources/updated")).params.uri, COUNTER_URI);
      assert.equal(inbox.of("notifications/resources/updated").length, 1, "no update for readme");

      await client.callTool({ name: "change-lists", arguments: {} });
      await inbox.next("notifications/tools/list_changed");
      await inbox.next("notifications/resources/list_changed");
      await inbox.next("notifications/prompts/list_changed");
      const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
      assert.deepEqual(prompts, ["greet", "review", "dynamic-1"]);

      if (era === "legacy") await client.setLoggingLevel("warning");
      const meta = era === "modern" ? { _meta: { [LOG_LEVEL_META_KEY]: "warning" } } : {};
      await client.callTool({ name: "log", arguments: { level: "info", message: "no" }, ...meta });
      await client.callTool({
        name: "log",
        arguments: { level: "alert", message: "yes" },
        ...meta,
      });
      const logged = await inbox.next("notifications/message");
      assert.deepEqual(logged.params, { level: "alert", logger: "demo", data: "yes" });
      assert.equal(inbox.of("notifications/message").length, 1);
    } finally {
      const pid = transport.pid;
      await withDeadline(client.close(), 10_000, "stdio client close");
      if (pid !== null && pid !== undefined) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // Already exited.
        }
      }
    }
  });
}
