/**
 * Reads the user claims of an OpenID Connect `id_token` for display in a
 * profile. The token is NOT verified: nothing here is used to decide access,
 * only to show who logged in.
 *
 * Layer: pure.
 * @module
 */

/** The claims a profile shows. */
export interface IdTokenClaims {
  userEmail?: string;
  userName?: string;
  userSubject?: string;
}

/** The display claims of `idToken`, or none when it is not a JWT with a JSON payload. */
export function idTokenClaims(idToken: string | undefined): IdTokenClaims {
  const payload = idToken?.split(".")[1];
  if (!payload) return {};
  let claims: unknown;
  try {
    const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
  if (typeof claims !== "object" || claims === null) return {};
  const record = claims as Record<string, unknown>;
  const text = (value: unknown) => typeof value === "string" && value !== "" ? value : undefined;
  const result: IdTokenClaims = {};
  const email = text(record.email);
  const name = text(record.name) ?? text(record.preferred_username);
  const subject = text(record.sub);
  if (email) result.userEmail = email;
  if (name) result.userName = name;
  if (subject) result.userSubject = subject;
  return result;
}
