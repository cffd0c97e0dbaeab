import assert from "node:assert/strict";
import type { NotificationEntry } from "../../../../src/bridge/protocol.ts";
import { renderLogLevelSet } from "../../../../src/render/human/misc.ts";
import {
  renderLastNotifications,
  renderNotificationLine,
  renderNotifications,
} from "../../../../src/render/human/notifications.ts";
import {
  renderServerDetails,
  type ServerDetails,
} from "../../../../src/render/human/server_details.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";

const plain = createTheme(false);
const AT = "2026-03-01T12:00:00.000Z";
const NOW = Date.parse(AT) + 5 * 60_000;

function entry(method: string, params?: Record<string, unknown>, at = AT): NotificationEntry {
  return params === undefined ? { at, method } : { at, method, params };
}

function line(method: string, params?: Record<string, unknown>): string {
  return renderNotificationLine(entry(method, params), plain);
}

Deno.test("renderNotificationLine() words list changes and resource updates", () => {
  assert.equal(line("notifications/tools/list_changed"), `${AT} tools list changed`);
  assert.equal(line("notifications/resources/list_changed"), `${AT} resources list changed`);
  assert.equal(line("notifications/prompts/list_changed"), `${AT} prompts list changed`);
  assert.equal(
    line("notifications/resources/updated", { uri: "file:///a.txt" }),
    `${AT} resource updated: file:///a.txt`,
  );
});

Deno.test("renderNotificationLine() shows log messages with level, logger and data", () => {
  assert.equal(
    line("notifications/message", { level: "info", logger: "db", data: "connected" }),
    `${AT} [info] db: connected`,
  );
  assert.equal(
    line("notifications/message", { level: "error", data: { code: 7, ok: false } }),
    `${AT} [error] {"code":7,"ok":false}`,
  );
});

Deno.test("renderNotificationLine() shows progress and other notifications as compact JSON", () => {
  assert.equal(
    line("notifications/progress", {
      progressToken: 1,
      progress: 3,
      total: 10,
      message: "copying",
    }),
    `${AT} progress 3/10 copying`,
  );
  assert.equal(line("notifications/progress", { progress: 3 }), `${AT} progress 3`);
  assert.equal(
    line("notifications/tasks/status", { taskId: "t1", status: "working" }),
    `${AT} notifications/tasks/status {"taskId":"t1","status":"working"}`,
  );
  assert.equal(line("notifications/custom"), `${AT} notifications/custom`);
  assert.equal(line("constructor"), `${AT} constructor`);
});

Deno.test("renderNotificationLine() keeps server text with line breaks on one line", () => {
  const text = [
    line("notifications/message", { level: "warning", logger: "a\nb", data: "one\r\ntwo\rthree" }),
    line("notifications/resources/updated", { uri: "mem://x\ny" }),
    line("notifications/progress", { progress: 1, message: "a\u2028b" }),
    line("notifications/other", { text: "a\nb" }),
  ];
  assert.deepEqual(text, [
    `${AT} [warning] a⏎b: one⏎two⏎three`,
    `${AT} resource updated: mem://x⏎y`,
    `${AT} progress 1 a⏎b`,
    `${AT} notifications/other {"text":"a\\nb"}`,
  ]);
  for (const one of text) assert.ok(!/[\r\n\u2028\u2029]/.test(one));
});

Deno.test("renderNotificationLine() colours the time and the log level", () => {
  const theme = createTheme(true);
  const render = (level: string) =>
    renderNotificationLine(entry("notifications/message", { level, data: "x" }), theme);
  assert.equal(render("error"), `\u001b[2m${AT}\u001b[22m \u001b[31m[error]\u001b[39m x`);
  assert.equal(render("critical"), `\u001b[2m${AT}\u001b[22m \u001b[31m[critical]\u001b[39m x`);
  assert.equal(render("warning"), `\u001b[2m${AT}\u001b[22m \u001b[33m[warning]\u001b[39m x`);
  assert.equal(render("notice"), `\u001b[2m${AT}\u001b[22m [notice] x`);
  assert.equal(render("debug"), `\u001b[2m${AT}\u001b[22m \u001b[2m[debug]\u001b[22m x`);
});

