import assert from "node:assert/strict";
import { join } from "node:path";
import { CorruptFileError } from "../../../src/platform/locked_json_file.ts";
import { parseSessionsFile, SessionStore } from "../../../src/session/session_store.ts";
import { sessionRecord } from "../../fakes/session_records.ts";

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "session_store_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await Deno.readTextFile(path));
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

// parseSessionsFile

for (const raw of [null, 42, "text", [], [{ sessions: {} }]]) {
  Deno.test(`parseSessionsFile() throws TypeError for ${JSON.stringify(raw)}`, () => {
    assert.throws(() => parseSessionsFile(raw), TypeError);
  });
}

for (const sessions of [undefined, null, [], "x", 3]) {
  Deno.test(`parseSessionsFile() throws TypeError when sessions is ${JSON.stringify(sessions)}`, () => {
    assert.throws(() => parseSessionsFile({ sessions }), TypeError);
  });
}

Deno.test("parseSessionsFile() drops records that are null or not objects", () => {
  const parsed = parseSessionsFile({
    sessions: { "@a": null, "@b": "text", "@c": 7, "@d": sessionRecord({ name: "@d" }) },
  });
  assert.deepEqual(Object.keys(parsed.sessions), ["@d"]);
});

Deno.test("parseSessionsFile() forces each record's name to its key", () => {
  const parsed = parseSessionsFile({
    sessions: { "@key": sessionRecord({ name: "@other" }), "@nameless": { status: "active" } },
  });
  assert.equal(parsed.sessions["@key"].name, "@key");
  assert.equal(parsed.sessions["@nameless"].name, "@nameless");
});

Deno.test("parseSessionsFile() keeps legacy records without a server", () => {
  const legacy = { status: "crashed", createdAt: "2024-01-01T00:00:00.000Z" };
  const parsed = parseSessionsFile({ sessions: { "@old": legacy } });
  assert.deepEqual(parsed.sessions["@old"], { ...legacy, name: "@old" });
});

Deno.test("parseSessionsFile() keeps other top-level keys", () => {
  const parsed = parseSessionsFile({ sessions: {}, version: 2 });
  assert.deepEqual(parsed, { sessions: {}, version: 2 });
});

Deno.test("parseSessionsFile() does not modify its input", () => {
  const raw = { sessions: { "@a": { name: "@b", status: "active" } } };
  parseSessionsFile(raw);
  assert.equal(raw.sessions["@a"].name, "@b");
});

// SessionStore

Deno.test("SessionStore get() returns undefined when the file is missing", async () => {
  await withTempDir(async (dir) => {
    const store = new SessionStore(join(dir, "sessions.json"));
    assert.equal(await store.get("@s"), undefined);
    assert.deepEqual(await store.readAll(), {});
  });
});

Deno.test("SessionStore update() writes records that get() reads back", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sessions.json");
    const store = new SessionStore(path);
    const record = sessionRecord();
    const result = await store.update((sessions) => {
      sessions["@s"] = record;
      return "done";
    });
    assert.equal(result, "done");
    assert.deepEqual(await store.get("@s"), record);
    assert.deepEqual(await readJson(path), { sessions: { "@s": record } });
    // A second store over the same file sees the record.
    assert.deepEqual(await new SessionStore(path).get("@s"), record);
  });
});

Deno.test("SessionStore patch() changes one record and returns it", async () => {
  await withTempDir(async (dir) => {
    const store = new SessionStore(join(dir, "sessions.json"));
    await store.update((sessions) => {
      sessions["@s"] = sessionRecord();
      sessions["@t"] = sessionRecord({ name: "@t" });
    });
    const patched = await store.patch("@s", (record) => {
      record.status = "expired";
      record.pid = 99;
    });
    assert.equal(patched?.status, "expired");
    assert.equal(patched?.pid, 99);
    assert.deepEqual(await store.get("@s"), patched);
    assert.deepEqual(await store.get("@t"), sessionRecord({ name: "@t" }));
  });
});

Deno.test("SessionStore patch() of a missing record returns undefined and creates nothing", async () => {
  await withTempDir(async (dir) => {
    const store = new SessionStore(join(dir, "sessions.json"));
    await store.update((sessions) => {
      sessions["@s"] = sessionRecord();
    });
    let called = false;
    const patched = await store.patch("@missing", () => {
      called = true;
    });
    assert.equal(patched, undefined);
    assert.equal(called, false);
    assert.deepEqual(Object.keys(await store.readAll()), ["@s"]);
  });
});

Deno.test("SessionStore delete() removes a record and says whether it existed", async () => {
  await withTempDir(async (dir) => {
    const store = new SessionStore(join(dir, "sessions.json"));
    await store.update((sessions) => {
      sessions["@s"] = sessionRecord();
    });
    assert.equal(await store.delete("@s"), true);
    assert.equal(await store.get("@s"), undefined);
    assert.equal(await store.delete("@s"), false);
  });
});

Deno.test("SessionStore with corruptThrows leaves a corrupt file alone and throws", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sessions.json");
    await Deno.writeTextFile(path, "{not json");
    const warnings: string[] = [];
    const store = new SessionStore(path, {
      corruptThrows: true,
      warn: (message) => warnings.push(message),
    });
    await assert.rejects(store.get("@s"), CorruptFileError);
    await assert.rejects(store.patch("@s", () => {}), CorruptFileError);
    assert.equal(await Deno.readTextFile(path), "{not json");
    assert.deepEqual(await listDir(dir), ["sessions.json", "sessions.json.flock"]);
    assert.deepEqual(warnings, []);
  });
});

Deno.test("SessionStore with corruptThrows also throws on a wrong shape", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sessions.json");
    await Deno.writeTextFile(path, '{"sessions": []}');
    const store = new SessionStore(path, { corruptThrows: true });
    await assert.rejects(store.readAll(), CorruptFileError);
    assert.equal(await Deno.readTextFile(path), '{"sessions": []}');
  });
});

Deno.test("SessionStore moves a corrupt file aside by default and starts empty", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sessions.json");
    await Deno.writeTextFile(path, "{not json");
    const warnings: string[] = [];
    const store = new SessionStore(path, { warn: (message) => warnings.push(message) });
    assert.deepEqual(await store.readAll(), {});
    assert.equal(warnings.length, 1);
    const backups = (await listDir(dir)).filter((name) =>
      name.startsWith("sessions.json.corrupt-")
    );
    assert.equal(backups.length, 1);
    assert.ok(warnings[0].includes(backups[0]), warnings[0]);
    assert.equal(await Deno.readTextFile(join(dir, backups[0])), "{not json");
    assert.deepEqual(await readJson(path), { sessions: {} });
  });
});
