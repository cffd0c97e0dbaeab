import assert from "node:assert/strict";
import { join } from "node:path";
import { McpcError } from "../../../src/errors.ts";
import { CorruptFileError, LockedJsonFile } from "../../../src/platform/locked_json_file.ts";
import { type Counter, counterStore } from "../../fixtures/store_worker.ts";
import { withDeadline } from "../../fakes/deadline.ts";
import { withSmallDisk } from "../../fixtures/small_disk.ts";

const WORKER = new URL("../../fixtures/store_worker.ts", import.meta.url).pathname;
const IS_WINDOWS = Deno.build.os === "windows";

interface Worker {
  child: Deno.ChildProcess;
  exited: boolean;
}

function spawnWorker(args: string[], stdout: "piped" | "null" = "null"): Worker {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", WORKER, ...args],
    stdin: "null",
    stdout,
    stderr: "inherit",
  }).spawn();
  const worker: Worker = { child, exited: false };
  child.status.then(() => {
    worker.exited = true;
  });
  return worker;
}

/** Kills the worker by PID unless it already exited, then waits (bounded) for its exit. */
async function stopWorker(worker: Worker): Promise<void> {
  if (!worker.exited) {
    try {
      Deno.kill(worker.child.pid, "SIGKILL");
    } catch {
      // It exited in the meantime.
    }
  }
  await withDeadline(worker.child.status, 10_000, `exit of worker ${worker.child.pid}`);
}

/** Reads the worker's stdout until a line equals `expected`; the stream is cancelled afterwards. */
async function waitForLine(worker: Worker, expected: string, ms: number): Promise<void> {
  const reader = worker.child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const readUntilLine = async () => {
    while (!buffer.split("\n").includes(expected)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`Worker exited before printing "${expected}"`);
      buffer += value;
    }
  };
  try {
    await withDeadline(readUntilLine(), ms, `"${expected}" from worker`);
  } finally {
    await reader.cancel();
  }
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "locked_json_file_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

async function modeOf(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

function recordWarnings(): { warnings: string[]; warn: (message: string) => void } {
  const warnings: string[] = [];
  return { warnings, warn: (message) => warnings.push(message) };
}

Deno.test({
  name: "update() loses no update across 8 concurrent processes doing 25 increments each",
  ignore: IS_WINDOWS,
  async fn() {
    await withTempDir(async (dir) => {
      const processes = 8;
      const iterations = 25;
      const path = join(dir, "store.json");
      const barrier = join(dir, "barrier");
      await Deno.mkdir(barrier);
      const workers: Worker[] = [];
      try {
        for (let id = 0; id < processes; id++) {
          workers.push(spawnWorker(["increment", path, String(iterations), String(id), barrier]));
        }
        const deadline = Date.now() + 60_000;
        while ((await listDir(barrier)).length < processes) {
          if (workers.some((worker) => worker.exited)) throw new Error("A worker exited early");
          if (Date.now() > deadline) throw new Error("Timed out waiting for workers to start");
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await Deno.writeTextFile(join(barrier, "go"), "");
        const statuses = await withDeadline(
          Promise.all(workers.map((worker) => worker.child.status)),
          120_000,
          "increment workers",
        );
        assert.deepEqual(statuses.map((status) => status.code), Array(processes).fill(0));

        const final = await counterStore(path).read();
        assert.equal(final.count, processes * iterations);
        assert.equal(final.entries.length, processes * iterations);
        const expected = [];
        for (let id = 0; id < processes; id++) {
          for (let i = 0; i < iterations; i++) expected.push(`${id}-${i}`);
        }
        assert.deepEqual([...final.entries].sort(), expected.sort());
      } finally {
        await Promise.all(workers.map(stopWorker));
      }
    });
  },
});

Deno.test("update() serializes concurrent updates from two instances in one process", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    const stores = [counterStore(path), counterStore(path)];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stores[i % 2].update(async (data) => {
          const seen = data.count;
          await new Promise((resolve) => setTimeout(resolve, 1));
          data.count = seen + 1;
        })),
    );
    assert.equal((await counterStore(path).read()).count, 20);
  });
});