Deno.test("renderNotifications() lists the entries oldest first", () => {
  const entries = [
    entry("notifications/tools/list_changed", undefined, "2026-03-01T12:00:02.000Z"),
    entry("notifications/message", { level: "info", data: "hi" }, "2026-03-01T12:00:01.000Z"),
  ];
  assert.equal(
    renderNotifications(entries, { sessionName: "@s", theme: plain }),
    [
      "Notifications (2):",
      "  2026-03-01T12:00:01.000Z [info] hi",
      "  2026-03-01T12:00:02.000Z tools list changed",
    ].join("\n"),
  );
});

Deno.test("renderNotifications() says none were received and how to follow them", () => {
  assert.equal(
    renderNotifications([], { sessionName: "@s", theme: plain }),
    "No notifications received yet.\nFollow new ones with `mcpc @s notifications --follow`",
  );
});

Deno.test("renderLastNotifications() lists each recorded change with its age", () => {
  const summary = {
    tools: { listChangedAt: AT },
    resources: { listChangedAt: "2026-03-01T10:00:00.000Z", updatedAt: AT },
    prompts: {},
  };
  assert.equal(
    renderLastNotifications(summary, NOW, plain),
    [
      "Notifications:",
      `* tools list changed 5m ago (${AT})`,
      "* resources list changed 2h ago (2026-03-01T10:00:00.000Z)",
      `* resources updated 5m ago (${AT})`,
    ].join("\n"),
  );
});

Deno.test("renderLastNotifications() names the resource that was updated last", () => {
  const summary = { resources: { updatedAt: AT, updatedUri: "demo://counter" } };
  assert.equal(
    renderLastNotifications(summary, NOW, plain),
    `Notifications:\n* resources updated \`demo://counter\` 5m ago (${AT})`,
  );
});

Deno.test("renderLastNotifications() returns nothing when nothing was recorded", () => {
  assert.equal(renderLastNotifications(undefined, NOW, plain), "");
  assert.equal(renderLastNotifications({}, NOW, plain), "");
  assert.equal(renderLastNotifications({ tools: {} }, NOW, plain), "");
});

Deno.test("renderLastNotifications() makes the title bold and the times dim", () => {
  const text = renderLastNotifications({ tools: { listChangedAt: AT } }, NOW, createTheme(true));
  assert.equal(
    text,
    `\u001b[1mNotifications:\u001b[22m\n* tools list changed \u001b[2m5m ago (${AT})\u001b[22m`,
  );
  assert.equal(
    stripAnsi(text),
    renderLastNotifications({ tools: { listChangedAt: AT } }, NOW, plain),
  );
});

function details(extra: Partial<ServerDetails> = {}): ServerDetails {
  return {
    sessionName: "@s",
    initialize: { capabilities: { tools: {} }, serverInfo: { name: "srv", version: "1" } },
    tools: [],
    commands: ["ping"],
    logPath: "/logs/bridge-@s.log",
    ...extra,
  };
}

const DETAILS_WITHOUT = [
  "Server: srv (version: 1)",
  "",
  "Capabilities:",
  "* tools (static)",
  "",
  "Tools (0):",
  "",
  "Available commands:",
  "* `mcpc @s ping`",
  "",
  "Session log for debugging: /logs/bridge-@s.log",
];

Deno.test("renderServerDetails() shows the notifications between tools and commands", () => {
  const text = renderServerDetails(
    details({ notifications: { summary: { tools: { listChangedAt: AT } }, now: NOW } }),
    plain,
  );
  assert.equal(
    text,
    [
      ...DETAILS_WITHOUT.slice(0, 7),
      "Notifications:",
      `* tools list changed 5m ago (${AT})`,
      "",
      ...DETAILS_WITHOUT.slice(7),
    ].join("\n"),
  );
});

Deno.test("renderServerDetails() leaves the notifications out when none were recorded", () => {
  const expected = DETAILS_WITHOUT.join("\n");
  assert.equal(renderServerDetails(details(), plain), expected);
  assert.equal(renderServerDetails(details({ notifications: { now: NOW } }), plain), expected);
  assert.equal(
    renderServerDetails(details({ notifications: { summary: { tools: {} }, now: NOW } }), plain),
    expected,
  );
});

Deno.test("renderLogLevelSet() confirms the new level in green", () => {
  assert.equal(renderLogLevelSet("debug", plain), "✓ Server log level set to: debug");
  assert.equal(
    renderLogLevelSet("debug", createTheme(true)),
    "\u001b[32m✓ Server log level set to: debug\u001b[39m",
  );
});
