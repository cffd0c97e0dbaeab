/**
 * Skill commands on a session (the Skills extension, SEP-2640):
 * `skills-list`, `skills-get <name>` and `skills-pull <name> [dir]`. A pull
 * fetches every file through the bridge, which has each one verified against
 * the skill's entry; only when all of them passed is anything written: into
 * a new folder next to the target, which then takes the target's place.
 *
 * Layer: use case.
 * @module
 */

import { Buffer } from "node:buffer";
import { basename, dirname, join, resolve } from "node:path";
import type { AppContext } from "../context.ts";
import { McpcError, serverError, usageError } from "../errors.ts";
import { declaresSkills, type Skill, SKILLS_EXTENSION_ID } from "../mcp/skill_types.ts";
import {
  renderSkillDetail,
  renderSkillPulled,
  renderSkills,
  type SkillFileLine,
} from "../render/human/skills.ts";
import { safeText } from "../render/safe_text.ts";
import type { CommandOutput } from "./output.ts";
import type { OpenSession } from "./session_bridge.ts";
import { call, withSession } from "./session_commands.ts";
import { planSkillFiles, relativeSkillPath, type SkillFilePlan } from "./skill_paths.ts";

/** Most bytes a pull holds in memory (4 × the 16 MiB every host must accept, SEP-2640). */
export const PULL_MAX_BYTES = 64 * 1024 * 1024;

/** `skills-list`: every skill the server lists; entries the SDK refused are named on stderr. */
export function skillsList(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    requireSkills(session, name);
    const { skills, invalid } = await call(ctx, session, "listSkills", {});
    for (const entry of invalid) {
      const which = `#${entry.index}${entry.uri ? ` ${entry.uri}` : ""}`;
      ctx.stderr(`${safeText(`Warning: skill entry ${which} was left out: ${entry.reason}`)}\n`);
    }
    return {
      json: skills,
      human: (theme) => renderSkills(skills, name, theme),
      truncatable: true,
    };
  });
}

/** `skills-get <name>`: one skill's entry (frontmatter and file manifest). */
export function skillsGet(ctx: AppContext, name: string, ref: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    requireSkills(session, name);
    const { skill } = await call(ctx, session, "getSkill", { name: ref });
    return {
      json: skill,
      human: (theme) => renderSkillDetail(skill, fileLines(skill), { sessionName: name, theme }),
      truncatable: true,
    };
  });
}

/** Options of `skills-pull`. */
export interface PullOptions {
  /** Where to write the skill (relative to the working directory); default `./<name>`. */
  dir?: string;
  /** `--force`: replace `dir` if it exists and is not empty. */
  force: boolean;
}

/** `skills-pull <name> [dir]`: every file, verified, written to `dir` at once. */
export async function skillsPull(
  ctx: AppContext,
  name: string,
  ref: string,
  options: PullOptions,
): Promise<CommandOutput> {
  if (options.dir !== undefined && options.dir.trim() === "") {
    throw usageError("The folder to pull the skill into is empty", { userInput: true });
  }
  const pulled = await withSession(ctx, name, async (session) => {
    requireSkills(session, name);
    const { skill } = await call(ctx, session, "getSkill", { name: ref });
    const plans = planSkillFiles(skill);
    const total = plans.reduce((sum, plan) => sum + plan.size, 0);
    if (total > PULL_MAX_BYTES) {
      throw serverError(
        `Skill "${skill.frontmatter.name}" is ${total} bytes, more than mcpc pulls ` +
          `(${PULL_MAX_BYTES}); nothing was written`,
      );
    }
    const typed = options.dir ?? skill.frontmatter.name;
    const target = resolve(ctx.cwd, typed);
    // Refused before any file is read, and checked again when the folder is put in place.
    const state = await targetState(target, typed, options.force);
    const files: PulledFile[] = [];
    for (const plan of plans) {
      files.push({ plan, bytes: await fetchFile(ctx, session, skill, plan) });
    }
    return { skill, target, typed, state, files };
  });
  const { skill, target, typed, state, files } = pulled;
  await writeSkill(target, files, { state, typed });
  const info = {
    name: skill.frontmatter.name,
    uri: skill.uri,
    path: target,
    files: files.map(({ plan }) => ({
      path: plan.path,
      uri: plan.uri,
      size: plan.size,
      digest: plan.digest,
    })),
  };
  return { json: info, human: (theme) => renderSkillPulled(info, theme) };
}

/** Refuses a server that does not declare the extension (when its capabilities are on record). */
function requireSkills(session: OpenSession, name: string): void {
  const capabilities = session.record.initializeResult?.capabilities;
  if (capabilities !== undefined && !declaresSkills(capabilities)) {
    throw usageError(
      `The server of ${name} does not declare the Skills extension (${SKILLS_EXTENSION_ID})`,
      { userInput: true },
    );
  }
}

