import assert from "node:assert/strict";
import { join } from "node:path";
import {
  isProcessRunning,
  spawnDetached,
  terminateProcess,
  waitForExit,
} from "../../../src/platform/process.ts";
import { withDeadline } from "../../fakes/deadline.ts";

const IS_LINUX = Deno.build.os === "linux";
/** Bound on every wait in this file. */
const WAIT_MS = 10_000;

/** A child started with `Deno.Command` whose exit the test can observe. */
interface Child {
  process: Deno.ChildProcess;
  exited: boolean;
}

function spawn(script: string, options: { stdin?: "piped"; stdout?: "piped" } = {}): Child {
  const process = new Deno.Command("/bin/sh", {
    args: ["-c", script],
    stdin: options.stdin ?? "null",
    stdout: options.stdout ?? "null",
    stderr: "null",
  }).spawn();
  const child: Child = { process, exited: false };
  process.status.then(() => child.exited = true);
  return child;
}

/** Kills the child by PID unless it exited, then waits (bounded) for its status. */
async function stop(child: Child): Promise<Deno.CommandStatus> {
  if (!child.exited) {
    try {
      Deno.kill(child.process.pid, "SIGKILL");
    } catch {
      // It exited in the meantime.
    }
  }
  return await withDeadline(child.process.status, WAIT_MS, `exit of ${child.process.pid}`);
}

