import assert from "node:assert/strict";
import { compileArgs } from "../../../scripts/compile.ts";
import {
  BRIDGE_DENO_FLAGS,
  BRIDGE_SUBCOMMAND,
  BRIDGE_V8_FLAGS,
  currentSelfMode,
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

Deno.test("deno task compile builds the bundle's entry with the same permission flags", () => {
  const args = compileArgs({ output: "out", main: "dist/bundle/main.js" });
  assert.deepEqual(args.filter((arg) => arg.startsWith("--allow")), [...PERMISSION_FLAGS]);
  assert.equal(args.at(-1), "dist/bundle/main.js");
  assert.ok(args.includes("--no-config"), "the bundle inlines its packages: no import map");
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

Deno.test("deno task compile bakes in the bridge's V8 flags", () => {
  const args = compileArgs({ output: "out", main: "main.js" });
  assert.deepEqual(args.filter((arg) => arg.startsWith("--v8-flags")), [
    `--v8-flags=${BRIDGE_V8_FLAGS.join(",")}`,
  ]);
});

Deno.test("selfCommand() gives a bridge its V8 flags and no code cache", () => {
  const { args } = selfCommand([BRIDGE_SUBCOMMAND, "@x"]);
  const main = args.indexOf(`${ROOT}main.ts`);
  for (const flag of BRIDGE_DENO_FLAGS) {
    const at = args.indexOf(flag);
    assert.ok(at > 0 && at < main, `${flag} is a deno run flag, before main.ts`);
  }
  assert.ok(args.includes("--no-code-cache"));
  assert.ok(BRIDGE_DENO_FLAGS.includes(`--v8-flags=${BRIDGE_V8_FLAGS.join(",")}`));
});

Deno.test("selfCommand() runs other subcommands without the bridge's flags", () => {
  const { args } = selfCommand(["--version"]);
  for (const flag of BRIDGE_DENO_FLAGS) assert.ok(!args.includes(flag));
  assert.deepEqual(args.slice(-2), [`${ROOT}main.ts`, "--version"]);
});

Deno.test("from source, selfCommand() says so: this module is TypeScript", () => {
  assert.deepEqual(currentSelfMode(), { kind: "source", root: new URL(`file://${ROOT}`) });
});

Deno.test("selfCommand() in a bundle runs the bundle's entry, with no config", () => {
  const main = new URL("file:///opt/mcpc%20b/main.js");
  const bridge = selfCommand([BRIDGE_SUBCOMMAND, "@x"], { kind: "bundle", main });
  assert.equal(bridge.command, Deno.execPath());
  assert.deepEqual(bridge.args, [
    "run",
    "--quiet",
    ...BRIDGE_DENO_FLAGS,
    "--no-config",
    ...PERMISSION_FLAGS,
    "/opt/mcpc b/main.js",
    BRIDGE_SUBCOMMAND,
    "@x",
  ]);
  const other = selfCommand(["--version"], { kind: "bundle", main });
  assert.deepEqual(other.args, [
    "run",
    "--quiet",
    "--no-config",
    ...PERMISSION_FLAGS,
    "/opt/mcpc b/main.js",
    "--version",
  ]);
});

Deno.test("selfCommand() in a compiled binary runs the binary itself", () => {
  assert.deepEqual(selfCommand([BRIDGE_SUBCOMMAND, "@x"], { kind: "compiled" }), {
    command: Deno.execPath(),
    args: [BRIDGE_SUBCOMMAND, "@x"],
  });
});

Deno.test("BRIDGE_V8_FLAGS are known to this V8 and keep WebAssembly", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `--v8-flags=${BRIDGE_V8_FLAGS.join(",")}`, "console.log(typeof WebAssembly)"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "object");
});

Deno.test("verifyBinary() accepts mcpc and rejects a binary that is really deno", async () => {
  const { verifyBinary } = await import("../../../scripts/compile.ts");
  assert.match(
    (await verifyBinary(Deno.execPath())) ?? "",
    /DENORT_BIN must point at a denort runtime/,
  );
  assert.equal(await verifyBinary(`${ROOT}scripts/mcpc`), undefined);
});
