import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/server";
import { type Skill, skillEntry, SkillsExtension } from "@modelcontextprotocol/server/ext/skills";
import { McpcError } from "../../../src/errors.ts";
import { SKILL_CHUNK_BYTES } from "../../../src/mcp/skill_types.ts";
import { type SkillAccess, skillAccess } from "../../../src/mcp/skills.ts";

const BIG = SKILL_CHUNK_BYTES + 1000;

/** The files of each served skill by path; `served` overrides what a read returns. */
interface Catalog {
  skills: Record<string, Record<string, string | Uint8Array>>;
  served?: Record<string, string | Uint8Array>;
}

function skillMd(name: string, description = `The ${name} skill`): string {
  return `---\nname: ${name}\ndescription: ${description}\n---\n\nBody of ${name}.\n`;
}

/** An SDK client linked in memory to a server of `catalog`, and the reads the server answered. */
async function connected(
  catalog: Catalog,
  options: { declare?: boolean } = {},
): Promise<{ access: SkillAccess; reads: string[]; close: () => Promise<void> }> {
  const entries: Skill[] = [];
  const files = new Map<string, string | Uint8Array>();
  for (const [path, content] of Object.entries(catalog.skills)) {
    entries.push(await skillEntry(path, content));
    for (const [file, bytes] of Object.entries(content)) {
      files.set(`skill://${path}/${file}`, bytes);
    }
  }
  for (const [uri, bytes] of Object.entries(catalog.served ?? {})) files.set(uri, bytes);
  const reads: string[] = [];
  const server = new McpServer({ name: "skills-unit", version: "1.0.0" }, {
    capabilities: { resources: {} },
  });
  new SkillsExtension({
    source: {
      list: () => Promise.resolve({ skills: entries }),
      get: (uri) => Promise.resolve(entries.find((entry) => entry.uri === uri)),
      read: (uri) => {
        reads.push(uri);
        const content = files.get(uri);
        if (content === undefined) return Promise.resolve(undefined);
        return Promise.resolve(
          typeof content === "string" ? { text: content } : { bytes: content },
        );
      },
    },
  }).attach(server);
  const client = new Client({ name: "unit", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  const capabilities = (client.getServerCapabilities() ?? {}) as Record<string, unknown>;
  const declared = options.declare === false ? { resources: {} } : capabilities;
  return {
    access: skillAccess(client, declared),
    reads,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

function rejectsWith(kind: string, message: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof McpcError, String(error));
    assert.equal(error.kind, kind);
    assert.match(error.message, message);
    return true;
  };
}

Deno.test("skillAccess().get() finds a skill by name, path or SKILL.md URI", async () => {
  const { access, reads, close } = await connected({
    skills: {
      "acme/refunds": { "SKILL.md": skillMd("refunds") },
      "git-flow": { "SKILL.md": skillMd("git-flow") },
    },
  });
  try {
    assert.equal((await access.get("git-flow")).uri, "skill://git-flow/SKILL.md");
    assert.equal((await access.get("acme/refunds")).uri, "skill://acme/refunds/SKILL.md");
    assert.equal((await access.get("skill://acme/refunds")).frontmatter.name, "refunds");
    await assert.rejects(access.get("nope"), rejectsWith("usage", /lists no skill named "nope"/));
    assert.deepEqual(reads, [], "finding a skill reads none of its files");
  } finally {
    await close();
  }
});

Deno.test("skillAccess().get() asks for the URI when two skills share a name", async () => {
  const { access, close } = await connected({
    skills: {
      "billing/refunds": { "SKILL.md": skillMd("refunds") },
      "support/refunds": { "SKILL.md": skillMd("refunds") },
    },
  });
  try {
    await assert.rejects(
      access.get("refunds"),
      rejectsWith(
        "usage",
        /^Several skills are named "refunds": skill:\/\/billing\/refunds\/SKILL\.md, skill:\/\/support\/refunds\/SKILL\.md; give the URI of one$/,
      ),
    );
  } finally {
    await close();
  }
});

Deno.test("skillAccess().readChunk() reads a file once and hands it out in pieces", async () => {
  const big = new Uint8Array(BIG).map((_, i) => i % 251);
  const { access, reads, close } = await connected({
    skills: { big: { "SKILL.md": skillMd("big"), "data.bin": big } },
  });
  try {
    const skill = await access.get("big");
    const first = await access.readChunk(skill, "skill://big/data.bin", 0);
    assert.equal(first.size, BIG);
    const second = await access.readChunk(skill, "skill://big/data.bin", SKILL_CHUNK_BYTES);
    const bytes = Buffer.concat([
      Buffer.from(first.data, "base64"),
      Buffer.from(second.data, "base64"),
    ]);
    assert.equal(Buffer.from(first.data, "base64").length, SKILL_CHUNK_BYTES);
    assert.deepEqual(new Uint8Array(bytes), big);
    assert.deepEqual(reads, ["skill://big/data.bin"], "one read for both pieces");
    // Once the last piece is out, a later piece is read (and verified) again.
    await access.readChunk(skill, "skill://big/data.bin", SKILL_CHUNK_BYTES);
    assert.equal(reads.length, 2);
  } finally {
    await close();
  }
});

Deno.test("skillAccess().readChunk() refuses a file that fails verification, naming it", async () => {
  const { access, close } = await connected({
    skills: { tidy: { "SKILL.md": skillMd("tidy"), "notes.md": "right\n" } },
    served: {
      "skill://tidy/notes.md": "wrong\n",
      "skill://tidy/SKILL.md": skillMd("tidy", "The tidy skil"),
    },
  });
  try {
    const skill = await access.get("tidy");
    await assert.rejects(
      access.readChunk(skill, "skill://tidy/notes.md", 0),
      rejectsWith(
        "server",
        /^Skill file skill:\/\/tidy\/notes\.md failed the digest check: it has digest sha256:[0-9a-f]{64}; the skill entry lists sha256:[0-9a-f]{64}$/,
      ),
    );
    await assert.rejects(
      access.readChunk(skill, "skill://tidy/SKILL.md", 0),
      rejectsWith("server", /failed the size check: it is \d+ bytes; the skill entry lists \d+$/),
    );
    await assert.rejects(
      access.readChunk(skill, "skill://tidy/other.md", 0),
      rejectsWith("server", /other\.md failed the unlisted check: it is not in the skill entry/),
    );
  } finally {
    await close();
  }
});

Deno.test("skillAccess() asks nothing of a server that does not declare the extension", async () => {
  const { access, reads, close } = await connected(
    { skills: { tidy: { "SKILL.md": skillMd("tidy") } } },
    { declare: false },
  );
  try {
    await assert.rejects(access.list(), rejectsWith("usage", /does not declare the Skills/));
    await assert.rejects(access.get("tidy"), rejectsWith("usage", /does not declare the Skills/));
    assert.deepEqual(reads, []);
  } finally {
    await close();
  }
});
