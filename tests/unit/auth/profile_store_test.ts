import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type AuthProfile,
  parseProfilesFile,
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
    "mcp.example.com": {
      default: profile(),
      work: profile({ name: "work", scopes: ["read"] }),
    },
    "localhost:8080": {
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

Deno.test("ProfileStore list() returns every profile of every host", async () => {
  await withProfiles(JSON.stringify(FILE), async (store) => {
    assert.deepEqual(await store.list(), [
      FILE.profiles["mcp.example.com"].default,
      FILE.profiles["mcp.example.com"].work,
      FILE.profiles["localhost:8080"].default,
    ]);
  });
});

Deno.test("ProfileStore find() returns the profile saved for host and name", async () => {
  await withProfiles(JSON.stringify(FILE), async (store) => {
    assert.deepEqual(
      await store.find("mcp.example.com", "work"),
      FILE.profiles["mcp.example.com"].work,
    );
    assert.deepEqual(
      await store.find("localhost:8080", "default"),
      FILE.profiles["localhost:8080"].default,
    );
  });
});

Deno.test("ProfileStore find() returns undefined for an unknown host or name", async () => {
  await withProfiles(JSON.stringify(FILE), async (store) => {
    assert.equal(await store.find("other.example.com", "default"), undefined);
    assert.equal(await store.find("mcp.example.com", "missing"), undefined);
    // The port is part of the key.
    assert.equal(await store.find("localhost", "default"), undefined);
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
