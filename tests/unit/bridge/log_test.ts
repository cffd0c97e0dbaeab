import assert from "node:assert/strict";
import { LOG_KEPT_FILES, LOG_MAX_BYTES } from "../../../src/bridge/log.ts";

const WRITER = new URL("../../fixtures/log_writer.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

async function writeLog(path: string, count: number, size: number, maxBytes: number) {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      CONFIG,
      "--allow-all",
      WRITER,
      path,
      String(count),
      String(size),
      String(maxBytes),
    ],
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

Deno.test("bridge log rotates at the size limit and keeps 5 old files, all 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/logs/bridge-@t.log`;
    // 40 lines of ~1 KiB with a 4 KiB limit: far more rotations than files kept.
    await writeLog(path, 40, 1000, 4096);
    const names = [...Deno.readDirSync(`${dir}/logs`)].map((entry) => entry.name).sort();
    assert.deepEqual(names, [
      "bridge-@t.log",
      "bridge-@t.log.1",
      "bridge-@t.log.2",
      "bridge-@t.log.3",
      "bridge-@t.log.4",
      "bridge-@t.log.5",
    ]);
    for (const name of names) {
      const info = await Deno.stat(`${dir}/logs/${name}`);
      assert.equal(info.mode! & 0o777, 0o600, name);
      assert.ok(info.size <= 4096, `${name} is within the limit`);
    }
    assert.equal((await Deno.stat(`${dir}/logs`)).mode! & 0o777, 0o700);
    const newest = await Deno.readTextFile(path);
    assert.match(newest, /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] \[INFO\] 39 x+$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bridge log defaults are 10 MiB and 5 kept files", () => {
  assert.equal(LOG_MAX_BYTES, 10 * 1024 * 1024);
  assert.equal(LOG_KEPT_FILES, 5);
});

Deno.test("bridge log text is never parsed for placeholders", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bridge-@t.log`;
    const script = `import { openBridgeLog } from "${
      new URL("../../../src/bridge/log.ts", import.meta.url).href
    }";
const log = await openBridgeLog(${JSON.stringify(path)}, "@t");
log.info('{"value": {x}} and {0}');
await log.close();`;
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", CONFIG, script],
      signal: AbortSignal.timeout(30_000),
    }).output();
    assert.equal(code, 0);
    assert.match(await Deno.readTextFile(path), /\[INFO\] \{"value": \{x\}\} and \{0\}$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