/** Kills a process we do not hold a handle for (a detached child) by PID. */
function killPid(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The fields of `/proc/<pid>/stat` after the command name: state, ppid, pgrp, session, ... */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Whether `pid` currently ignores SIGTERM (bit 15 of `SigIgn` in `/proc/<pid>/status`). */
function ignoresSigterm(pid: number): boolean {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const mask = status.match(/^SigIgn:\s*([0-9a-f]+)$/m)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

async function firstLine(child: Child): Promise<string> {
  const reader = child.process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    while (!buffer.includes("\n")) {
      const { value, done } = await withDeadline(reader.read(), WAIT_MS, "a line from the child");
      if (done) throw new Error("The child closed stdout before printing a line");
      buffer += value;
    }
    return buffer.slice(0, buffer.indexOf("\n"));
  } finally {
    await reader.cancel();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "process_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// isProcessRunning

Deno.test("isProcessRunning() is true for this process", () => {
  assert.equal(isProcessRunning(Deno.pid), true);
});

Deno.test("isProcessRunning() follows a child from running to killed and reaped", async () => {
  const child = spawn("exec sleep 30");
  try {
    assert.equal(isProcessRunning(child.process.pid), true);
  } finally {
    const status = await stop(child);
    assert.equal(status.signal, "SIGKILL");
  }
  assert.equal(isProcessRunning(child.process.pid), false);
});

Deno.test({
  name: "isProcessRunning() is false for a zombie",
  ignore: !IS_LINUX,
  fn: async () => {
    // Deno reaps its own children at once, so the zombie is a grandchild: the shell
    // starts a short `sleep` in the background and does not reap it until told to.
    const parent = spawn("sleep 0.05 & echo $!; read line; wait", {
      stdin: "piped",
      stdout: "piped",
    });
    try {
      const zombie = Number(await firstLine(parent));
      assert.ok(Number.isInteger(zombie) && zombie > 0);
      await waitUntil(() => statFields(zombie)?.[0] === "Z", `${zombie} to become a zombie`);
      assert.equal(isProcessRunning(zombie), false);
      // Let the shell reap it.
      const writer = parent.process.stdin.getWriter();
      await writer.write(new TextEncoder().encode("\n"));
      await writer.close();
      const status = await withDeadline(parent.process.status, WAIT_MS, "the shell to exit");
      assert.equal(status.code, 0);
      assert.equal(statFields(zombie), undefined);
    } finally {
      await stop(parent);
    }
  },
});

Deno.test("isProcessRunning() is false for invalid pids", () => {
  for (const pid of [0, -1, -Deno.pid, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(isProcessRunning(pid), false, `pid ${pid}`);
  }
});

Deno.test("isProcessRunning() is false for a pid no process has", () => {
  // Above Linux's largest possible pid_max (4194304).
  assert.equal(isProcessRunning(4_194_305), false);
});

// waitForExit

Deno.test("waitForExit() returns true once the process has exited", async () => {
  const child = spawn("exec sleep 30");
  try {
    const waiting = waitForExit(child.process.pid, WAIT_MS);
    Deno.kill(child.process.pid, "SIGKILL");
    assert.equal(await waiting, true);
  } finally {
    await stop(child);
  }
});

Deno.test("waitForExit() returns true at once for a process that is gone", async () => {
  const child = spawn("exit 0");
  await stop(child);
  const started = Date.now();
  assert.equal(await waitForExit(child.process.pid, WAIT_MS), true);
  assert.ok(Date.now() - started < 1_000);
});

Deno.test("waitForExit() returns false after the timeout for a running process", async () => {
  const child = spawn("exec sleep 30");
  try {
    const started = Date.now();
    assert.equal(await waitForExit(child.process.pid, 150), false);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 150 && elapsed < 5_000, `waited ${elapsed} ms`);
    assert.equal(isProcessRunning(child.process.pid), true);
  } finally {
    await stop(child);
  }
});

// terminateProcess

Deno.test("terminateProcess() stops a process with SIGTERM", async () => {
  const child = spawn("exec sleep 30");
  try {
    await terminateProcess(child.process.pid, WAIT_MS);
    const status = await withDeadline(child.process.status, WAIT_MS, "the child to exit");
    assert.equal(status.signal, "SIGTERM");
  } finally {
    await stop(child);
  }
});

Deno.test({
  name: "terminateProcess() sends SIGKILL to a process that ignores SIGTERM after the grace period",
  ignore: !IS_LINUX,
  fn: async () => {
    const child = spawn('trap "" TERM; exec sleep 30');
    try {
      const pid = child.process.pid;
      await waitUntil(() => ignoresSigterm(pid), "the child to ignore SIGTERM");
      const graceMs = 300;
      const started = Date.now();
      await terminateProcess(pid, graceMs);
      const elapsed = Date.now() - started;
      const status = await withDeadline(child.process.status, WAIT_MS, "the child to exit");
      assert.equal(status.signal, "SIGKILL");
      assert.ok(elapsed >= graceMs, `SIGKILL came after ${elapsed} ms`);
      assert.equal(isProcessRunning(pid), false);
    } finally {
      await stop(child);
    }
  },
});

Deno.test("terminateProcess() returns at once for a process that is gone", async () => {
  const child = spawn("exit 0");
  await stop(child);
  await terminateProcess(child.process.pid, WAIT_MS);
  await terminateProcess(0, WAIT_MS);
});

// spawnDetached

Deno.test({
  name: "spawnDetached() gives the child exactly its env, stdin and cwd, in its own session",
  ignore: !IS_LINUX,
  fn: async () => {
    await withTempDir(async (dir) => {
      const work = join(dir, "work");
      await Deno.mkdir(work);
      // Copy stdin, then block on a FIFO nobody writes to, so the shell stays inspectable.
      const script = 'cat > "$0/stdin.txt"; mkfifo "$0/fifo"; read line < "$0/fifo"';
      const env = { PATH: "/usr/bin:/bin", MCPC_TEST_VALUE: "a b=c" };
      const pid = await spawnDetached("/bin/sh", ["-c", script, dir], {
        cwd: work,
        env,
        stdin: "line one\nline two\n",
      });
      try {
        await waitUntil(() => exists(join(dir, "fifo")), "the child to read its stdin");
        assert.equal(await Deno.readTextFile(join(dir, "stdin.txt")), "line one\nline two\n");
        const environ = await Deno.readTextFile(`/proc/${pid}/environ`);
        const entries = environ.split("\0").filter((entry) => entry !== "").sort();
        assert.deepEqual(entries, ["MCPC_TEST_VALUE=a b=c", "PATH=/usr/bin:/bin"]);
        assert.equal(await Deno.readLink(`/proc/${pid}/cwd`), await Deno.realPath(work));
        const fields = statFields(pid);
        assert.ok(fields, `no /proc/${pid}/stat`);
        assert.equal(Number(fields[3]), pid, "session id");
        assert.equal(Number(fields[2]), pid, "process group id");
        assert.notEqual(Number(fields[3]), statFields(Deno.pid)?.[3]);
      } finally {
        killPid(pid);
        await waitUntil(() => !isProcessRunning(pid), `detached child ${pid} to exit`);
      }
    });
  },
});

Deno.test({
  name: "spawnDetached() gives the child an empty stdin when none is passed",
  ignore: !IS_LINUX,
  fn: async () => {
    await withTempDir(async (dir) => {
      const script = 'cat > "$0/stdin.txt"; : > "$0/done"';
      const pid = await spawnDetached("/bin/sh", ["-c", script, dir], {
        cwd: dir,
        env: { PATH: "/usr/bin:/bin" },
      });
      try {
        await waitUntil(() => exists(join(dir, "done")), "the child to finish");
        assert.equal(await Deno.readTextFile(join(dir, "stdin.txt")), "");
        await waitUntil(() => !isProcessRunning(pid), `detached child ${pid} to exit`);
      } finally {
        if (isProcessRunning(pid)) killPid(pid);
        await waitUntil(() => !isProcessRunning(pid), `detached child ${pid} to exit`);
      }
    });
  },
});

Deno.test("isSameProcessGroup() claims a group by its leader's start time, never a stranger's", async () => {
  const { isSameProcessGroup, processStartTime } = await import("../../../src/platform/process.ts");
  const leader = new Deno.Command("sleep", { args: ["30"], detached: true }).spawn();
  try {
    const startTime = processStartTime(leader.pid);
    assert.ok(startTime);
    assert.equal(isSameProcessGroup({ pgid: leader.pid, startTime }), true);
    assert.equal(isSameProcessGroup({ pgid: leader.pid, startTime: "0" }), false);
    assert.equal(isSameProcessGroup({ pgid: leader.pid }), false);
  } finally {
    leader.kill("SIGKILL");
    await leader.status;
  }
});

Deno.test({
  name: "isSameProcessGroup() claims a group whose leader exited by the marker its members carry",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const { GROUP_MARKER_VARIABLE, isSameProcessGroup, reapProcessGroup, isProcessGroupRunning } =
      await import("../../../src/platform/process.ts");
    const marker = crypto.randomUUID();
    const leader = new Deno.Command("sh", {
      args: ["-c", "(sleep 30 &) ; exit 0"],
      detached: true,
      env: { [GROUP_MARKER_VARIABLE]: marker },
    }).spawn();
    const pgid = leader.pid;
    await leader.status;
    try {
      assert.ok(isProcessGroupRunning(pgid), "the orphan keeps the group alive");
      assert.equal(isSameProcessGroup({ pgid, startTime: "1", marker: "another" }), false);
      assert.equal(isSameProcessGroup({ pgid, startTime: "1", marker }), true);
      assert.equal(await reapProcessGroup({ pgid, marker }, { stepMs: 500 }), true);
      assert.equal(isProcessGroupRunning(pgid), false);
    } finally {
      try {
        Deno.kill(-pgid, "SIGKILL");
      } catch {
        // Gone.
      }
    }
  },
});

Deno.test("stopProcessGroup() waits, then SIGTERMs, then SIGKILLs the whole group", async () => {
  const { stopProcessGroup, isProcessGroupRunning } = await import(
    "../../../src/platform/process.ts"
  );
  const dir = await Deno.makeTempDir();
  const marks = join(dir, "marks");
  // The leader notes each SIGTERM and ignores it; its child ignores it too.
  const group = new Deno.Command("sh", {
    args: ["-c", `trap 'echo term >> ${marks}' TERM; (trap '' TERM; sleep 30) & wait; wait`],
    detached: true,
  }).spawn();
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await withDeadline(stopProcessGroup(group.pid, { stepMs: 300 }), 5_000, "the stop");
    const took = Date.now() - started;
    assert.equal(isProcessGroupRunning(group.pid), false, "SIGKILL ended what SIGTERM did not");
    assert.match(await Deno.readTextFile(marks), /^term\n/, "SIGTERM came first");
    assert.ok(took >= 600, `both waits passed (${took} ms)`);
    await group.status;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
