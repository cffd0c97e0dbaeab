/**
 * Resource commands on a session: `resources-list`, `resources-templates-list`,
 * `resources-read` (text shown, binary content saved with `-o`, `--max-size`
 * enforced), `resources-subscribe` and `resources-unsubscribe`.
 *
 * Layer: use case.
 * @module
 */

import { dirname, resolve } from "node:path";
import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import type { ReadResourceResult } from "../mcp/types.ts";
import {
  renderResourceContents,
  renderResources,
  renderResourceSaved,
  renderResourceTemplates,
  renderSubscribed,
  renderUnsubscribed,
} from "../render/human/resources.ts";
import type { CommandOutput } from "./output.ts";
import { call, withSession } from "./session_commands.ts";

/** `resources-list`: every resource, refreshed from the server. */
export function resourcesList(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const { resources } = await call(ctx, session, "listResources", { refresh: true });
    return {
      json: resources,
      human: (theme) => renderResources(resources, name, theme),
      truncatable: true,
    };
  });
}

/** `resources-templates-list`: every resource template, refreshed from the server. */
export function resourceTemplatesList(ctx: AppContext, name: string): Promise<CommandOutput> {
  return withSession(ctx, name, async (session) => {
    const { resourceTemplates } = await call(ctx, session, "listResourceTemplates", {
      refresh: true,
    });
    return {
      json: resourceTemplates,
      human: (theme) => renderResourceTemplates(resourceTemplates, name, theme),
      truncatable: true,
    };
  });
}

/** Options of `resources-read`. */
export interface ReadOptions {
  /** `-o/--output`: write the content to this file (relative to the working directory). */
  output?: string;
  /** `--force`: overwrite `output` if it exists. */
  force: boolean;
  /** `--max-size` as typed. */
  maxSize?: string;
}

/** `resources-read <uri>`. */
export async function resourcesRead(
  ctx: AppContext,
  name: string,
  uri: string,
  options: ReadOptions,
): Promise<CommandOutput> {
  requireUri(uri);
  const maxSize = options.maxSize === undefined ? undefined : parseMaxSize(options.maxSize);
  const path = options.output === undefined ? undefined : outputPath(ctx, options.output);
  // Refused before anything is read: an existing file is never replaced without --force.
  if (path !== undefined && !options.force) await refuseExisting(path, options.output!);
  const result = await withSession(
    ctx,
    name,
    (session) => call(ctx, session, "readResource", { uri }),
  );
  const contents = decodedContents(result);
  const total = contents.reduce((sum, item) => sum + item.bytes.length, 0);
  if (maxSize !== undefined && total > maxSize) {
    throw usageError(
      `Resource ${uri} is ${total} bytes, more than --max-size ${maxSize}; nothing was ` +
        (path !== undefined ? "written" : "shown"),
    );
  }
  if (path === undefined) {
    return {
      json: result,
      human: (theme) => renderResourceContents(result, { uri, sessionName: name, theme }),
      truncatable: true,
    };
  }
  if (contents.length !== 1) {
    throw usageError(
      `Resource ${uri} has ${contents.length} content items; -o writes exactly one. ` +
        `Use --json to get them all`,
    );
  }
  const [item] = contents;
  await writeOutput(path, item.bytes, { force: options.force, typed: options.output! });
  const saved = {
    uri: item.uri ?? uri,
    path,
    bytes: item.bytes.length,
    ...(item.mimeType ? { mimeType: item.mimeType } : {}),
  };
  return { json: saved, human: (theme) => renderResourceSaved(saved, theme) };
}

/** `resources-subscribe <uri>` / `resources-unsubscribe <uri>`. */
export function resourcesSubscribe(
  ctx: AppContext,
  name: string,
  uri: string,
  subscribe: boolean,
): Promise<CommandOutput> {
  requireUri(uri);
  return withSession(ctx, name, async (session) => {
    const capabilities = session.record.initializeResult?.capabilities as
      | { resources?: { subscribe?: boolean } }
      | undefined;
    if (capabilities && !capabilities.resources?.subscribe) {
      throw usageError(`The server of ${name} does not support resource subscriptions`, {
        userInput: true,
      });
    }
    await call(ctx, session, "subscribeResource", { uri, subscribe });
    return subscribe
      ? { json: { subscribed: true, uri }, human: (theme) => renderSubscribed(uri, theme) }
      : { json: { unsubscribed: true, uri }, human: (theme) => renderUnsubscribed(uri, theme) };
  });
}

/** One content item as bytes. */
interface DecodedContent {
  uri?: string;
  mimeType?: string;
  bytes: Uint8Array;
}

/** The bytes of each content item: text as UTF-8, a blob decoded from base64. */
function decodedContents(result: ReadResourceResult): DecodedContent[] {
  const encoder = new TextEncoder();
  return (result.contents ?? []).map((item) => {
    const base = {
      ...(typeof item.uri === "string" ? { uri: item.uri } : {}),
      ...(typeof item.mimeType === "string" ? { mimeType: item.mimeType } : {}),
    };
    if ("blob" in item && typeof item.blob === "string") {
      return { ...base, bytes: decodeBase64(item.blob, item.uri) };
    }
    const text = "text" in item && typeof item.text === "string" ? item.text : "";
    return { ...base, bytes: encoder.encode(text) };
  });
}

function decodeBase64(blob: string, uri: string | undefined): Uint8Array {
  try {
    return Uint8Array.from(atob(blob.replace(/\s+/g, "")), (char) => char.charCodeAt(0));
  } catch {
    throw new McpcError(
      "server",
      `The server sent content of ${uri ?? "the resource"} that is not valid base64`,
    );
  }
}

function requireUri(uri: string): void {
  if (uri.trim() === "") throw usageError("The resource URI is empty", { userInput: true });
}

/** A `--max-size` value: a whole number of bytes. */
export function parseMaxSize(text: string): number {
  const number = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(number)) {
    throw usageError(
      `Invalid --max-size value: "${text.slice(0, 40)}". Must be a whole number of bytes.`,
    );
  }
  return number;
}

function outputPath(ctx: AppContext, output: string): string {
  if (output.trim() === "") throw usageError("Invalid --output: the file name is empty");
  return resolve(ctx.cwd, output);
}

async function refuseExisting(path: string, typed: string): Promise<void> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw usageError(`--output ${typed} is a directory; give a file name`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    if (error instanceof McpcError) throw error;
    throw usageError(`Cannot use --output ${typed}: ${(error as Error).message}`);
  }
  throw usageError(`File ${typed} already exists; use --force to overwrite it`);
}

/**
 * Writes the bytes: a new file is created exclusively (a file that appeared
 * meanwhile is not replaced); with `force`, a temporary file next to it is
 * renamed over it, so a reader never sees half a file.
 */
async function writeOutput(
  path: string,
  bytes: Uint8Array,
  options: { force: boolean; typed: string },
): Promise<void> {
  try {
    if (!options.force) {
      await Deno.writeFile(path, bytes, { createNew: true });
      return;
    }
    const temporary = `${dirname(path)}/.${crypto.randomUUID()}.mcpc-tmp`;
    try {
      await Deno.writeFile(temporary, bytes, { createNew: true });
      await Deno.rename(temporary, path);
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw error;
    }
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw usageError(`File ${options.typed} already exists; use --force to overwrite it`);
    }
    throw usageError(`Cannot write --output ${options.typed}: ${(error as Error).message}`);
  }
}
