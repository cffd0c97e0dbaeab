/**
 * `sessions.json` over the locked JSON file: every read and change of session
 * records goes through here.
 *
 * Layer: edge.
 * @module
 */

import { LockedJsonFile } from "../platform/locked_json_file.ts";
import type { SessionRecord, SessionsFile } from "./session.ts";

/** Session records keyed by `@name`. */
export type SessionMap = Record<string, SessionRecord>;

/** Options for {@linkcode SessionStore}. */
export interface SessionStoreOptions {
  /** Where warnings (e.g. a corrupt file moved aside) go. */
  warn?: (message: string) => void;
  /** Leave a corrupt file alone and throw instead of moving it aside (for bridges). */
  corruptThrows?: boolean;
}

/** The session records in `sessions.json`. */
export class SessionStore {
  #file: LockedJsonFile<SessionsFile>;

  constructor(path: string, options: SessionStoreOptions = {}) {
    this.#file = new LockedJsonFile<SessionsFile>(path, {
      defaultValue: () => ({ sessions: {} }),
      parse: parseSessionsFile,
      warn: options.warn,
      onCorrupt: options.corruptThrows ? "throw" : "move-aside",
    });
  }

  /** All records. */
  async readAll(): Promise<SessionMap> {
    return (await this.#file.read()).sessions;
  }

  /** One record, or `undefined`. */
  async get(name: string): Promise<SessionRecord | undefined> {
    return (await this.readAll())[name];
  }

  /** Read-modify-write of all records under one lock. */
  update<R>(fn: (sessions: SessionMap) => R | Promise<R>): Promise<R> {
    return this.#file.update((data) => fn(data.sessions));
  }

  /** Changes one record under the lock when it exists; returns the record after the change. */
  patch(name: string, fn: (record: SessionRecord) => void): Promise<SessionRecord | undefined> {
    return this.update((sessions) => {
      const record = sessions[name];
      if (!record) return undefined;
      fn(record);
      return structuredClone(record);
    });
  }

  /** Deletes a record; returns whether it existed. */
  delete(name: string): Promise<boolean> {
    return this.update((sessions) => {
      const existed = name in sessions;
      delete sessions[name];
      return existed;
    });
  }
}

/** Validates the shape of `sessions.json`; throws `TypeError` when it is wrong. */
export function parseSessionsFile(raw: unknown): SessionsFile {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new TypeError("sessions.json must contain a JSON object");
  }
  const sessions = (raw as { sessions?: unknown }).sessions;
  if (typeof sessions !== "object" || sessions === null || Array.isArray(sessions)) {
    throw new TypeError('sessions.json must have a "sessions" object');
  }
  const clean: SessionMap = {};
  for (const [name, record] of Object.entries(sessions as Record<string, unknown>)) {
    if (typeof record !== "object" || record === null) continue;
    clean[name] = { ...(record as SessionRecord), name };
  }
  return { ...(raw as object), sessions: clean };
}
