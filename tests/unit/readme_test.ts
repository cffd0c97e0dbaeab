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
