/** Fixed clock and session-record builders for the pure session tests. */

import type { SessionRecord } from "../../src/session/session.ts";

/** The fixed "now" of the session tables. */
export const NOW = Date.parse("2025-06-01T12:00:00.000Z");
/** A timestamp far in the past. */
export const Y2000 = "2000-01-01T00:00:00.000Z";

/** The ISO time `ms` before {@linkcode NOW}. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString();
}

/** An HTTP session record `@s` (status `active` unless `fields` says otherwise). */
export function sessionRecord(fields: Partial<SessionRecord> = {}): SessionRecord {
  return {
    name: "@s",
    server: { url: "https://mcp.example.com/mcp" },
    status: "active",
    createdAt: "2025-01-01T00:00:00.000Z",
    ...fields,
  };
}
