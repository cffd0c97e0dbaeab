import assert from "node:assert/strict";
import {
  othersCanChange,
  unsafeMessage,
  UnsafePathError,
  unsafeReason,
} from "../../../src/platform/private_home.ts";
import { LockedJsonFile } from "../../../src/platform/locked_json_file.ts";

Deno.test("unsafeReason accepts private paths owned by the user or root", () => {
  assert.equal(unsafeReason({ uid: 1000, mode: 0o40700 }, 1000), undefined);
  assert.equal(unsafeReason({ uid: 1000, mode: 0o100644 }, 1000), undefined);
  assert.equal(unsafeReason({ uid: 0, mode: 0o40755 }, 1000), undefined);
});

Deno.test("unsafeReason refuses group/other write and other owners", () => {
  assert.deepEqual(unsafeReason({ uid: 1000, mode: 0o40777 }, 1000), {
    problem: "writable",
    mode: 0o777,
    uid: 1000,
  });
  assert.equal(unsafeReason({ uid: 1000, mode: 0o41777 }, 1000)?.problem, "writable");
  assert.equal(unsafeReason({ uid: 1000, mode: 0o100620 }, 1000)?.problem, "writable");
  assert.equal(unsafeReason({ uid: 1000, mode: 0o100602 }, 1000)?.problem, "writable");
  assert.equal(unsafeReason({ uid: 65534, mode: 0o100600 }, 1000)?.problem, "owner");
  assert.equal(unsafeReason({ uid: 65534, mode: 0o100600 }, 0)?.problem, "owner");
});

Deno.test("othersCanChange allows group write but not other write or other owners", () => {
  assert.equal(othersCanChange({ uid: 1000, mode: 0o664 }, 1000), undefined);
  assert.equal(othersCanChange({ uid: 0, mode: 0o644 }, 1000), undefined);
  assert.equal(othersCanChange({ uid: 1000, mode: 0o666 }, 1000)?.problem, "writable");
  assert.deepEqual(othersCanChange({ uid: 1000, mode: 0o646 }, 1000), {
    problem: "writable",
    mode: 0o646,
    uid: 1000,
  });
  assert.equal(othersCanChange({ uid: 65534, mode: 0o600 }, 1000)?.problem, "owner");
});

Deno.test("unsafeMessage names the path and the fix", () => {
  assert.equal(
    unsafeMessage("/h/x y", { problem: "writable", mode: 0o1777, uid: 5 }, true, 5),
    "Refusing to use /h/x y: group or others can write to it (mode 1777), so another user " +
      "could change what mcpc runs. Fix it with: chmod 700 '/h/x y'",
  );
  assert.match(
    unsafeMessage("/h/s.json", { problem: "owner", mode: 0o600, uid: 7 }, false, 5),
    /belongs to user id 7, not to you \(user id 5\).*chown 5 \/h\/s\.json$/,
  );
});

Deno.test("LockedJsonFile refuses a data file others can write, and leaves it alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/state.json`;
    await Deno.writeTextFile(path, '{"planted":true}');
    await Deno.chmod(path, 0o666);
    const file = new LockedJsonFile<Record<string, unknown>>(path, {
      defaultValue: () => ({}),
      parse: (raw) => raw as Record<string, unknown>,
    });
    await assert.rejects(() => file.read(), UnsafePathError);
    await assert.rejects(() => file.update((data) => void (data.x = 1)), UnsafePathError);
    assert.equal(await Deno.readTextFile(path), '{"planted":true}');
    await Deno.chmod(path, 0o600);
    assert.deepEqual(await file.read(), { planted: true });
    await Deno.chmod(dir, 0o777);
    await assert.rejects(() => file.read(), UnsafePathError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