Deno.test({
  name: "update() is not blocked by a lock holder that was killed with SIGKILL",
  ignore: IS_WINDOWS,
  async fn() {
    await withTempDir(async (dir) => {
      const path = join(dir, "store.json");
      await counterStore(path).update((data) => {
        data.count = 7;
      });
      const holder = spawnWorker(["hold", path], "piped");
      try {
        await waitForLine(holder, "locked", 30_000);
        Deno.kill(holder.child.pid, "SIGKILL");
        const status = await withDeadline(holder.child.status, 10_000, "killed holder");
        assert.equal(status.signal, "SIGKILL");

        const started = performance.now();
        const seen = await counterStore(path, { lockTimeoutMs: 10_000 }).update((data) => {
          data.count += 1;
          return structuredClone(data);
        });
        assert.ok(performance.now() - started < 2_000, "update waited for the dead holder");
        assert.deepEqual(seen, { count: 8, entries: [] });
      } finally {
        await stopWorker(holder);
      }
    });
  },
});

Deno.test({
  name: "update() fails with a usage error when another live process holds the lock",
  ignore: IS_WINDOWS,
  async fn() {
    await withTempDir(async (dir) => {
      const path = join(dir, "store.json");
      const holder = spawnWorker(["hold", path], "piped");
      try {
        await waitForLine(holder, "locked", 30_000);
        const started = performance.now();
        let called = false;
        await assert.rejects(
          counterStore(path, { lockTimeoutMs: 300 }).update(() => {
            called = true;
          }),
          (error: unknown) => {
            assert.ok(error instanceof McpcError);
            assert.equal(error.kind, "usage");
            assert.equal(error.exitCode, 1);
            assert.equal(
              error.message,
              `File is locked by another process: ${path}. Please try again.`,
            );
            return true;
          },
        );
        const elapsed = performance.now() - started;
        assert.ok(elapsed >= 250, `gave up after ${elapsed} ms, before the deadline`);
        assert.ok(elapsed < 5_000, `gave up after ${elapsed} ms, long after the deadline`);
        assert.equal(called, false);
        await assert.rejects(counterStore(path, { lockTimeoutMs: 50 }).read(), McpcError);
      } finally {
        await stopWorker(holder);
      }
    });
  },
});

Deno.test("update() moves a corrupt file aside byte for byte, warns once and starts from the default", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    const corrupt = new Uint8Array([...new TextEncoder().encode('{"count": 3, "entr'), 0xff, 0x0a]);
    await Deno.writeFile(path, corrupt);
    const { warnings, warn } = recordWarnings();

    const count = await counterStore(path, { warn }).update((data) => {
      data.count += 1;
      return data.count;
    });

    assert.equal(count, 1);
    const backups = (await listDir(dir)).filter((name) => name.startsWith("store.json.corrupt-"));
    assert.equal(backups.length, 1);
    assert.match(backups[0], /^store\.json\.corrupt-\d{8}T\d{6}Z$/);
    const backup = join(dir, backups[0]);
    assert.deepEqual(await Deno.readFile(backup), corrupt);
    assert.deepEqual(warnings, [
      `Warning: ${path} could not be parsed and was moved to ${backup}; starting with an empty store`,
    ]);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { count: 1, entries: [] });
  });
});

Deno.test("update() keeps every backup when files turn corrupt twice within one second", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    const { warnings, warn } = recordWarnings();
    const store = counterStore(path, { warn });
    await Deno.writeTextFile(path, "first");
    await store.update(() => {});
    await Deno.writeTextFile(path, "second");
    await store.update(() => {});

    const backups = (await listDir(dir)).filter((name) => name.startsWith("store.json.corrupt-"));
    assert.equal(backups.length, 2);
    const contents = await Promise.all(backups.map((name) => Deno.readTextFile(join(dir, name))));
    assert.deepEqual(contents.sort(), ["first", "second"]);
    assert.equal(warnings.length, 2);
  });
});

