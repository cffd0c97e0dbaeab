import assert from "node:assert/strict";
import { join } from "node:path";
import { McpcError } from "../../../src/errors.ts";
import {
  loadConfigEntry,
  type LoadConfigEntryOptions,
  MAX_CONFIG_BYTES,
} from "../../../src/config/load_config.ts";

const SERVERS = JSON.stringify({
  mcpServers: {
    web: { url: "localhost:${PORT}/mcp", headers: { Authorization: "Bearer ${TOKEN}" } },
    local: { command: "node", args: ["server.js"] },
  },
});

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mcpc_load_config_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function optionsFor(
  cwd: string,
  env: Record<string, string>,
): LoadConfigEntryOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    cwd,
    env: (name) => Object.hasOwn(env, name) ? env[name] : undefined,
    warn: (message) => warnings.push(message),
    warnings,
  };
}

async function assertUsageRejects(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof McpcError);
    assert.equal(error.kind, "usage");
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("loadConfigEntry() resolves a relative path against cwd", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, "sub", "mcp.json"), SERVERS);
    const result = await loadConfigEntry("sub/mcp.json", "local", optionsFor(dir, {}));
    assert.deepEqual(result, { command: "node", args: ["server.js"] });
  });
});

Deno.test("loadConfigEntry() reads an absolute path regardless of cwd", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "mcp.json");
    await Deno.writeTextFile(file, SERVERS);
    const result = await loadConfigEntry(file, "local", optionsFor("/nonexistent", {}));
    assert.deepEqual(result, { command: "node", args: ["server.js"] });
  });
});

Deno.test("loadConfigEntry() expands a leading ~/ with HOME", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, ".vscode"));
    await Deno.writeTextFile(join(dir, ".vscode", "mcp.json"), SERVERS);
    const options = optionsFor("/nonexistent", { HOME: dir });
    const result = await loadConfigEntry("~/.vscode/mcp.json", "local", options);
    assert.deepEqual(result, { command: "node", args: ["server.js"] });
  });
});

Deno.test("loadConfigEntry() substitutes variables from env and warns about unknown ones", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "mcp.json"), SERVERS);
    const options = optionsFor(dir, { PORT: "4000" });
    const result = await loadConfigEntry("mcp.json", "web", options);
    assert.deepEqual(result, {
      url: "http://localhost:4000/mcp",
      headers: { Authorization: "Bearer " },
    });
    assert.deepEqual(options.warnings, [
      "Environment variable not found: TOKEN, using empty string",
    ]);
  });
});

Deno.test("loadConfigEntry() reports a missing file with its absolute path", async () => {
  await withTempDir(async (dir) => {
    await assertUsageRejects(
      loadConfigEntry("./missing.json", "x", optionsFor(dir, {})),
      `Config file not found: ${join(dir, "missing.json")}`,
    );
  });
});

Deno.test("loadConfigEntry() reports a file it cannot read with its absolute path", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "folder.json"));
    await assert.rejects(
      loadConfigEntry("folder.json", "x", optionsFor(dir, {})),
      (error: unknown) => {
        assert.ok(error instanceof McpcError);
        assert.equal(error.kind, "usage");
        assert.ok(
          error.message.startsWith(`Cannot read config file: ${join(dir, "folder.json")}\n`),
        );
        return true;
      },
    );
  });
});

Deno.test("loadConfigEntry() names the absolute path when the JSON is invalid", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "bad.json"), "{ nope");
    await assert.rejects(
      loadConfigEntry("bad.json", "x", optionsFor(dir, {})),
      (error: unknown) => {
        assert.ok(error instanceof McpcError);
        assert.ok(
          error.message.startsWith(`Invalid JSON in config file: ${join(dir, "bad.json")}\n`),
        );
        return true;
      },
    );
  });
});

Deno.test("loadConfigEntry() names the absolute path when the entry is invalid", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "mcp.json"), '{"mcpServers": {"s": {}}}');
    await assertUsageRejects(
      loadConfigEntry("mcp.json", "s", optionsFor(dir, {})),
      `Invalid config for server "s" in ${join(dir, "mcp.json")}: missing "url" or "command"`,
    );
  });
});

Deno.test("loadConfigEntry() reports an entry that is not in the file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "mcp.json"), SERVERS);
    await assertUsageRejects(
      loadConfigEntry("mcp.json", "nope", optionsFor(dir, {})),
      'Server "nope" not found in config file.\nAvailable servers: web, local',
    );
  });
});

/** Settles `promise`, failing instead of waiting past `ms` (a read that blocks must not hang the test). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function assertCannotRead(promise: Promise<unknown>, path: string, detail: RegExp) {
  await assert.rejects(within(promise, 5_000), (error: unknown) => {
    assert.ok(error instanceof McpcError, String(error));
    assert.equal(error.kind, "usage");
    assert.ok(error.message.startsWith(`Cannot read config file: ${path}\n`), error.message);
    assert.match(error.message, detail);
    return true;
  });
}

Deno.test("loadConfigEntry() refuses a file over 16 MiB before reading it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "huge.json");
    // A sparse file: 16 MiB + 1 byte long, but nothing to read first.
    const file = await Deno.open(path, { write: true, create: true });
    await file.truncate(MAX_CONFIG_BYTES + 1);
    file.close();
    await assertCannotRead(
      loadConfigEntry(path, "x", optionsFor(dir, {})),
      path,
      /^It is 16777217 bytes, over the 16 MiB limit for config files$/m,
    );
  });
});

Deno.test("loadConfigEntry() reads a file of exactly 16 MiB", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "big.json");
    await Deno.writeTextFile(path, SERVERS.padEnd(MAX_CONFIG_BYTES, " "));
    const result = await loadConfigEntry(path, "local", optionsFor(dir, {}));
    assert.deepEqual(result, { command: "node", args: ["server.js"] });
  });
});

Deno.test("loadConfigEntry() refuses a device such as /dev/zero without reading it", async () => {
  await assertCannotRead(
    loadConfigEntry("/dev/zero", "x", optionsFor("/", {})),
    "/dev/zero",
    /not a regular file/,
  );
});

Deno.test("loadConfigEntry() refuses a symlink to a device", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "zero.json");
    await Deno.symlink("/dev/zero", path);
    await assertCannotRead(loadConfigEntry(path, "x", optionsFor(dir, {})), path, /regular file/);
  });
});

Deno.test("loadConfigEntry() refuses a FIFO instead of blocking on it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "fifo.json");
    const made = await new Deno.Command("mkfifo", { args: [path] }).output();
    assert.equal(made.code, 0, "mkfifo works here");
    await assertCannotRead(loadConfigEntry(path, "x", optionsFor(dir, {})), path, /regular file/);
  });
});
