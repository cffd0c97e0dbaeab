/**
 * Session names `connect` picks when none is given (reference.md §8.6).
 *
 * Layer: pure.
 * @module
 */

const MAX_NAME = 64;
const MAX_SUFFIX = 99;

/** Makes a name part from free text: lower-case, `[a-z0-9_-]` only, dashes collapsed, ≤ 64 chars. */
export function sanitizeNamePart(text: string): string {
  const clean = text.toLowerCase().replace(/[^a-z0-9_-]/g, "-").replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, MAX_NAME).replace(/-+$/, "");
  return clean || "session";
}

/** The base name for a server URL: `mcp.apify.com` → `apify`, `localhost:3000` → `localhost-3000`. */
export function nameFromUrl(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  let base: string;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
    base = host;
  } else {
    const labels = host.split(".");
    if (labels.length > 2 && ["mcp", "api", "www"].includes(labels[0])) labels.shift();
    base = labels.length >= 2 ? labels[0] : labels.join(".");
  }
  if (parsed.port) base += `-${parsed.port}`;
  return sanitizeNamePart(base);
}

/** The first free name among `@base`, `@base-2` … `@base-99`, or `undefined`. */
export function firstFreeName(base: string, taken: ReadonlySet<string>): string | undefined {
  if (!taken.has(`@${base}`)) return `@${base}`;
  for (let suffix = 2; suffix <= MAX_SUFFIX; suffix++) {
    const candidate = `@${base.slice(0, MAX_NAME - String(suffix).length - 1)}-${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
  return undefined;
}