Deno.test("update() treats JSON with invalid UTF-8 as corrupt instead of rewriting it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    const prefix = new TextEncoder().encode('{"count": 1, "entries": ["');
    const content = new Uint8Array([...prefix, 0xff, ...new TextEncoder().encode('"]}')]);
    await Deno.writeFile(path, content);
    const { warnings, warn } = recordWarnings();

    await counterStore(path, { warn }).update(() => {});

    assert.equal(warnings.length, 1);
    const backups = (await listDir(dir)).filter((name) => name.startsWith("store.json.corrupt-"));
    assert.equal(backups.length, 1);
    assert.deepEqual(await Deno.readFile(join(dir, backups[0])), content);
  });
});

Deno.test("read() moves a corrupt file aside and returns the default value", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    await Deno.writeTextFile(path, "not json");
    const { warnings, warn } = recordWarnings();

    assert.deepEqual(await counterStore(path, { warn }).read(), { count: 0, entries: [] });
    assert.equal(warnings.length, 1);
    const backups = (await listDir(dir)).filter((name) => name.startsWith("store.json.corrupt-"));
    assert.deepEqual(backups.map((name) => Deno.readTextFileSync(join(dir, name))), ["not json"]);
  });
});

Deno.test("update() treats valid JSON of the wrong shape as corrupt", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sessions.json");
    await Deno.writeTextFile(path, '{"sessions": 5}');
    const { warnings, warn } = recordWarnings();
    const store = new LockedJsonFile<{ sessions: Record<string, unknown> }>(path, {
      defaultValue: () => ({ sessions: {} }),
      parse: (raw) => {
        const sessions = (raw as { sessions?: unknown } | null)?.sessions;
        if (typeof sessions !== "object" || sessions === null) {
          throw new TypeError('Expected an object in "sessions"');
        }
        return { sessions: sessions as Record<string, unknown> };
      },
      warn,
    });

    await store.update((data) => {
      data.sessions["@a"] = { name: "@a" };
    });

    assert.equal(warnings.length, 1);
    const backups = (await listDir(dir)).filter((name) =>
      name.startsWith("sessions.json.corrupt-")
    );
    assert.equal(backups.length, 1);
    assert.equal(await Deno.readTextFile(join(dir, backups[0])), '{"sessions": 5}');
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), {
      sessions: { "@a": { name: "@a" } },
    });
  });
});

Deno.test("update() propagates a parse error that is not a TypeError or SyntaxError and keeps the file", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    await Deno.writeTextFile(path, "{}");
    const { warnings, warn } = recordWarnings();
    const store = new LockedJsonFile<unknown>(path, {
      defaultValue: () => ({}),
      parse: () => {
        throw new RangeError("bug in parse");
      },
      warn,
    });

    await assert.rejects(store.update(() => {}), RangeError);
    assert.deepEqual(await listDir(dir), ["store.json", "store.json.flock"]);
    assert.equal(await Deno.readTextFile(path), "{}");
    assert.deepEqual(warnings, []);
  });
});

Deno.test({
  name: "update() creates missing directories with mode 0700 and the file with mode 0600",
  ignore: IS_WINDOWS,
  async fn() {
    await withTempDir(async (dir) => {
      await Deno.chmod(dir, 0o755);
      const path = join(dir, "a", "b", "store.json");
      await counterStore(path).update((data) => {
        data.count = 1;
      });
      assert.equal(await modeOf(dir), 0o755, "an existing directory was chmod-ed");
      assert.equal(await modeOf(join(dir, "a")), 0o700);
      assert.equal(await modeOf(join(dir, "a", "b")), 0o700);
      assert.equal(await modeOf(path), 0o600);
      assert.equal(await modeOf(`${path}.flock`), 0o600);
    });
  },
});

Deno.test({
  name: "update() sets modes 0700 and 0600 explicitly even under a restrictive umask",
  ignore: IS_WINDOWS,
  async fn() {
    await withTempDir(async (dir) => {
      const path = join(dir, "a", "b", "store.json");
      // Under umask 0277 mkdir(0700) yields 0500, so "b" cannot be created without a chmod.
      const worker = spawnWorker(["umask-write", path, "277"]);
      try {
        const status = await withDeadline(worker.child.status, 30_000, "umask worker");
        assert.equal(status.code, 0);
      } finally {
        await stopWorker(worker);
      }
      assert.equal(await modeOf(join(dir, "a")), 0o700);
      assert.equal(await modeOf(join(dir, "a", "b")), 0o700);
      assert.equal(await modeOf(path), 0o600);
      assert.equal((await counterStore(path).read()).count, 1);
    });
  },
});

