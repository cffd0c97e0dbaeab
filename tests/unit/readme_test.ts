import assert from "node:assert/strict";
import { sessionHelp, topHelp } from "../../src/cli/help.ts";

const README = await Deno.readTextFile(new URL("../../README.md", import.meta.url));

function block(marker: string): string {
  const match = README.match(
    new RegExp(`<!-- ${marker} -->\\s*\`\`\`text\\n([\\s\\S]*?)\\n\`\`\`\\s*<!-- /${marker} -->`),
  );
  assert.ok(match, `README has the ${marker} block`);
  return match[1];
}

Deno.test("README embeds mcpc --help verbatim", () => {
  assert.equal(block("help:top"), topHelp());
});

Deno.test("README embeds mcpc <@session> --help verbatim", () => {
  assert.equal(block("help:session"), sessionHelp());
});

Deno.test("README's set-up names the pinned Deno and the demo and test tasks", () => {
  assert.match(README, /npm install -g deno@2\.9\.6/);
  assert.match(README, /deno task demo/);
  assert.match(README, /deno task test/);
});

Deno.test("README's exit-code table is the code's", async () => {
  const { EXIT_CODE_MEANINGS } = await import("../../src/errors.ts");
  const section = README.split("### Exit codes")[1]?.split("\n\n").find((part) =>
    part.trimStart().startsWith("|")
  );
  assert.ok(section, "README has an exit-code table");
  const rows = section.trim().split("\n").slice(2).map((line) =>
    line.split("|").slice(1, -1).map((cell) => cell.trim())
  );
  assert.deepEqual(
    rows.map(([code, meaning]) => [Number(code), meaning]),
    EXIT_CODE_MEANINGS.map(([code, meaning]) => [code, meaning]),
  );
});
