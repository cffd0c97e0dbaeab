/**
 * A request the server refused with `403 insufficient_scope` although the
 * profile's token is valid: the token lacks a scope that request needs. Only
 * that request fails; the session stays usable, and `mcpc login` asks for the
 * wider scope next time (the profile remembers it).
 *
 * Layer: pure (an error type).
 * @module
 */

import { loginCommand } from "./profile_store.ts";

/** The server wants `scope` for this request. */
export class ScopeRequiredError extends Error {
  constructor(
    readonly scope: string,
    readonly serverUrl: string,
    readonly profile: string,
  ) {
    const login = loginCommand(serverUrl, profile);
    super(
      `The server needs the OAuth scope "${scope}" for this request, which profile ${profile} ` +
        `was not granted. Log in again to ask for it (${login}), then retry`,
    );
    this.name = "ScopeRequiredError";
  }
}