/** The manifest of `skill` with each file's path below the skill's folder, where it has one. */
function fileLines(skill: Skill): SkillFileLine[] | "dynamic" {
  if (skill.resources === "dynamic") return "dynamic";
  return skill.resources.map((resource) => {
    let path: string | undefined;
    try {
      path = resource.uri === skill.uri ? "SKILL.md" : relativeSkillPath(skill.uri, resource.uri);
    } catch {
      path = undefined;
    }
    return {
      uri: resource.uri,
      ...(path !== undefined ? { path } : {}),
      size: resource.size,
      digest: resource.digest,
    };
  });
}

/** One file of the skill, read and verified. */
interface PulledFile {
  plan: SkillFilePlan;
  bytes: Uint8Array;
}

/** What is at the target: nothing, an empty folder, or something `--force` replaces. */
type TargetState = "missing" | "empty" | "occupied";

/** The whole file, piece by piece; a failed verification names the skill and says nothing was written. */
async function fetchFile(
  ctx: AppContext,
  session: OpenSession,
  skill: Skill,
  plan: SkillFilePlan,
): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let offset = 0;
  let size = 0;
  try {
    do {
      const chunk = await call(ctx, session, "readSkillFile", { skill, uri: plan.uri, offset });
      const bytes = new Uint8Array(Buffer.from(chunk.data, "base64"));
      if (chunk.offset !== offset || bytes.length === 0 && offset < chunk.size) {
        throw serverError(`The bridge sent skill file ${plan.uri} out of order`);
      }
      pieces.push(bytes);
      offset += bytes.length;
      size = chunk.size;
    } while (offset < size);
  } catch (error) {
    if (!(error instanceof McpcError) || error.kind !== "server") throw error;
    throw new McpcError(
      "server",
      `Cannot pull skill "${skill.frontmatter.name}": ${lowerFirst(error.message)}; ` +
        "nothing was written",
      { cause: error },
    );
  }
  // The bridge verified the file; this checks only that every piece arrived.
  if (offset !== plan.size) {
    throw serverError(
      `Cannot pull skill "${skill.frontmatter.name}": skill file ${plan.uri} arrived with ` +
        `${offset} bytes, the entry lists ${plan.size}; nothing was written`,
    );
  }
  return pieces.length === 1 ? pieces[0] : concat(pieces, offset);
}

/** Whether the target can take the skill; refuses a non-empty one without `--force`. */
async function targetState(path: string, typed: string, force: boolean): Promise<TargetState> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw usageError(`Cannot use ${typed}: ${(error as Error).message}`, { userInput: true });
  }
  if (info.isSymlink) {
    throw usageError(`${typed} is a symbolic link; give a folder that is not one`, {
      userInput: true,
    });
  }
  if (info.isDirectory && await isEmptyFolder(path)) return "empty";
  if (force) return "occupied";
  throw usageError(
    info.isDirectory
      ? `Folder ${typed} is not empty; use --force to replace it`
      : `${typed} exists and is not a folder; use --force to replace it`,
    { userInput: true },
  );
}

async function isEmptyFolder(path: string): Promise<boolean> {
  for await (const _ of Deno.readDir(path)) return false;
  return true;
}

/**
 * Writes the files into a new folder next to `target`, then puts it in
 * `target`'s place (an empty folder there is removed first; with `--force`
 * whatever is there is moved aside and removed once the new folder is in
 * place). On any failure the new folder is removed and `target` is left as
 * it was.
 */
async function writeSkill(
  target: string,
  files: readonly PulledFile[],
  options: { state: TargetState; typed: string },
): Promise<void> {
  const parent = dirname(target);
  const staging = join(parent, `.${basename(target)}.mcpc-${crypto.randomUUID()}`);
  try {
    await Deno.mkdir(parent, { recursive: true });
    await Deno.mkdir(staging);
    try {
      for (const { plan, bytes } of files) {
        const path = join(staging, ...plan.path.split("/"));
        await Deno.mkdir(dirname(path), { recursive: true });
        await Deno.writeFile(path, bytes, { createNew: true });
      }
      await putInPlace(staging, target, options.state);
    } catch (error) {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
      throw error;
    }
  } catch (error) {
    if (error instanceof McpcError) throw error;
    throw usageError(`Cannot write the skill to ${options.typed}: ${(error as Error).message}`);
  }
}

async function putInPlace(staging: string, target: string, state: TargetState): Promise<void> {
  if (state === "empty") await Deno.remove(target);
  if (state !== "occupied") {
    await Deno.rename(staging, target);
    return;
  }
  const aside = `${staging}-old`;
  await Deno.rename(target, aside);
  try {
    await Deno.rename(staging, target);
  } catch (error) {
    await Deno.rename(aside, target).catch(() => {});
    throw error;
  }
  await Deno.remove(aside, { recursive: true });
}

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  const whole = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    whole.set(piece, at);
    at += piece.length;
  }
  return whole;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
