/**
 * Human output of `skills-list`, `skills-get` and `skills-pull` (the Skills
 * extension, SEP-2640): compact bullets like `resources-list`, a skill's
 * frontmatter and file manifest, and what a pull wrote.
 *
 * Layer: pure.
 * @module
 */

import type { Skill } from "../../mcp/skill_types.ts";
import type { Theme } from "../theme.ts";
import { shellQuote } from "../shell_quote.ts";
import { fence, summaryLine } from "./misc.ts";
import { formatBytes } from "./resources.ts";

/** One file of a skill as `skills-get` shows it. */
export interface SkillFileLine {
  uri: string;
  /** Its path below the skill's folder; absent when it has no safe one. */
  path?: string;
  size: number;
  digest: string;
}

/** What {@linkcode renderSkillPulled} reports about a pulled skill. */
export interface SkillPulledInfo {
  name: string;
  uri: string;
  /** The folder written. */
  path: string;
  files: { path: string; size: number }[];
}

/** `2 files, 1.3 KB` for a listed manifest, `dynamic` for a skill without one. */
function manifestSummary(resources: Skill["resources"]): string {
  if (resources === "dynamic") return "dynamic";
  const bytes = resources.reduce((sum, resource) => sum + resource.size, 0);
  const files = resources.length === 1 ? "1 file" : `${resources.length} files`;
  return `${files}, ${formatBytes(bytes)}`;
}

/** `skills-list`: `Skills (N):`, two lines per skill, and what to run next. */
export function renderSkills(skills: readonly Skill[], sessionName: string, theme: Theme): string {
  const title = theme.bold(`Skills (${skills.length}):`);
  if (skills.length === 0) return [title, theme.dim("(none)")].join("\n");
  const lines = [title];
  for (const skill of skills) {
    const details = theme.dim(`(${manifestSummary(skill.resources)})`);
    lines.push(`* ${theme.grey(`\`${skill.frontmatter.name}\``)} ${skill.uri} ${details}`);
    const description = summaryLine(skill.frontmatter.description);
    if (description) lines.push(`  ${theme.dim(description)}`);
  }
  const get = theme.grey(`\`mcpc ${sessionName} skills-get <name>\``);
  const pull = theme.grey(`\`mcpc ${sessionName} skills-pull <name> [dir]\``);
  return [...lines, "", `For a skill's files, run ${get}; to download one, ${pull}`].join("\n");
}

/**
 * `skills-get`: the name, URI and description, the frontmatter as JSON, and
 * one bullet per file (path, size, digest); then how to pull it.
 */
export function renderSkillDetail(
  skill: Skill,
  files: readonly SkillFileLine[] | "dynamic",
  options: { sessionName: string; theme: Theme },
): string {
  const { sessionName, theme } = options;
  const name = skill.frontmatter.name;
  const header = [
    `${theme.bold("Skill:")} ${name}`,
    `${theme.bold("URI:")} ${skill.uri}`,
    `${theme.bold("Description:")} ${summaryLine(skill.frontmatter.description, 500)}`,
  ].join("\n");
  const frontmatter = `${theme.bold("Frontmatter:")}\n${
    fence(JSON.stringify(skill.frontmatter, null, 2))
  }`;
  const sections = [header, frontmatter];
  if (files === "dynamic") {
    sections.push(
      `${theme.bold("Files:")} dynamic ${
        theme.dim("(the server publishes no file list or digests; skills-pull refuses it)")
      }`,
    );
    return sections.join("\n\n");
  }
  const bullets = files.map((file) => {
    const where = file.path === undefined
      ? `${theme.grey(`\`${file.uri}\``)} ${theme.red("(outside the skill's folder)")}`
      : theme.grey(`\`${file.path}\``);
    return `* ${where} ${formatBytes(file.size)} ${theme.dim(file.digest)}`;
  });
  const bytes = formatBytes(files.reduce((sum, file) => sum + file.size, 0));
  sections.push([theme.bold(`Files (${files.length}, ${bytes}):`), ...bullets].join("\n"));
  const pull = theme.grey(`\`mcpc ${sessionName} skills-pull ${shellQuote(name)} [dir]\``);
  sections.push(`To download it, run ${pull}`);
  return sections.join("\n\n");
}

/** `✓ Pulled skill <name> to <path> (N files, size)` and one line per file written. */
export function renderSkillPulled(info: SkillPulledInfo, theme: Theme): string {
  const bytes = info.files.reduce((sum, file) => sum + file.size, 0);
  const count = info.files.length === 1 ? "1 file" : `${info.files.length} files`;
  const lines = [
    theme.green(`✓ Pulled skill ${info.name} to ${info.path} (${count}, ${formatBytes(bytes)})`),
    ...info.files.map((file) => `  ${file.path} ${theme.dim(`(${formatBytes(file.size)})`)}`),
  ];
  return lines.join("\n");
}
