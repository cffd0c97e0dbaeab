import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type AuthProfile,
  parseProfilesFile,
  profileKey,
  type ProfilesFile,
  ProfileStore,
} from "../../../src/auth/profile_store.ts";

function profile(fields: Partial<AuthProfile> = {}): AuthProfile {
  return {
    name: "default",
    serverUrl: "https://mcp.example.com/mcp",
    authType: "oauth",
    createdAt: "2025-01-01T00:00:00.000Z",
    ...fields,
  };
}

const FILE: ProfilesFile = {
  profiles: {
    "https://mcp.example.com/mcp": {
      default: profile(),
      work: profile({ name: "work", scopes: ["read"] }),
    },
    "http://localhost:8080/mcp": {
      default: profile({ serverUrl: "http://localhost:8080/mcp" }),
    },
  },
};

async function withProfiles(
  content: string | undefined,
  body: (store: ProfileStore, dir: string, warnings: string[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "profile_store_test_" });
  try {
    const path = join(dir, "profiles.json");
    if (content !== undefined) await Deno.writeTextFile(path, content);
    const warnings: string[] = [];
    await body(
      new ProfileStore(path, { warn: (message) => warnings.push(message) }),
      dir,
      warnings,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("ProfileStore list() is empty when profiles.json is missing", async () => {
  await withProfiles(undefined, async (store, _dir, warnings) => {
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(warnings, []);
  });
});

Deno.test("ProfileStore list() returns every profile of every server", async () => {
  await withProfiles(JSON.stringify(FILE), async (store) => {
    assert.deepEqual(await store.list(), [
      FILE.profiles["https://mcp.example.com/mcp"].default,
      FILE.profiles["https://mcp.example.com/mcp"].work,
      FILE.profiles["http://localhost:8080/mcp"].default,
    ]);
  });
});

Deno.test("ProfileStore find() returns the profile saved for the server URL and name", async () => {
  await withProfiles(JSON.stringify(FILE), async (store) => {
    assert.deepEqual(
      await store.find("https://mcp.example.com/mcp", "work"),
      FILE.profiles["https://mcp.example.com/mcp"].work,
    );
    // Same key: case of the host, the default port and a trailing slash do not matter.
    assert.deepEqual(
      await store.find("https://MCP.example.com:443/mcp/", "work"),
      FILE.profiles["https://mcp.example.com/mcp"].work,
    );
    assert.deepEqual(
      await store.find("http://localhost:8080/mcp", "default"),
      FILE.profiles["http://localhost:8080/mcp"].default,
    );
  });
});

Deno.test("ProfileStore find() returns undefined for another endpoint, port or name", async () => {
  await withProfiles(JSON.stringify(FILE), async (store) => {
    assert.equal(await store.find("https://other.example.com/mcp", "default"), undefined);
    assert.equal(await store.find("https://mcp.example.com/mcp", "missing"), undefined);
    // Two endpoints on one host do not share profiles (the original's per-host keys did).
    assert.equal(await store.find("https://mcp.example.com/other", "default"), undefined);
    assert.equal(await store.find("https://mcp.example.com/", "default"), undefined);
    assert.equal(await store.find("http://localhost/mcp", "default"), undefined);
  });
});

Deno.test("profileKey() is origin and path without a trailing slash, query or fragment", () => {
  assert.equal(profileKey("https://Example.COM:443/a/b/?q=1#f"), "https://example.com/a/b");
  assert.equal(profileKey("http://127.0.0.1:8080/mcp"), "http://127.0.0.1:8080/mcp");
  assert.equal(profileKey("https://example.com/"), "https://example.com");
  assert.notEqual(profileKey("https://example.com/a"), profileKey("https://example.com/b"));
  assert.notEqual(profileKey("http://example.com/a"), profileKey("https://example.com/a"));
});

Deno.test("ProfileStore saveLogin() creates, then updates keeping createdAt", async () => {
  await withProfiles(undefined, async (store) => {
    const first = await store.saveLogin(
      { name: "default", serverUrl: "https://mcp.example.com/mcp", scopes: ["a"] },
      new Date("2026-01-01T00:00:00Z"),
    );
    assert.equal(first.createdAt, "2026-01-01T00:00:00.000Z");
    assert.equal(first.authenticatedAt, "2026-01-01T00:00:00.000Z");
    assert.equal(first.authType, "oauth");
    await store.noteRefresh(
      "https://mcp.example.com/mcp",
      "default",
      new Date("2026-01-02T00:00:00Z"),
      ["a", "b"],
    );
    await store.noteRequiredScopes("https://mcp.example.com/mcp", "default", ["c"]);
    const refreshed = await store.find("https://mcp.example.com/mcp", "default");
    assert.equal(refreshed?.refreshedAt, "2026-01-02T00:00:00.000Z");
    assert.deepEqual(refreshed?.scopes, ["a", "b"]);
    assert.deepEqual(refreshed?.requiredScopes, ["c"]);
    const second = await store.saveLogin(
      { name: "default", serverUrl: "https://mcp.example.com/mcp/", scopes: ["a", "c"] },
      new Date("2026-01-03T00:00:00Z"),
    );
    assert.equal(second.createdAt, "2026-01-01T00:00:00.000Z");
    assert.equal(second.authenticatedAt, "2026-01-03T00:00:00.000Z");
    assert.equal(second.refreshedAt, "2026-01-02T00:00:00.000Z");
    assert.equal(second.requiredScopes, undefined, "a login clears the scopes asked for");
    assert.equal((await store.list()).length, 1);
  });
});

Deno.test("ProfileStore delete() removes the profile and an empty server entry", async () => {
  await withProfiles(JSON.stringify(FILE), async (store, dir) => {
    assert.equal(await store.delete("https://mcp.example.com/mcp", "missing"), undefined);
    assert.equal(
      (await store.delete("https://mcp.example.com/mcp", "work"))?.name,
      "work",
    );
    assert.ok(await store.delete("http://localhost:8080/mcp", "default"));
    const saved = JSON.parse(await Deno.readTextFile(join(dir, "profiles.json")));
    assert.deepEqual(Object.keys(saved.profiles), ["https://mcp.example.com/mcp"]);
    assert.deepEqual(Object.keys(saved.profiles["https://mcp.example.com/mcp"]), ["default"]);
  });
});

for (
  const content of [
    "[]",
    "{}",
    '{"profiles": []}',
    '{"profiles": null}',
    '{"profiles": {"mcp.example.com": "x"}}',
    '{"profiles": {"mcp.example.com": []}}',
    "{oops",
  ]
) {
  Deno.test(`ProfileStore treats ${content} as corrupt: moved aside, list() empty`, async () => {
    await withProfiles(content, async (store, dir, warnings) => {
      assert.deepEqual(await store.list(), []);
      assert.equal(warnings.length, 1);
      const backups = (await listDir(dir)).filter((name) =>
        name.startsWith("profiles.json.corrupt-")
      );
      assert.equal(backups.length, 1);
      assert.equal(await Deno.readTextFile(join(dir, backups[0])), content);
      assert.deepEqual(JSON.parse(await Deno.readTextFile(join(dir, "profiles.json"))), {
        profiles: {},
      });
    });
  });
}

Deno.test("parseProfilesFile() accepts a valid document unchanged", () => {
  assert.deepEqual(parseProfilesFile(structuredClone(FILE)), FILE);
});

for (
  const raw of [null, [], "x", {}, { profiles: [] }, { profiles: { h: null } }, {
    profiles: { h: [] },
  }]
) {
  Deno.test(`parseProfilesFile() throws TypeError for ${JSON.stringify(raw)}`, () => {
    assert.throws(() => parseProfilesFile(raw), TypeError);
  });
}
