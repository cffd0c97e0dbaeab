/**
 * Types and constants of the MCP Skills extension (SEP-2640,
 * `io.modelcontextprotocol/skills`) that the CLI side uses. Importing this
 * loads no SDK code, so the session-command path may use it.
 *
 * Layer: pure.
 * @module
 */

export type { Skill, SkillResourceEntry } from "@modelcontextprotocol/client/ext/skills";

/** The extension's identifier, as servers declare it under `capabilities.extensions`. */
export const SKILLS_EXTENSION_ID = "io.modelcontextprotocol/skills";

/** Most bytes of a skill file one `readSkillFile` answer carries (before base64). */
export const SKILL_CHUNK_BYTES = 4 * 1024 * 1024;

/** One piece of a skill file, read and verified by the bridge. */
export interface SkillFileChunk {
  /** The file's URI, as the skill entry lists it. */
  uri: string;
  /** The whole file's size in bytes. */
  size: number;
  /** Where this piece starts in the file. */
  offset: number;
  /** The piece's bytes, base64. */
  data: string;
  /** The type the server gave the file, if any. */
  mimeType?: string;
}

/** Whether `capabilities` (a server's) declare the Skills extension. */
export function declaresSkills(capabilities: Record<string, unknown> | undefined): boolean {
  const extensions = capabilities?.extensions;
  if (typeof extensions !== "object" || extensions === null) return false;
  const value = (extensions as Record<string, unknown>)[SKILLS_EXTENSION_ID];
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
