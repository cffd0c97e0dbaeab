/**
 * Human output of `resources-list`, `resources-templates-list`,
 * `resources-read` (printed or saved), `resources-subscribe` and
 * `resources-unsubscribe` (reference §3.2.5). The lists are compact, like
 * `tools-list`; binary contents are summarised, never printed.
 *
 * Layer: pure.
 * @module
 */

import type { ReadResourceResult, Resource, ResourceTemplate } from "../../mcp/types.ts";
import type { Theme } from "../theme.ts";
import { shellQuote } from "../shell_quote.ts";
import { fence, renderMetadata, summaryLine } from "./misc.ts";

/** Options for {@linkcode renderResourceContents}. */
export interface ResourceContentsOptions {
  /** The URI that was read (stands in for an item without one). */
  uri: string;
  sessionName: string;
  theme: Theme;
}

/** What {@linkcode renderResourceSaved} reports about a resource written to a file. */
export interface ResourceSavedInfo {
  uri: string;
  /** The file written. */
  path: string;
  /** How many bytes were written. */
  bytes: number;
  mimeType?: string;
}

/** The fields a list bullet shows, shared by resources and templates. */
interface ListItem {
  name?: string;
  title?: string;
  mimeType?: string;
  description?: string;
}

const UNITS = ["KB", "MB", "GB", "TB"];

/** A byte count for people: `1 byte`, `340 bytes`, `1.2 KB`, `3.4 MB` (1 KB = 1024 bytes). */
export function formatBytes(bytes: number): string {
  if (!(bytes >= 1024)) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  // Move up a unit also when rounding would show `1024.0`.
  while (unit < UNITS.length - 1 && Number(value.toFixed(1)) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** The number of bytes base64 `data` decodes to (whitespace ignored, padding counted out). */
function decodedLength(data: string): number {
  const compact = data.replace(/\s+/g, "");
  const padding = compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((compact.length * 3) / 4) - padding);
}

function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** `` * `code` name (mime) `` and, with a description, its first line indented below. */
function itemLines(code: string, item: ListItem, theme: Theme): string[] {
  const label = item.title || (item.name !== code ? item.name : undefined);
  const details = [label ? summaryLine(label) : "", item.mimeType ? `(${item.mimeType})` : ""]
    .filter((part) => part !== "");
  let line = `* ${theme.grey(`\`${code}\``)}`;
  if (details.length > 0) line += ` ${theme.dim(details.join(" "))}`;
  const lines = [line];
  const description = item.description ? summaryLine(item.description) : "";
  if (description) lines.push(`  ${theme.dim(description)}`);
  return lines;
}

/** A titled list of bullets, or the title and `(none)`; the hint follows a non-empty list. */
function renderList(title: string, bullets: string[], hint: string, theme: Theme): string {
  if (bullets.length === 0) return [theme.bold(title), theme.dim("(none)")].join("\n");
  return [theme.bold(title), ...bullets, "", hint].join("\n");
}

/** `resources-list`: `Resources (N):`, a bullet per resource, and how to read one. */
export function renderResources(
  resources: readonly Resource[],
  sessionName: string,
  theme: Theme,
): string {
  const bullets = resources.flatMap((resource) => itemLines(resource.uri, resource, theme));
  const read = theme.grey(`\`mcpc ${sessionName} resources-read <uri>\``);
  return renderList(
    `Resources (${resources.length}):`,
    bullets,
    `For a resource's contents, run ${read}`,
    theme,
  );
}

/** `resources-templates-list`: `Resource templates (N):`, a bullet per template, and how to read one. */
export function renderResourceTemplates(
  templates: readonly ResourceTemplate[],
  sessionName: string,
  theme: Theme,
): string {
  const bullets = templates.flatMap((template) => itemLines(template.uriTemplate, template, theme));
  const read = theme.grey(`\`mcpc ${sessionName} resources-read <uri>\``);
  return renderList(
    `Resource templates (${templates.length}):`,
    bullets,
    `Read one with ${read} (fill in the {placeholders})`,
    theme,
  );
}

type ContentsItem = ReadResourceResult["contents"][number];

/** One item of a read: its text in a fence, or a summary of its binary data and how to save it. */
function contentsBody(item: ContentsItem, uri: string, sessionName: string, theme: Theme): string {
  if ("text" in item && typeof item.text === "string") return fence(item.text);
  if ("blob" in item && typeof item.blob === "string") {
    const size = formatBytes(decodedLength(item.blob));
    const save = theme.grey(`\`mcpc ${sessionName} resources-read ${shellQuote(uri)} -o <file>\``);
    return [
      `[Binary content: ${item.mimeType || "unknown type"}, ${size}]`,
      `Save it with ${save}`,
    ].join("\n");
  }
  return fence(prettyJson(item));
}

/**
 * `resources-read`: each item's text in a fence (binary data only summarised),
 * with a `Content <uri>` header per item when there are several, then the
 * result's metadata.
 */
export function renderResourceContents(
  result: ReadResourceResult,
  options: ResourceContentsOptions,
): string {
  const { sessionName, theme } = options;
  const contents = result.contents ?? [];
  const sections: string[] = [];
  if (contents.length === 0) sections.push(theme.dim("(no content)"));
  for (const item of contents) {
    const uri = item.uri || options.uri;
    const body = contentsBody(item, uri, sessionName, theme);
    if (contents.length === 1) {
      sections.push(body);
      continue;
    }
    let header = `${theme.bold("Content")} ${theme.grey(`\`${uri}\``)}`;
    if (item.mimeType) header += ` ${theme.dim(`(${item.mimeType})`)}`;
    sections.push(`${header}\n${body}`);
  }
  const metadata = renderMetadata(result._meta, theme);
  if (metadata) sections.push(metadata);
  return sections.join("\n\n");
}

/** `✓ Saved <uri> to <path> (<size>[, <mime>])`, after `resources-read -o <file>`. */
export function renderResourceSaved(info: ResourceSavedInfo, theme: Theme): string {
  const details = [formatBytes(info.bytes), ...(info.mimeType ? [info.mimeType] : [])];
  return theme.green(`✓ Saved ${info.uri} to ${info.path} (${details.join(", ")})`);
}

/** `✓ Subscribed to resource: <uri>`. */
export function renderSubscribed(uri: string, theme: Theme): string {
  return theme.green(`✓ Subscribed to resource: ${uri}`);
}

/** `✓ Unsubscribed from resource: <uri>`. */
export function renderUnsubscribed(uri: string, theme: Theme): string {
  return theme.green(`✓ Unsubscribed from resource: ${uri}`);
}
