import assert from "node:assert/strict";
import { OUTPUT_SCHEMAS, schemaFileText } from "../../scripts/schemas.ts";
import { checkJsonOutput, schemaNameFor } from "../e2e/json_schemas.ts";
import { COMMANDS } from "../../src/cli/command_table.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("schemas/ holds the generated schemas, none stale (deno task schemas)", async () => {
  for (const name of Object.keys(OUTPUT_SCHEMAS)) {
    assert.equal(
      await Deno.readTextFile(`${ROOT}schemas/${name}.schema.json`),
      schemaFileText(name),
      `schemas/${name}.schema.json is stale: run deno task schemas`,
    );
  }
});

Deno.test("every command that prints JSON has a schema", () => {
  for (const command of COMMANDS) {
    const args = command.scope === "session" ? ["@s", command.name] : [command.name];
    const name = schemaNameFor(["--json", ...args]);
    if (name === undefined) continue;
    assert.ok(OUTPUT_SCHEMAS[name], `${args.join(" ")} has no schema (${name})`);
  }
  assert.equal(schemaNameFor(["--json"]), "list");
  assert.equal(schemaNameFor(["--json", "@s"]), "server-details");
  assert.equal(schemaNameFor(["--json", "--timeout", "5", "@s", "tools-call", "x"]), "tools-call");
  assert.equal(schemaNameFor(["--json", "help"]), undefined);
});

Deno.test("checkJsonOutput() rejects output that is not its command's shape, and takes what is", () => {
  const ok = { code: 0, stdout: '{"success":true,"durationMs":3}', stderr: "" };
  checkJsonOutput(["--json", "@s", "ping"], {}, ok);
  assert.throws(
    () => checkJsonOutput(["--json", "@s", "ping"], {}, { ...ok, stdout: '{"durationMs":"x"}' }),
    /does not match schemas\/ping\.schema\.json/,
  );
  assert.throws(
    () =>
      checkJsonOutput(["@s", "ping"], { MCPC_JSON: "1" }, {
        code: 1,
        stdout: "",
        stderr: '{"message":"no error key"}',
      }),
    /stderr does not match schemas\/error\.schema\.json/,
  );
  checkJsonOutput(["@s", "ping"], {}, { ...ok, stdout: "human text" }); // not JSON mode
});
