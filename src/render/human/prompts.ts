/**
 * Human output of `prompts-list` and `prompts-get` (reference §3.2.5): a
 * compact list with inline arguments, and a prompt's messages rendered like
 * tool-result content blocks.
 *
 * Layer: pure.
 * @module
 */

import type { GetPromptResult, Prompt } from "../../mcp/types.ts";
import type { Theme } from "../theme.ts";
import { fence, renderMetadata, summaryLine } from "./misc.ts";
import { renderContentBlock } from "./tool_result.ts";

/** Options for {@linkcode renderPromptGet}. */
export interface PromptGetOptions {
  /** The prompt's name, as asked for. */
  name: string;
  sessionName: string;
  theme: Theme;
}

const MAX_INLINE_ARGUMENTS = 3;

/** `name (req, opt?, …)`: required arguments first, then optional ones, at most three shown. */
function compactSignature(prompt: Prompt): string {
  const args = prompt.arguments ?? [];
  const ordered = [...args.filter((a) => a.required), ...args.filter((a) => !a.required)];
  const shown = ordered.slice(0, MAX_INLINE_ARGUMENTS).map((a) =>
    `${a.name}${a.required ? "" : "?"}`
  );
  if (ordered.length > MAX_INLINE_ARGUMENTS) shown.push("…");
  return `${prompt.name} (${shown.join(", ")})`;
}

/** The indented dim line under a prompt: its title and the first line of its description. */
function summary(prompt: Prompt): string {
  return [prompt.title, prompt.description]
    .map((text) => (text ? summaryLine(text) : ""))
    .filter((text) => text !== "")
    .join(" - ");
}

/** `prompts-list`: `Prompts (N):`, a bullet per prompt with its arguments, and how to get one. */
export function renderPrompts(
  prompts: readonly Prompt[],
  sessionName: string,
  theme: Theme,
): string {
  const title = theme.bold(`Prompts (${prompts.length}):`);
  if (prompts.length === 0) return [title, theme.dim("(none)")].join("\n");
  const lines = [title];
  for (const prompt of prompts) {
    lines.push(`* ${theme.grey(`\`${compactSignature(prompt)}\``)}`);
    const text = summary(prompt);
    if (text) lines.push(`  ${theme.dim(text)}`);
  }
  const get = theme.grey(`\`mcpc ${sessionName} prompts-get <name> [arg:=value ...]\``);
  lines.push("", `For a prompt's messages, run ${get}`);
  return lines.join("\n");
}

/**
 * `prompts-get`: the description (if any), then `Messages (N):` with each
 * message's role and its content block, then the result's metadata.
 */
export function renderPromptGet(result: GetPromptResult, options: PromptGetOptions): string {
  const { theme } = options;
  const sections: string[] = [];
  if (result.description) {
    sections.push(`${theme.bold("Description:")}\n${fence(result.description)}`);
  }
  const messages = result.messages ?? [];
  const lines = [theme.bold(`Messages (${messages.length}):`)];
  if (messages.length === 0) lines.push(theme.dim("(no messages)"));
  for (const message of messages) {
    lines.push(
      "",
      theme.bold(`Role: ${message.role}`),
      renderContentBlock(message.content, theme),
    );
  }
  sections.push(lines.join("\n"));
  const metadata = renderMetadata(result._meta, theme);
  if (metadata) sections.push(metadata);
  return sections.join("\n\n");
}
