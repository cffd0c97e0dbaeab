import assert from "node:assert/strict";
import { compileArgs } from "../../../scripts/compile.ts";
import {
  BRIDGE_SUBCOMMAND,
  PERMISSION_FLAGS,
  selfCommand,
} from "../../../src/platform/self_command.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

Deno.test("scripts/mcpc runs main.ts with exactly the permission flags of the binary", async () => {
  const script = await Deno.readTextFile(`${ROOT}scripts/mcpc`);
  const exec = script.split("\n").find((line) => line.startsWith("exec deno run"));
  assert.ok(exec, "scripts/mcpc has an exec deno run line");
  const flags = exec.split(/\s+/).filter((token) =>
    token.startsWith("--allow") || token.startsWith("--deny")
  );
  assert.deepEqual(flags, [...PERMISSION_FLAGS]);
  const mode = (await Deno.stat(`${ROOT}scripts/mcpc`)).mode! & 0o111;
  assert.notEqual(mode, 0, "scripts/mcpc is executable");
});

Deno.test("deno task compile bakes in the same permission flags", () => {
  const args = compileArgs({ output: "out", config: "deno.json", main: "main.ts" });
  assert.deepEqual(args.filter((arg) => arg.startsWith("--allow")), [...PERMISSION_FLAGS]);
  assert.equal(args.at(-1), "main.ts");
});

Deno.test("selfCommand() starts main.ts with the same flags and the bridge subcommand", () => {
  const { command, args } = selfCommand([BRIDGE_SUBCOMMAND, "@x"]);
  assert.equal(command, Deno.execPath());
  assert.equal(args[0], "run");
  assert.deepEqual(args.filter((arg) => arg.startsWith("--allow")), [...PERMISSION_FLAGS]);
  assert.deepEqual(args.slice(-3), [`${ROOT}main.ts`, BRIDGE_SUBCOMMAND, "@x"]);
  assert.ok(
    args.includes(`${ROOT}deno.json`),
    "the config is explicit (bridges run in other cwds)",
  );
});

Deno.test("verifyBinary() accepts mcpc and rejects a binary that is really deno", async () => {
  const { verifyBinary } = await import("../../../scripts/compile.ts");
  assert.match(
    (await verifyBinary(Deno.execPath())) ?? "",
    /DENORT_BIN must point at a denort runtime/,
  );
  assert.equal(await verifyBinary(`${ROOT}scripts/mcpc`), undefined);
});