Deno.test({
  name: "update() replaces an existing file with mode 0644 by one with mode 0600",
  ignore: IS_WINDOWS,
  async fn() {
    await withTempDir(async (dir) => {
      const path = join(dir, "store.json");
      await Deno.writeTextFile(path, '{"count": 0, "entries": []}', { mode: 0o644 });
      await Deno.chmod(path, 0o644);
      await counterStore(path).update((data) => {
        data.count = 2;
      });
      assert.equal(await modeOf(path), 0o600);
    });
  },
});

Deno.test("update() writes 2-space JSON with a trailing newline and leaves no temp files", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    const store = counterStore(path);
    for (let i = 0; i < 5; i++) {
      await store.update((data) => {
        data.count += 1;
        data.entries.push(`e${i}`);
      });
    }
    const expected: Counter = { count: 5, entries: ["e0", "e1", "e2", "e3", "e4"] };
    assert.equal(await Deno.readTextFile(path), `${JSON.stringify(expected, null, 2)}\n`);
    assert.deepEqual(await listDir(dir), ["store.json", "store.json.flock"]);
  });
});

Deno.test("update() does not rewrite the file when the data did not change", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    // Same JSON, different formatting: rewriting would normalize it.
    const original = '{"count":4,"entries":["x"]}';
    await Deno.writeTextFile(path, original);
    const before = await Deno.stat(path);

    const result = await counterStore(path).update((data) => {
      data.count = 4;
      return "unchanged";
    });

    const after = await Deno.stat(path);
    assert.equal(result, "unchanged");
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
    assert.equal(await Deno.readTextFile(path), original);
  });
});

Deno.test("update() rewrites the file through a new inode when the data changed", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    await Deno.writeTextFile(path, '{"count":4,"entries":["x"]}');
    const before = await Deno.stat(path);

    await counterStore(path).update((data) => {
      data.entries.push("y");
    });

    assert.notEqual((await Deno.stat(path)).ino, before.ino);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { count: 4, entries: ["x", "y"] });
  });
});

Deno.test("update() writes the default value when the file did not exist, even without changes", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    await counterStore(path).update(() => {});
    assert.equal(await Deno.readTextFile(path), '{\n  "count": 0,\n  "entries": []\n}\n');
  });
});

Deno.test("read() returns the default value for a missing file and creates the file", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    assert.deepEqual(await counterStore(path).read(), { count: 0, entries: [] });
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { count: 0, entries: [] });
  });
});

Deno.test("read() returns the parsed value without rewriting an existing file", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    await Deno.writeTextFile(path, '{"count":9,"entries":["a"]}');
    const before = await Deno.stat(path);
    assert.deepEqual(await counterStore(path).read(), { count: 9, entries: ["a"] });
    assert.equal((await Deno.stat(path)).ino, before.ino);
  });
});

Deno.test("update() writes nothing and releases the lock when fn throws", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    await Deno.writeTextFile(path, '{"count":1,"entries":[]}');
    await assert.rejects(
      counterStore(path).update((data) => {
        data.count = 100;
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await Deno.readTextFile(path), '{"count":1,"entries":[]}');
    const count = await counterStore(path, { lockTimeoutMs: 100 }).update((data) => data.count);
    assert.equal(count, 1);
  });
});

Deno.test("update() keeps the sidecar lock file after releasing the lock", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store.json");
    await counterStore(path).update((data) => {
      data.count = 1;
    });
    assert.ok((await Deno.stat(`${path}.flock`)).isFile);
    const lock = await Deno.open(`${path}.flock`, { read: true, write: true });
    try {
      assert.equal(await lock.tryLock(true), true, "the lock was not released");
    } finally {
      lock.close();
    }
  });
});

