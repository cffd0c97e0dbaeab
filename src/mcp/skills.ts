/**
 * The Skills extension (SEP-2640) on one connection, through the SDK's
 * `SkillsClient`: lists the server's skills, finds one by name or URI, and
 * reads its files, each verified by the SDK against the skill entry (size and
 * digest; for `SKILL.md` also the frontmatter). Nothing here runs unless a
 * skills command asks: no listing or file is ever fetched ahead of need.
 *
 * Layer: edge (loads the SDK's skills extension; used only by the bridge).
 * @module
 */

import { Buffer } from "node:buffer";
import {
  type Skill,
  type SkillFile,
  SkillsClient,
  SkillVerificationError,
} from "@modelcontextprotocol/client/ext/skills";
import type { Client } from "./sdk.ts";
import { McpcError } from "../errors.ts";
import {
  declaresSkills,
  SKILL_CHUNK_BYTES,
  type SkillFileChunk,
  SKILLS_EXTENSION_ID,
} from "./skill_types.ts";

/** Per-call options (a subset of the connection's). */
export interface SkillCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A server's skills, fetched only when asked. */
export interface SkillAccess {
  /** Every valid entry (all pages), and the entries the SDK refused, with why. */
  list(options?: SkillCallOptions): Promise<SkillListing>;
  /**
   * One skill: `ref` is its `SKILL.md` URI (asked with `skills/get`, listed
   * or not) or a name (or its path, `acme/refunds`) found in the listing.
   */
  get(ref: string, options?: SkillCallOptions): Promise<Skill>;
  /**
   * A piece of one file of `skill`, from `offset`: the whole file is read
   * (and verified) when `offset` is 0, and held until its last piece is sent.
   */
  readChunk(
    skill: Skill,
    uri: string,
    offset: number,
    options?: SkillCallOptions,
  ): Promise<SkillFileChunk>;
}

/** What {@linkcode SkillAccess.list} returns. */
export interface SkillListing {
  skills: Skill[];
  /** Entries left out as invalid: where in the listing, their URI, and why. */
  invalid: { index: number; uri?: string; reason: string }[];
}

/**
 * The SDK's client for the extension, told by mcpc whether the server
 * declared it: a resumed 2025-era session skipped the handshake, so the SDK
 * does not know the server's capabilities, while mcpc has them on record.
 */
class McpcSkillsClient extends SkillsClient {
  readonly #declared: boolean;

  constructor(client: Client, declared: boolean) {
    super(client, { skipInvalid: true });
    this.#declared = declared;
  }

  override get supported(): boolean {
    return this.#declared;
  }
}

/** The file a {@linkcode SkillAccess.readChunk} read last, until its last piece is sent. */
interface HeldFile {
  key: string;
  file: SkillFile;
}

/** The skills of the server behind `client`, whose capabilities are `capabilities`. */
export function skillAccess(client: Client, capabilities: Record<string, unknown>): SkillAccess {
  const declared = declaresSkills(capabilities);
  const skills = new McpcSkillsClient(client, declared);
  let held: HeldFile | undefined;
  const require = () => {
    if (!declared) {
      throw new McpcError(
        "usage",
        `The server does not declare the Skills extension (${SKILLS_EXTENSION_ID})`,
        { userInput: true },
      );
    }
  };
  const list = async (options: SkillCallOptions = {}): Promise<SkillListing> => {
    require();
    const listing = await skills.list({}, sdkOptions(options));
    return { skills: listing.skills, invalid: listing.invalid };
  };
  return {
    list,
    async get(ref, options = {}) {
      require();
      const text = ref.trim();
      if (text === "") throw new McpcError("usage", "The skill name is empty", { userInput: true });
      if (isUri(text)) return (await skills.get(skillMdUri(text), sdkOptions(options))).skill;
      return pickByName(text, (await list(options)).skills);
    },
    async readChunk(skill, uri, offset, options = {}) {
      require();
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new McpcError("usage", `Invalid offset ${offset} in skill file ${uri}`);
      }
      const key = heldKey(skill, uri);
      if (offset === 0 || held?.key !== key) {
        held = undefined;
        held = { key, file: await readVerified(skills, skill, uri, options) };
      }
      const { file } = held;
      const size = file.bytes.byteLength;
      if (offset > size) {
        throw new McpcError("usage", `Offset ${offset} is past the end of skill file ${uri}`);
      }
      const end = Math.min(size, offset + SKILL_CHUNK_BYTES);
      if (end === size) held = undefined;
      return {
        uri: file.uri,
        size,
        offset,
        data: Buffer.from(file.bytes.subarray(offset, end)).toString("base64"),
        ...(file.mimeType !== undefined ? { mimeType: file.mimeType } : {}),
      };
    },
  };
}

