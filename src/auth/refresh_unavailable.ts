/**
 * A token refresh that could not reach the authorization server (a network
 * failure or a 5xx): nothing says the refresh token is bad, so the request
 * fails as a network error and the session is not marked unauthorized; the
 * next request tries again.
 *
 * Layer: pure (an error type).
 * @module
 */

/** The authorization server could not be reached to refresh a profile's token. */
export class RefreshUnavailableError extends Error {
  constructor(profile: string, why: string, options?: ErrorOptions) {
    super(
      `Cannot reach the authorization server to refresh the token of profile ${profile}: ${why}. ` +
        "The session stays as it is; try again later",
      options,
    );
    this.name = "RefreshUnavailableError";
  }
}
