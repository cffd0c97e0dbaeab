import assert from "node:assert/strict";
import { join } from "node:path";
import { findExecutable, runTool, ToolTimeoutError } from "../../../src/platform/run_tool.ts";
import { isProcessRunning } from "../../../src/platform/process.ts";
import { withDeadline } from "../../fakes/deadline.ts";

const IS_WINDOWS = Deno.build.os === "windows";
const ENV = { PATH: "/usr/bin:/bin" };
/** Bound on every wait in this file. */
const WAIT_MS = 10_000;

function sh(script: string, stdin?: string, options: { timeoutMs?: number } = {}) {
  return runTool("/bin/sh", ["-c", script], {
    env: ENV,
    stdin: stdin === undefined ? undefined : new TextEncoder().encode(stdin),
    timeoutMs: options.timeoutMs ?? WAIT_MS,
  });
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "run_tool_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function killQuietly(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

Deno.test({
  name: "runTool() returns the exit code, stdout and trimmed stderr",
  ignore: IS_WINDOWS,
  fn: async () => {
    const result = await sh("printf 'out'; echo ' err ' >&2; exit 3");
    assert.equal(result.code, 3);
    assert.equal(new TextDecoder().decode(result.stdout), "out");
    assert.equal(result.stderr, "err");
  },
});

Deno.test({
  name: "runTool() writes stdin to the child and closes it",
  ignore: IS_WINDOWS,
  fn: async () => {
    const result = await sh("cat", "héllo\nwörld");
    assert.equal(new TextDecoder().decode(result.stdout), "héllo\nwörld");
  },
});

Deno.test({
  name: "runTool() gives the child only the environment it was given",
  ignore: IS_WINDOWS,
  fn: async () => {
    const result = await runTool("/usr/bin/env", [], {
      env: { ONLY: "this" },
      timeoutMs: WAIT_MS,
    });
    assert.equal(new TextDecoder().decode(result.stdout), "ONLY=this\n");
  },
});

Deno.test({
  name: "runTool() kills a child that outlives the timeout by its PID",
  ignore: IS_WINDOWS,
  fn: async () => {
    await withTempDir(async (dir) => {
      const pidFile = join(dir, "pid");
      const started = Date.now();
      await assert.rejects(
        withDeadline(
          sh(`echo $$ > ${pidFile}; exec sleep 30`, undefined, { timeoutMs: 300 }),
          WAIT_MS,
          "runTool",
        ),
        (error: unknown) =>
          error instanceof ToolTimeoutError && /within 300 ms/.test(error.message),
      );
      assert.ok(Date.now() - started < 5_000, "it returned soon after the timeout");
      const pid = Number(await Deno.readTextFile(pidFile));
      assert.equal(isProcessRunning(pid), false, "the child is gone");
    });
  },
});

Deno.test({
  name: "runTool() returns on timeout even when a grandchild keeps the pipes open",
  ignore: IS_WINDOWS,
  fn: async () => {
    await withTempDir(async (dir) => {
      const pidFile = join(dir, "grandchild");
      try {
        await assert.rejects(
          withDeadline(
            sh(`sleep 30 & echo $! > ${pidFile}; wait`, undefined, { timeoutMs: 300 }),
            WAIT_MS,
            "runTool",
          ),
          ToolTimeoutError,
        );
      } finally {
        killQuietly(Number(await Deno.readTextFile(pidFile)));
      }
    });
  },
});

Deno.test({
  name: "runTool() rejects output over the limit",
  ignore: IS_WINDOWS,
  fn: async () => {
    await assert.rejects(
      runTool("/bin/sh", ["-c", "head -c 5000 /dev/zero"], {
        env: ENV,
        timeoutMs: WAIT_MS,
        outputLimit: 1000,
      }),
      (error: unknown) => error instanceof RangeError && /more than 1000 bytes/.test(error.message),
    );
  },
});

Deno.test("runTool() throws NotFound for a program that does not exist", async () => {
  await assert.rejects(
    runTool("/nonexistent/program", [], { env: ENV, timeoutMs: WAIT_MS }),
    Deno.errors.NotFound,
  );
});

Deno.test({
  name: "findExecutable() returns the first executable of that name on the path",
  ignore: IS_WINDOWS,
  fn: async () => {
    await withTempDir(async (dir) => {
      for (const name of ["a", "b", "c"]) await Deno.mkdir(join(dir, name));
      await Deno.writeTextFile(join(dir, "a", "tool"), "not executable");
      await Deno.writeTextFile(join(dir, "b", "tool"), "#!/bin/sh\n", { mode: 0o755 });
      await Deno.chmod(join(dir, "b", "tool"), 0o755);
      await Deno.writeTextFile(join(dir, "c", "tool"), "#!/bin/sh\n", { mode: 0o755 });
      const path = ["", join(dir, "a"), join(dir, "b/"), join(dir, "c")].join(":");
      assert.equal(await findExecutable("tool", path), join(dir, "b", "tool"));
      assert.equal(await findExecutable("missing", path), undefined);
      assert.equal(await findExecutable("tool", undefined), undefined);
      assert.equal(await findExecutable("/abs/tool", path), "/abs/tool");
    });
  },
});
