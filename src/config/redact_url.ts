/**
 * Server URLs as they may be shown, stored in `sessions.json` or logged
 * (decisions.md §3.20): no user name or password, no fragment, and every
 * query value replaced by `<redacted>` (the keys stay, so a reader still sees
 * which parameters there are). The full URL lives only with the secrets.
 *
 * Layer: pure.
 * @module
 */

/** The value stored or shown instead of a secret. */
export const REDACTED = "<redacted>";

/** A query value made only of `${NAME}` references: a config template, not a secret. */
const TEMPLATE_ONLY = /^(\$\{[A-Za-z_][A-Za-z0-9_]*\})+$/;

/**
 * `url` without userinfo and fragment, with each non-empty query value (or
 * bare query word) replaced by {@linkcode REDACTED}. Values written as
 * `${VAR}` only stay, so a config template still names its variable. Works
 * on text as written (templates, unparsable input), not only on valid URLs,
 * and is idempotent.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf("#");
  let rest = hash === -1 ? url : url.slice(0, hash);
  const schemeEnd = rest.indexOf("://");
  const authorityStart = schemeEnd === -1 ? 0 : schemeEnd + 3;
  const authorityEnd = firstIndexOf(rest, ["/", "?", "\\"], authorityStart);
  const at = rest.lastIndexOf("@", authorityEnd - 1);
  if (at >= authorityStart) rest = rest.slice(0, authorityStart) + rest.slice(at + 1);
  const query = rest.indexOf("?");
  if (query === -1) return rest;
  const params = rest.slice(query + 1).split("&").map(redactParam);
  return `${rest.slice(0, query + 1)}${params.join("&")}`;
}

/**
 * Every `http://` / `https://` URL inside `text` (an error message, a log
 * line) passed through {@linkcode redactUrl}; other text stays as it is.
 */
export function redactUrlsIn(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'()<>]+/gi, (url) => redactUrl(url));
}

function redactParam(param: string): string {
  const equals = param.indexOf("=");
  const value = equals === -1 ? param : param.slice(equals + 1);
  if (value === "" || value === REDACTED || TEMPLATE_ONLY.test(value)) return param;
  return equals === -1 ? REDACTED : `${param.slice(0, equals + 1)}${REDACTED}`;
}

function firstIndexOf(text: string, needles: string[], from: number): number {
  let first = text.length;
  for (const needle of needles) {
    const index = text.indexOf(needle, from);
    if (index !== -1 && index < first) first = index;
  }
  return first;
}
