import assert from "node:assert/strict";
import {
  type ProfileSummary,
  renderSessionList,
  sessionLine,
  type SessionListEntry,
  sessionTarget,
} from "../../../../src/render/human/sessions.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";
import type { DisplayStatus, SessionRecord } from "../../../../src/session/session.ts";

const plain = createTheme(false);
const NOW = Date.parse("2025-06-01T12:00:00Z");

function ago(ms: number): string {
  return new Date(NOW - ms).toISOString();
}

function record(name: string, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    name,
    server: { url: "https://mcp.example.com" },
    status: "active",
    createdAt: ago(3_600_000),
    ...extra,
  };
}

function entry(
  name: string,
  status: DisplayStatus,
  extra: Partial<SessionRecord> = {},
): SessionListEntry {
  return { record: record(name, extra), status };
}

const NO_PROFILES_TAIL = "\n\nNo OAuth profiles.";

Deno.test("sessionTarget() joins a stdio command with its arguments", () => {
  assert.equal(
    sessionTarget({ command: "npx", args: ["-y", "server", "/tmp"] }),
    "npx -y server /tmp",
  );
  assert.equal(sessionTarget({ command: "server" }), "server");
  assert.equal(sessionTarget(undefined), "");
});

Deno.test("sessionLine() shows the OAuth profile and proxy of an HTTP session", () => {
  const line = sessionLine(
    { ...record("@a", { profileName: "default" }), proxy: { host: "127.0.0.1", port: 8080 } },
    plain,
  );
  assert.equal(line, "@a → https://mcp.example.com (OAuth: default) [proxy: 127.0.0.1:8080]");
});

Deno.test("sessionLine() omits the OAuth profile for a stdio session", () => {
  const line = sessionLine(
    { name: "@b", server: { command: "node", args: ["s.js"] }, profileName: "default" },
    plain,
  );
  assert.equal(line, "@b → node s.js");
});

Deno.test("sessionLine() keeps a target of 83 chars and cuts a longer one to 80 plus …", () => {
  const base = "https://mcp.example.com/";
  const exact = base + "a".repeat(83 - base.length);
  assert.equal(sessionLine({ name: "@a", server: { url: exact } }, plain), `@a → ${exact}`);
  const long = exact + "b";
  assert.equal(
    sessionLine({ name: "@a", server: { url: long } }, plain),
    `@a → ${long.slice(0, 80)}…`,
  );
});

Deno.test("renderSessionList() shows both empty states", () => {
  assert.equal(
    renderSessionList([], [], { theme: plain, now: NOW }),
    "No active MCP sessions.\n  ↳ run: mcpc connect mcp.example.com @test" + NO_PROFILES_TAIL,
  );
});

Deno.test("renderSessionList() shows dots, time-ago suffixes and recovery hints", () => {
  const entries = [
    entry("@live", "live", { profileName: "default", lastSeenAt: ago(10_000) }),
    entry("@stale", "live", { lastSeenAt: ago(6 * 60_000) }),
    entry("@conn", "connecting"),
    entry("@disc", "disconnected", { lastSeenAt: ago(2 * 60_000) }),
    entry("@crash", "crashed", { lastSeenAt: ago(3 * 3_600_000) }),
    entry("@auth", "unauthorized", { lastSeenAt: ago(30_000) }),
    entry("@exp", "expired", { server: { url: "http://localhost:1" }, lastSeenAt: ago(0) }),
  ];
  assert.equal(
    renderSessionList(entries, [], { theme: plain, now: NOW }),
    [
      "MCP sessions:",
      "  @live → https://mcp.example.com (OAuth: default) ● live",
      "  @stale → https://mcp.example.com ● live, 6m ago",
      "  @conn → https://mcp.example.com ● connecting",
      "  @disc → https://mcp.example.com ● disconnected, 2m ago",
      "  @crash → https://mcp.example.com ○ crashed, 3h ago",
      "    ↳ run: mcpc @crash",
      "  @auth → https://mcp.example.com ○ unauthorized, just now",
      '    ↳ run: mcpc connect https://mcp.example.com @auth -H "Authorization: Bearer <token>"',
      "  @exp → http://localhost:1 ○ expired, just now",
      "    ↳ run: mcpc @exp restart",
    ].join("\n") + NO_PROFILES_TAIL,
  );
});

Deno.test("renderSessionList() lists profiles by endpoint with email, else user name, and login/refresh times", () => {
  const profiles: ProfileSummary[] = [
    {
      name: "default",
      serverUrl: "https://mcp.apify.com",
      userEmail: "user@example.com",
      userName: "User",
      createdAt: ago(30 * 86_400_000),
      refreshedAt: ago(2 * 3_600_000),
    },
    {
      name: "work",
      serverUrl: "http://localhost:8080/mcp",
      userName: "Jane",
      createdAt: ago(86_400_000),
    },
    { name: "bare", serverUrl: "https://mcp.example.com/mcp", createdAt: ago(0) },
    {
      name: "two",
      serverUrl: "https://mcp.example.com/other/",
      createdAt: ago(9 * 86_400_000),
      authenticatedAt: ago(3 * 86_400_000),
      refreshedAt: ago(5 * 60_000),
    },
  ];
  const text = renderSessionList([], profiles, { theme: plain, now: NOW });
  assert.equal(
    text.split("\n\n")[1],
    [
      "Saved OAuth profiles:",
      "  mcp.apify.com / default (user@example.com), refreshed 2h ago",
      "  localhost:8080/mcp / work (Jane), logged in yesterday",
      "  mcp.example.com/mcp / bare, logged in just now",
      "  mcp.example.com/other / two, logged in 3 days ago, refreshed 5m ago",
    ].join("\n"),
  );
});

Deno.test("renderSessionList() colours dots by status when colours are on", () => {
  const theme = createTheme(true);
  const text = renderSessionList(
    [entry("@a", "live"), entry("@b", "crashed"), entry("@c", "expired")],
    [],
    { theme, now: NOW },
  );
  assert.ok(text.includes("\u001b[32m● live\u001b[39m"));
  assert.ok(text.includes("\u001b[33m○ crashed\u001b[39m"));
  assert.ok(text.includes("\u001b[31m○ expired\u001b[39m"));
  assert.ok(text.includes("\u001b[1mMCP sessions:\u001b[22m"));
  assert.equal(
    stripAnsi(text),
    renderSessionList(
      [entry("@a", "live"), entry("@b", "crashed"), entry("@c", "expired")],
      [],
      { theme: plain, now: NOW },
    ),
  );
});
