/**
 * Skills (SEP-2640) against the demo server and the skills fixture, in each
 * protocol era: a listed skill pulled to disk byte for byte, tampered skills
 * (digest, size, frontmatter) refused with nothing written, no skill file read
 * before `skills-pull`, a 9 MiB file moved in pieces, `--force`, and servers
 * without the extension.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { DEMO_SKILLS, SKILL_TAMPERS, type SkillTamper } from "../../scripts/demo_skills.ts";
import { BIG_SKILL_FILES, startSkillsServer } from "../fixtures/skills_server.ts";
import { eraTest, Harness, revisionOf, type ServerEra } from "./harness.ts";

interface ListedSkill {
  uri: string;
  frontmatter: { name: string; description: string };
  resources: { uri: string; size: number; digest: string }[] | "dynamic";
}

/** A demo server of `era` (tampered as asked), `@d` connected, and a folder to pull into. */
async function withDemo(
  era: ServerEra,
  options: { tamperSkill?: SkillTamper; skills?: boolean },
  fn: (harness: Harness, dir: string) => Promise<void>,
): Promise<void> {
  const server = await startDemoHttpServer({ era, ...options });
  const harness = await Harness.create();
  const dir = await Deno.makeTempDir({ prefix: "mcpc-skills-" });
  try {
    const connect = await harness.run(["connect", server.url, "@d"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, new RegExp(`^Protocol: ${revisionOf(era)}`, "m"));
    await fn(harness, dir);
  } finally {
    await harness.cleanup();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The bytes of a demo skill file. */
function expectedBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

/** Every file below `dir`, as `/`-separated paths. */
async function filesBelow(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) found.push(...await filesBelow(`${dir}/${entry.name}`, `${path}/`));
    else found.push(path);
  }
  return found.sort();
}

eraTest(
  "skills-list and skills-get show the demo skills, skills-pull writes their bytes",
  async (era) => {
    await withDemo(era, {}, async (harness, dir) => {
      const details = await harness.run(["@d"]);
      assert.match(details.stdout, /mcpc @d skills-pull <name> \[dir\]/);

      const skills = await harness.json<ListedSkill[]>(["@d", "skills-list"]);
      assert.deepEqual(skills.map((skill) => skill.frontmatter.name), [
        "greeting-style",
        "demo-tour",
      ]);
      const human = await harness.run(["@d", "skills-list"]);
      assert.match(
        human.stdout,
        /^Skills \(2\):\n\* `greeting-style` skill:\/\/greeting-style\/SKILL\.md/m,
      );

      const tour = await harness.json<ListedSkill>(["@d", "skills-get", "demo-tour"]);
      assert.equal(tour.uri, "skill://mcpc-demo/demo-tour/SKILL.md");
      assert.equal(tour.frontmatter.name, "demo-tour");
      const byUri = await harness.json<ListedSkill>(["@d", "skills-get", tour.uri]);
      assert.deepEqual(byUri, tour, "skills/get by URI gives the listed entry");
      const shown = await harness.run(["@d", "skills-get", "mcpc-demo/demo-tour"]);
      assert.match(shown.stdout, /^\* `assets\/logo\.png` 87 bytes sha256:[0-9a-f]{64}$/m);

      const target = `${dir}/tour`;
      const pull = await harness.json<{ path: string; files: { path: string }[] }>([
        "@d",
        "skills-pull",
        "demo-tour",
        target,
      ]);
      assert.equal(pull.path, target);
      const files = DEMO_SKILLS["mcpc-demo/demo-tour"];
      assert.deepEqual(await filesBelow(target), Object.keys(files).sort());
      for (const [path, content] of Object.entries(files)) {
        assert.deepEqual(await Deno.readFile(`${target}/${path}`), expectedBytes(content), path);
      }

      const defaultDir = await harness.run(["@d", "skills-pull", "greeting-style"], { cwd: dir });
      assert.equal(defaultDir.code, 0, defaultDir.stderr);
      assert.match(
        defaultDir.stdout,
        /✓ Pulled skill greeting-style to .*\/greeting-style \(2 files/,
      );
      assert.equal(
        await Deno.readTextFile(`${dir}/greeting-style/SKILL.md`),
        DEMO_SKILLS["greeting-style"]["SKILL.md"],
      );
      assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
        "greeting-style",
        "tour",
      ], "no staging folder is left");
    });
  },
);

