import assert from "node:assert/strict";
import { McpcError } from "../../../src/errors.ts";
import { planSkillFiles, relativeSkillPath, SkillPathError } from "../../../src/app/skill_paths.ts";
import type { Skill } from "../../../src/mcp/skill_types.ts";

const SKILL = "skill://acme/refunds/SKILL.md";
const DIGEST = `sha256:${"0".repeat(64)}`;

function skill(uris: string[], uri = SKILL): Skill {
  return {
    uri,
    frontmatter: { name: "refunds", description: "Refunds" },
    resources: uris.map((file) => ({ uri: file, digest: DIGEST, size: 1 })),
  };
}

Deno.test("relativeSkillPath() gives the path below the skill's root, decoded", () => {
  assert.equal(relativeSkillPath(SKILL, "skill://acme/refunds/SKILL.md"), "SKILL.md");
  assert.equal(
    relativeSkillPath(SKILL, "skill://acme/refunds/templates/eu/invoice.md"),
    "templates/eu/invoice.md",
  );
  assert.equal(
    relativeSkillPath(SKILL, "skill://acme/refunds/notes/r%C3%A9sum%C3%A9%201.md"),
    "notes/résumé 1.md",
  );
  assert.equal(relativeSkillPath(SKILL, "skill://acme/refunds/a:b.md"), "a:b.md");
});

Deno.test("relativeSkillPath() refuses every path that would leave the skill's folder", () => {
  const escapes: [string, RegExp][] = [
    ["skill://acme/refunds/../billing/SKILL.md", /outside the skill's folder/],
    ["skill://acme/refunds/%2e%2e/%2e%2e/etc/passwd", /outside the skill's folder/],
    ["skill://acme/refunds/%2E%2E%2Fetc", /separator or control character/],
    ["skill://acme/refunds/a/%2E%2E/../../x", /outside the skill's folder/],
    ["skill://acme/refunds//etc/passwd", /segment "" that leaves no file name/],
    ["skill://acme/refunds/%2Fetc%2Fpasswd", /separator or control character/],
    ["skill://acme/refunds/..%5C..%5Cwin.ini", /separator or control character/],
    ["skill://acme/refunds/a%00b", /separator or control character/],
    ["skill://acme/refunds/evil%1B%5B2J", /separator or control character/],
    ["skill://acme/refunds/.", /outside the skill's folder|leaves no file name/],
    ["skill://acme/refunds", /outside the skill's folder/],
    ["skill://acme/refundsX/SKILL.md", /outside the skill's folder/],
    ["file:///etc/passwd", /outside the skill's folder/],
    ["skill://acme/refunds/a?x=1", /query or fragment/],
    ["skill://acme/refunds/a#b", /query or fragment/],
    ["skill://acme/refunds/%zz", /malformed escape/],
    ["not a uri", /is not a valid URI/],
  ];
  for (const [uri, reason] of escapes) {
    assert.throws(() => relativeSkillPath(SKILL, uri), (error: unknown) => {
      assert.ok(error instanceof SkillPathError, uri);
      assert.match(error.message, reason, uri);
      return true;
    });
  }
});

Deno.test("relativeSkillPath() refuses a skill URI that is no SKILL.md", () => {
  assert.throws(
    () => relativeSkillPath("skill://acme/refunds/README.md", "skill://acme/refunds/a"),
    /is not the URI of a SKILL\.md/,
  );
});

Deno.test("planSkillFiles() puts SKILL.md first and keeps the entry's sizes and digests", () => {
  const plans = planSkillFiles(skill([
    "skill://acme/refunds/examples/email.md",
    "skill://acme/refunds/SKILL.md",
    "skill://acme/refunds/scripts/run.py",
  ]));
  assert.deepEqual(plans.map((plan) => plan.path), [
    "SKILL.md",
    "examples/email.md",
    "scripts/run.py",
  ]);
  assert.deepEqual(plans[0], {
    uri: "skill://acme/refunds/SKILL.md",
    path: "SKILL.md",
    size: 1,
    digest: DIGEST,
  });
});

Deno.test("planSkillFiles() refuses escapes, collisions and dynamic skills as server errors", () => {
  const cases: [Skill, RegExp][] = [
    [
      skill([SKILL, "skill://acme/refunds/%2e%2e/x"]),
      /Refused to pull skill "refunds": file skill:\/\/acme\/refunds\/%2e%2e\/x is outside/,
    ],
    [
      skill([SKILL, "skill://acme/refunds/Read.md", "skill://acme/refunds/read.md"]),
      /would both be written to read\.md/,
    ],
    [
      skill([SKILL, "skill://acme/refunds/docs", "skill://acme/refunds/docs/a.md"]),
      /would be written inside docs, which is a file of the skill too/,
    ],
    [skill(["skill://acme/refunds/a.md"]), /its file list has no SKILL\.md/],
    [{ ...skill([]), resources: "dynamic" }, /is dynamic: its server publishes no file list/],
  ];
  for (const [entry, message] of cases) {
    assert.throws(() => planSkillFiles(entry), (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.equal(error.kind, "server");
      assert.match(error.message, message);
      return true;
    });
  }
});