Deno.test("LockedJsonFile with onCorrupt: throw leaves a corrupt file untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/state.json`;
    await Deno.writeTextFile(path, "{not json");
    const warnings: string[] = [];
    const file = new LockedJsonFile<{ n: number }>(path, {
      defaultValue: () => ({ n: 0 }),
      parse: (raw) => raw as { n: number },
      warn: (message) => warnings.push(message),
      onCorrupt: "throw",
    });
    await assert.rejects(() => file.update((data) => void (data.n = 1)), CorruptFileError);
    await assert.rejects(() => file.read(), CorruptFileError);
    assert.equal(await Deno.readTextFile(path), "{not json");
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) =>
        name.includes("corrupt")
      ),
      [],
    );
    assert.deepEqual(warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// A home shared with the original mcpc (proper-lockfile makes `<file>.lock` a directory).

function numberFile(path: string, lockTimeoutMs = 10_000): LockedJsonFile<{ n: number }> {
  return new LockedJsonFile(path, {
    defaultValue: () => ({ n: 0 }),
    parse: (raw) => raw as { n: number },
    lockTimeoutMs,
  });
}

Deno.test("LockedJsonFile never creates <file>.lock, the original mcpc's lock path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sessions.json");
    await numberFile(path).update((data) => void (data.n = 1));
    await assert.rejects(Deno.lstat(`${path}.lock`), Deno.errors.NotFound);
    assert.ok((await Deno.lstat(`${path}.flock`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LockedJsonFile waits while the original mcpc's lock directory is fresh", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sessions.json");
    await Deno.mkdir(`${path}.lock`);
    const started = Date.now();
    setTimeout(() => Deno.removeSync(`${path}.lock`), 400);
    await numberFile(path).update((data) => void (data.n = 2));
    assert.ok(Date.now() - started >= 350, "it waited for the original to release its lock");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LockedJsonFile ignores a stale lock directory of the original (over 10 s old)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sessions.json");
    await Deno.mkdir(`${path}.lock`);
    const old = new Date(Date.now() - 11_000);
    await Deno.utime(`${path}.lock`, old, old);
    const started = Date.now();
    await numberFile(path).update((data) => void (data.n = 3));
    assert.ok(Date.now() - started < 1_000);
    assert.ok((await Deno.lstat(`${path}.lock`)).isDirectory, "it is left for its owner");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LockedJsonFile gives up with the lock message when the original holds it too long", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sessions.json");
    await Deno.mkdir(`${path}.lock`);
    await assert.rejects(
      numberFile(path, 300).read(),
      (error: unknown) =>
        error instanceof McpcError && error.message.startsWith("File is locked by another process"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LockedJsonFile removes a regular <file>.lock left by an earlier mcpc of ours", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sessions.json");
    await Deno.writeTextFile(`${path}.lock`, "");
    await numberFile(path).read();
    await assert.rejects(Deno.lstat(`${path}.lock`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "update() on a full disk names the file, keeps its content and leaves no temp file",
  async fn() {
    await withTempDir((dir) =>
      withSmallDisk(dir, "256k", async (disk) => {
        const path = join(dir, "store.json");
        const store = counterStore(path);
        await store.update((data) => {
          data.count = 1;
        });
        const before = await Deno.readTextFile(path);
        await disk.fill();
        await assert.rejects(
          store.update((data) => {
            data.count = 2;
            data.entries.push("x".repeat(10_000));
          }),
          (error: unknown) => {
            assert.ok(error instanceof McpcError);
            assert.equal(error.kind, "usage");
            assert.equal(
              error.message,
              `Cannot write ${path}: No space left on device (os error 28)`,
            );
            return true;
          },
        );
        assert.equal(await Deno.readTextFile(path), before);
        assert.deepEqual(await listDir(dir), [".fill", "store.json", "store.json.flock"]);
        // The lock was released: once there is room again, the next update goes through.
        await disk.free();
        await store.update((data) => {
          data.count = 3;
        });
        assert.equal(JSON.parse(await Deno.readTextFile(path)).count, 3);
      })
    );
  },
});