/** Reads `uri` of `skill` from the server (never from a cache) and has the SDK verify it. */
async function readVerified(
  skills: SkillsClient,
  skill: Skill,
  uri: string,
  options: SkillCallOptions,
): Promise<SkillFile> {
  try {
    return await skills.read(skill, uri, { ...sdkOptions(options), cacheMode: "bypass" });
  } catch (error) {
    if (error instanceof SkillVerificationError) throw verificationFailure(error);
    if (error instanceof TypeError) {
      throw new McpcError("server", `The skill entry of ${skill.uri} is invalid: ${error.message}`);
    }
    throw error;
  }
}

/**
 * What a failed verification says, in one line: the file, the check, and
 * what differed (`it has digest sha256:…; the skill entry lists sha256:…`).
 */
function verificationFailure(error: SkillVerificationError): McpcError {
  const detail = error.reason === "unlisted"
    ? "it is not in the skill entry's file list"
    : error.message.replace(`the frontmatter of ${error.uri}`, "its frontmatter")
      .replace(`${error.uri} `, "it ");
  return new McpcError(
    "server",
    `Skill file ${error.uri} failed the ${error.reason} check: ${oneLine(detail)}`,
    { cause: error },
  );
}

/** The held file's identity: the skill, the file, and the digest the entry lists for it. */
function heldKey(skill: Skill, uri: string): string {
  const listed = skill.resources === "dynamic"
    ? undefined
    : skill.resources.find((resource) => resource.uri === uri);
  return JSON.stringify([skill.uri, uri, listed?.digest ?? "", listed?.size ?? -1]);
}

/** The skill named `name` (its frontmatter name, or its path) in `skills`; exactly one. */
function pickByName(name: string, skills: readonly Skill[]): Skill {
  const matches = skills.filter((skill) =>
    skill.frontmatter.name === name || skillPathOf(skill.uri) === name
  );
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new McpcError(
      "usage",
      `The server lists no skill named "${name}" (skills-list shows them; ` +
        "the URI of a skill's SKILL.md also works)",
      { userInput: true },
    );
  }
  throw new McpcError(
    "usage",
    `Several skills are named "${name}": ${matches.map((skill) => skill.uri).join(", ")}; ` +
      "give the URI of one",
    { userInput: true },
  );
}

/** `acme/refunds` for `skill://acme/refunds/SKILL.md` (no scheme, no `/SKILL.md`). */
function skillPathOf(uri: string): string {
  return uri.replace(/^[a-z][\w+.-]*:\/\//i, "").replace(/\/SKILL\.md$/, "");
}

function isUri(text: string): boolean {
  return /^[a-z][\w+.-]*:\/\//i.test(text);
}

/** The `SKILL.md` URI for a skill URI given with or without it (`skill://x`, `skill://x/`). */
function skillMdUri(uri: string): string {
  if (uri.endsWith("/SKILL.md")) return uri;
  return `${uri.replace(/\/+$/, "")}/SKILL.md`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ");
}

function sdkOptions(options: SkillCallOptions): { signal?: AbortSignal; timeout?: number } {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  };
}
