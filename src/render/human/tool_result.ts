/**
 * Human output of a `tools-call` result (reference §3.2.4): the banner, the
 * content blocks, structured content, metadata and the hint shown on errors.
 *
 * Layer: pure.
 * @module
 */

import type { CallToolResult, ContentBlock } from "../../mcp/types.ts";
import type { Theme } from "../theme.ts";
import { FENCE, fence, renderMetadata } from "./misc.ts";

/** Options for {@linkcode renderToolCallResult}. */
export interface ToolCallResultOptions {
  toolName: string;
  sessionName: string;
  theme: Theme;
  /** Replaces the success banner (e.g. a task's). */
  successBanner?: string;
  /** Replaces the error banner. */
  errorBanner?: string;
}

/** Deep equality of two JSON values (key order does not matter). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}

/** Whether `text` is JSON equal to `structured` (such text blocks duplicate the structured content). */
function duplicatesStructured(text: string, structured: unknown): boolean {
  try {
    return jsonEqual(JSON.parse(text), structured);
  } catch {
    return false;
  }
}

function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * One content block as tool results and prompt messages show it: text in a
 * fence, images and audio summarised (never their base64), links and embedded
 * resources as bullets, anything else as pretty JSON.
 */
export function renderContentBlock(block: ContentBlock, theme: Theme): string {
  switch (block.type) {
    case "text":
      return fence(block.text);
    case "image":
      return `[Image: ${block.mimeType}, ${block.data.length} chars base64]`;
    case "audio":
      return `[Audio: ${block.mimeType}, ${block.data.length} chars base64]`;
    case "resource_link": {
      const lines = [theme.bold("Resource link"), `* URI: ${block.uri}`, `* Name: ${block.name}`];
      if (block.description) lines.push(`* Description: ${FENCE}${block.description}${FENCE}`);
      if (block.mimeType) lines.push(`* MIME type: ${block.mimeType}`);
      return lines.join("\n");
    }
    case "resource": {
      const resource = block.resource;
      const lines = [theme.bold("Embedded resource"), `* URI: ${resource.uri}`];
      if (resource.mimeType) lines.push(`* MIME type: ${resource.mimeType}`);
      if ("text" in resource) lines.push(fence(resource.text));
      else lines.push(`[Binary: ${resource.blob.length} chars base64]`);
      return lines.join("\n");
    }
    default:
      return fence(prettyJson(block));
  }
}

/** The result body without a banner: Content / Structured content / Metadata, or `(no content)`. */
export function renderToolResultBody(result: CallToolResult, theme: Theme): string {
  const structured = result.structuredContent;
  const visible = (result.content ?? []).filter((block) =>
    !(structured !== undefined && block.type === "text" &&
      duplicatesStructured(block.text, structured))
  );
  const sections: string[] = [];
  if (visible.length > 0) {
    const blocks = visible.map((block) => renderContentBlock(block, theme)).join("\n\n");
    sections.push(`${theme.bold("Content:")}\n${blocks}`);
  } else if (structured !== undefined) {
    sections.push(`${theme.bold("Structured content:")}\n${fence(prettyJson(structured))}`);
  }
  const metadata = renderMetadata(result._meta, theme);
  if (metadata) sections.push(metadata);
  if (sections.length === 0) return theme.dim("(no content)");
  return sections.join("\n\n");
}

/** `tools-call`: the success or error banner, the result body and, on `isError`, a `tools-get` hint. */
export function renderToolCallResult(
  result: CallToolResult,
  options: ToolCallResultOptions,
): string {
  const { toolName, sessionName, theme } = options;
  const banner = result.isError
    ? theme.red(options.errorBanner ?? `✗ Tool ${toolName} returned an error`)
    : theme.green(
      options.successBanner ?? `✓ Tool ${toolName} executed successfully with these results:`,
    );
  const parts = [banner, "", renderToolResultBody(result, theme)];
  if (result.isError) {
    parts.push(
      "",
      theme.cyan(
        `ℹ Run mcpc ${sessionName} tools-get ${toolName} to see the tool schema and usage`,
      ),
    );
  }
  return parts.join("\n");
}
