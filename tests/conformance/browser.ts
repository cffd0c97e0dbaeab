/**
 * The "browser" of the conformance auth scenarios (`MCPC_BROWSER`): given an
 * authorization URL, follows its redirects the way a browser whose user
 * approves everything would, until it reaches mcpc's loopback callback, and
 * loads that. The conformance tool's authorization server approves without
 * a page, so no HTML is involved.
 *
 * Usage: `browser <url>`; exits 0 once the callback answered, 1 otherwise.
 *
 * Layer: edge (test tool).
 * @module
 */

const MAX_REDIRECTS = 10;
const REQUEST_TIMEOUT_MS = 10_000;

async function follow(start: string): Promise<number> {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await fetch(url, {
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const callback = new URL(url).hostname === "127.0.0.1" &&
      new URL(url).pathname === "/callback";
    if (callback) {
      console.error(`browser: callback answered ${response.status}`);
      return response.ok ? 0 : 1;
    }
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) {
      console.error(`browser: ${url} answered ${response.status} without a redirect`);
      return 1;
    }
    url = new URL(location, url).href;
  }
  console.error("browser: too many redirects");
  return 1;
}

if (import.meta.main) {
  const url = Deno.args[0];
  if (!url) {
    console.error("usage: browser <url>");
    Deno.exit(2);
  }
  Deno.exit(await follow(url));
}
