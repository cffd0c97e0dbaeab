/**
 * Where each file of a skill goes on disk: the path of its URI below the
 * skill's root (the `SKILL.md` URI without `/SKILL.md`), refused when it
 * would leave the folder the skill is pulled into (`..`, an absolute path, a
 * segment that decodes to a separator or a control character) or land where
 * another file of the skill goes.
 *
 * Layer: pure.
 * @module
 */

import { serverError } from "../errors.ts";
import type { Skill } from "../mcp/skill_types.ts";

/** One file of a skill and where it goes, relative to the pull's folder. */
export interface SkillFilePlan {
  /** The file's URI, as the skill entry lists it. */
  uri: string;
  /** Where it goes: `/`-separated segments, none empty, `.` or `..`. */
  path: string;
  /** Its size in bytes, as the entry lists it. */
  size: number;
  /** Its digest (`sha256:<hex>`), as the entry lists it. */
  digest: string;
}

/** A file URI of a skill that has no safe place below the skill's folder. */
export class SkillPathError extends Error {
  /** The offending URI. */
  readonly uri: string;

  constructor(uri: string, reason: string) {
    super(`${uri} ${reason}`);
    this.name = "SkillPathError";
    this.uri = uri;
  }
}

const MANIFEST = "SKILL.md";

/** A character no file name of a pulled skill may hold: a separator (`/`, `\`) or a control. */
// deno-lint-ignore no-control-regex -- control characters are what this refuses
const UNSAFE_IN_SEGMENT = /[\\/\x00-\x1f\x7f]/;

/**
 * The path of `fileUri` below the root of the skill whose `SKILL.md` is at
 * `skillUri`, e.g. `references/FORMS.md`. Throws {@linkcode SkillPathError}
 * when it is not strictly inside the root or a segment is unsafe.
 */
export function relativeSkillPath(skillUri: string, fileUri: string): string {
  const root = skillRootOf(skillUri);
  if (root === undefined) {
    throw new SkillPathError(skillUri, `is not the URI of a SKILL.md`);
  }
  let canonical: string;
  try {
    canonical = new URL(fileUri).href;
  } catch {
    throw new SkillPathError(fileUri, "is not a valid URI");
  }
  if (/[?#]/.test(canonical)) {
    throw new SkillPathError(fileUri, "has a query or fragment, so it names no file");
  }
  if (!canonical.startsWith(`${root}/`)) {
    throw new SkillPathError(fileUri, `is outside the skill's folder ${root}`);
  }
  const segments = canonical.slice(root.length + 1).split("/").map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new SkillPathError(fileUri, `has a malformed escape in "${segment}"`);
    }
    if (decoded === "" || decoded === "." || decoded === "..") {
      throw new SkillPathError(fileUri, `has a path segment "${decoded}" that leaves no file name`);
    }
    if (UNSAFE_IN_SEGMENT.test(decoded)) {
      throw new SkillPathError(
        fileUri,
        `has a path segment ${JSON.stringify(decoded)} with a separator or control character`,
      );
    }
    return decoded;
  });
  return segments.join("/");
}

/**
 * Every file of `skill` and where it goes, `SKILL.md` first (it is read
 * first, so a skill that fails its own checks is refused before any other
 * file is fetched). Throws a server error (exit 2) for a `"dynamic"` skill,
 * an unsafe path, or two files that would land on the same path (letter
 * case aside) or one inside the other.
 */
export function planSkillFiles(skill: Skill): SkillFilePlan[] {
  const name = skill.frontmatter.name;
  if (skill.resources === "dynamic") {
    throw serverError(
      `Skill "${name}" is dynamic: its server publishes no file list with digests, ` +
        "so mcpc cannot pull it verified",
    );
  }
  const plans: SkillFilePlan[] = [];
  for (const resource of skill.resources) {
    let path: string;
    try {
      path = resource.uri === skill.uri ? MANIFEST : relativeSkillPath(skill.uri, resource.uri);
    } catch (error) {
      if (!(error instanceof SkillPathError)) throw error;
      throw serverError(`Refused to pull skill "${name}": file ${error.message}`);
    }
    plans.push({ uri: resource.uri, path, size: resource.size, digest: resource.digest });
  }
  refuseCollisions(name, plans);
  const manifest = plans.filter((plan) => plan.path === MANIFEST);
  if (manifest.length !== 1) {
    throw serverError(`Refused to pull skill "${name}": its file list has no ${MANIFEST}`);
  }
  return [...manifest, ...plans.filter((plan) => plan.path !== MANIFEST)];
}

/** Two files on one path (any letter case), or a file where another needs a folder. */
function refuseCollisions(name: string, plans: readonly SkillFilePlan[]): void {
  const byPath = new Map<string, SkillFilePlan>();
  for (const plan of plans) {
    const key = plan.path.toLowerCase();
    const other = byPath.get(key);
    if (other !== undefined) {
      throw serverError(
        `Refused to pull skill "${name}": files ${other.uri} and ${plan.uri} would both be ` +
          `written to ${plan.path}`,
      );
    }
    byPath.set(key, plan);
  }
  for (const plan of plans) {
    const segments = plan.path.toLowerCase().split("/");
    for (let end = 1; end < segments.length; end++) {
      const file = byPath.get(segments.slice(0, end).join("/"));
      if (file !== undefined) {
        throw serverError(
          `Refused to pull skill "${name}": file ${plan.uri} would be written inside ` +
            `${file.path}, which is a file of the skill too`,
        );
      }
    }
  }
}

/** The skill's root URI (canonical, no trailing slash), or `undefined` if `skillUri` is no `…/SKILL.md`. */
function skillRootOf(skillUri: string): string | undefined {
  let canonical: string;
  try {
    canonical = new URL(skillUri).href;
  } catch {
    return undefined;
  }
  if (!canonical.endsWith(`/${MANIFEST}`)) return undefined;
  const root = canonical.slice(0, -(MANIFEST.length + 1));
  return root.endsWith("/") || root.endsWith(":/") ? undefined : root;
}