const TAMPERED: Record<SkillTamper, { file: string; says: RegExp }> = {
  digest: {
    file: "skill://greeting-style/references/EXAMPLES.md",
    says:
      /failed the digest check: it has digest sha256:[0-9a-f]{64}; the skill entry lists sha256:/,
  },
  size: {
    file: "skill://greeting-style/SKILL.md",
    says: /failed the size check: it is 304 bytes; the skill entry lists 269/,
  },
  frontmatter: {
    file: "skill://greeting-style/SKILL.md",
    says:
      /failed the frontmatter check: its frontmatter differs from the skill entry: description:/,
  },
};

for (const tamper of SKILL_TAMPERS) {
  eraTest(`skills-pull refuses a skill with a wrong ${tamper} and writes nothing`, async (era) => {
    await withDemo(era, { tamperSkill: tamper }, async (harness, dir) => {
      const pull = await harness.run(["@d", "skills-pull", "greeting-style"], { cwd: dir });
      assert.equal(pull.code, 2, pull.stderr);
      const [line, ...rest] = pull.stderr.trim().split("\n").filter((l) => !/keychain/.test(l));
      assert.deepEqual(rest, [], "one line");
      assert.ok(
        line.startsWith(
          `Error: Cannot pull skill "greeting-style": skill file ${TAMPERED[tamper].file} failed`,
        ),
        line,
      );
      assert.match(line, TAMPERED[tamper].says);
      assert.match(line, /nothing was written/);
      assert.deepEqual(await filesBelow(dir), [], "nothing written, no staging folder left");

      // The untampered skill of the same server still pulls.
      const other = await harness.run(["@d", "skills-pull", "demo-tour"], { cwd: dir });
      assert.equal(other.code, 0, other.stderr);
    });
  });
}

eraTest("skill files are read only by skills-pull, a 9 MiB one in pieces", async (era) => {
  const server = await startSkillsServer();
  const harness = await Harness.create();
  const dir = await Deno.makeTempDir({ prefix: "mcpc-skills-" });
  try {
    const pin = era === "legacy" ? ["--protocol-version", "2025-11-25"] : [];
    const connect = await harness.run(["connect", server.url, "@s", ...pin]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, new RegExp(`^Protocol: ${revisionOf(era)}`, "m"));
    for (const args of [["@s"], ["@s", "skills-list"], ["@s", "skills-get", "big-assets"]]) {
      const result = await harness.run(args);
      assert.equal(result.code, 0, result.stderr);
    }
    assert.deepEqual(server.reads, [], "no skill file read by connect, listing or skills-get");

    const pull = await harness.run(["@s", "skills-pull", "big-assets", `${dir}/big`]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(server.reads[0], "skill://big-assets/SKILL.md", "SKILL.md first");
    assert.equal(server.reads.length, 3, `each file read once: ${server.reads.join(", ")}`);
    for (const [path, content] of Object.entries(BIG_SKILL_FILES)) {
      assert.deepEqual(await Deno.readFile(`${dir}/big/${path}`), expectedBytes(content), path);
    }
  } finally {
    await harness.cleanup();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("skills-pull replaces a non-empty folder only with --force", async () => {
  await withDemo("modern", {}, async (harness, dir) => {
    await Deno.mkdir(`${dir}/g`);
    await Deno.writeTextFile(`${dir}/g/mine.txt`, "keep me");
    const refused = await harness.run(["@d", "skills-pull", "greeting-style", `${dir}/g`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Folder .*\/g is not empty; use --force to replace it/);
    assert.equal(await Deno.readTextFile(`${dir}/g/mine.txt`), "keep me");

    const forced = await harness.run([
      "@d",
      "skills-pull",
      "greeting-style",
      `${dir}/g`,
      "--force",
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(await filesBelow(`${dir}/g`), ["SKILL.md", "references/EXAMPLES.md"]);
    assert.deepEqual(await filesBelow(dir), ["g/SKILL.md", "g/references/EXAMPLES.md"]);
  });
});

Deno.test("a server without the Skills extension gets no skills commands", async () => {
  await withDemo("modern", { skills: false }, async (harness) => {
    const details = await harness.run(["@d"]);
    assert.equal(details.code, 0, details.stderr);
    assert.doesNotMatch(details.stdout, /skills-/);
    const list = await harness.run(["@d", "skills-list"]);
    assert.equal(list.code, 1);
    assert.match(
      list.stderr,
      /The server of @d does not declare the Skills extension \(io\.modelcontextprotocol\/skills\)/,
    );
  });
});
