/**
 * Helpers for tests that talk to the demo server in-process.
 */

import {
  type DemoHttpServer,
  type DemoHttpServerOptions,
  startDemoHttpServer,
} from "../../scripts/demo_server.ts";
import { withDeadline } from "./deadline.ts";

/** The text blocks of a tool result, joined by newlines. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.filter((item) => item.type === "text").map((item) => item.text).join("\n");
}

/** Runs `fn` with a demo HTTP server started with `options`; closes it (bounded) afterwards. */
export async function withServer(
  options: DemoHttpServerOptions,
  fn: (server: DemoHttpServer) => Promise<void>,
): Promise<void> {
  const server = await startDemoHttpServer(options);
  try {
    await fn(server);
  } finally {
    await withDeadline(server.close(), 10_000, "demo server close");
  }
}
