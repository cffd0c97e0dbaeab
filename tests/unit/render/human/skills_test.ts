import assert from "node:assert/strict";
import type { Skill } from "../../../../src/mcp/skill_types.ts";
import {
  renderSkillDetail,
  renderSkillPulled,
  renderSkills,
} from "../../../../src/render/human/skills.ts";
import { renderForTerminal } from "../../../../src/render/terminal_text.ts";
import { createTheme } from "../../../../src/render/theme.ts";

const plain = createTheme(false);
// deno-lint-ignore no-control-regex -- mcpc's own styles, which the sanitiser puts back
const STYLE = /\u001b\[\d+m/g;
// deno-lint-ignore no-control-regex -- control characters are what this test looks for
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const DIGEST_A = `sha256:${"a".repeat(64)}`;
const DIGEST_B = `sha256:${"b".repeat(64)}`;

const refunds: Skill = {
  uri: "skill://acme/refunds/SKILL.md",
  frontmatter: {
    name: "refunds",
    description: "Process refund requests\nper company policy",
    license: "MIT",
  },
  resources: [
    { uri: "skill://acme/refunds/SKILL.md", digest: DIGEST_A, size: 1200 },
    { uri: "skill://acme/refunds/examples/email.md", digest: DIGEST_B, size: 962 },
  ],
};
const daily: Skill = {
  uri: "skill://reports/daily/SKILL.md",
  frontmatter: { name: "daily", description: "Today's report" },
  resources: "dynamic",
};

Deno.test("renderSkills() lists each skill's name, URI, manifest size and description", () => {
  assert.equal(
    renderSkills([refunds, daily], "@s", plain),
    [
      "Skills (2):",
      "* `refunds` skill://acme/refunds/SKILL.md (2 files, 2.1 KB)",
      "  Process refund requests",
      "* `daily` skill://reports/daily/SKILL.md (dynamic)",
      "  Today's report",
      "",
      "For a skill's files, run `mcpc @s skills-get <name>`; to download one, " +
      "`mcpc @s skills-pull <name> [dir]`",
    ].join("\n"),
  );
});

Deno.test("renderSkills() says (none) for an empty listing", () => {
  assert.equal(renderSkills([], "@s", plain), "Skills (0):\n(none)");
});

Deno.test("renderSkillDetail() shows the frontmatter and every file's path, size and digest", () => {
  const text = renderSkillDetail(refunds, [
    { uri: refunds.uri, path: "SKILL.md", size: 1200, digest: DIGEST_A },
    { uri: "skill://elsewhere/x", size: 962, digest: DIGEST_B },
  ], { sessionName: "@s", theme: plain });
  assert.equal(
    text,
    [
      "Skill: refunds",
      "URI: skill://acme/refunds/SKILL.md",
      "Description: Process refund requests",
      "",
      "Frontmatter:",
      "````",
      JSON.stringify(refunds.frontmatter, null, 2),
      "````",
      "",
      "Files (2, 2.1 KB):",
      `* \`SKILL.md\` 1.2 KB ${DIGEST_A}`,
      `* \`skill://elsewhere/x\` (outside the skill's folder) 962 bytes ${DIGEST_B}`,
      "",
      "To download it, run `mcpc @s skills-pull refunds [dir]`",
    ].join("\n"),
  );
});

Deno.test("renderSkillDetail() says a dynamic skill has no file list and cannot be pulled", () => {
  const text = renderSkillDetail(daily, "dynamic", { sessionName: "@s", theme: plain });
  assert.match(text, /\n\nFiles: dynamic \(the server publishes no file list or digests; /);
  assert.doesNotMatch(text, /To download it/);
});

Deno.test("renderSkillPulled() names the folder and each file written", () => {
  assert.equal(
    renderSkillPulled({
      name: "refunds",
      uri: refunds.uri,
      path: "/work/refunds",
      files: [{ path: "SKILL.md", size: 1200 }, { path: "examples/email.md", size: 962 }],
    }, plain),
    [
      "✓ Pulled skill refunds to /work/refunds (2 files, 2.1 KB)",
      "  SKILL.md (1.2 KB)",
      "  examples/email.md (962 bytes)",
    ].join("\n"),
  );
});

Deno.test("skill renderers print no control character a server sent, even styled", () => {
  const hostile: Skill = {
    ...refunds,
    frontmatter: { name: "refunds", description: "\u001b]0;pwned\u0007Nice \u001b[2Jskill" },
  };
  for (const colors of [false, true]) {
    const nonce = "0123456789abcdef0123";
    const list = renderForTerminal((theme) => renderSkills([hostile], "@s", theme), {
      colors,
      nonce,
    });
    const detail = renderForTerminal(
      (theme) => renderSkillDetail(hostile, "dynamic", { sessionName: "@s", theme }),
      { colors, nonce },
    );
    for (const text of [list, detail]) {
      const withoutStyles = text.replace(STYLE, "");
      assert.doesNotMatch(withoutStyles, CONTROL);
      assert.match(withoutStyles, /Nice skill/);
    }
  }
});
