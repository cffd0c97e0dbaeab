/**
 * The loopback server that receives the OAuth redirect of a login: listens on
 * 127.0.0.1 only, answers only `GET /callback` with the expected `Host`,
 * accepts exactly one authorization code whose `state` matches, and closes
 * when the login ends. Every string a server or a browser supplied is HTML
 * escaped before it is put in a page.
 *
 * Layer: edge (an HTTP listener).
 * @module
 */

/** What the authorization server sent back. */
export interface CallbackResult {
  code: string;
  /** RFC 9207 `iss`, when the authorization server sent one. */
  iss?: string;
}

/** The authorization server redirected with `error=...`. */
export class AuthorizationDeniedError extends Error {
  constructor(readonly error: string, readonly description?: string) {
    super(`OAuth error: ${description || error}`);
    this.name = "AuthorizationDeniedError";
  }
}

/** A running callback server. */
export interface CallbackServer {
  /** `http://127.0.0.1:<port>/callback`. */
  readonly redirectUrl: string;
  readonly port: number;
  /** Resolves with the first callback carrying the right `state`; rejects on an OAuth error. */
  readonly result: Promise<CallbackResult>;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** What {@linkcode startCallbackServer} needs. */
export interface CallbackServerOptions {
  port: number;
  /** The `state` the authorization request carried. */
  state: string;
  /** Shown on the success page. */
  serverUrl: string;
  profile: string;
  /** Told about refused requests (wrong state, wrong host), one line each. */
  warn?: (message: string) => void;
}

/** The ports tried for the callback when `--callback-port` is not given, in order. */
export const CALLBACK_PORTS: readonly number[] = [13316, 31613, 16133];

const ALLOWED_HOSTS = new Set(["127.0.0.1", "localhost"]);

/**
 * Starts listening; throws `Deno.errors.AddrInUse` when the port is taken.
 */
export function startCallbackServer(options: CallbackServerOptions): CallbackServer {
  let settle!: { resolve: (result: CallbackResult) => void; reject: (error: Error) => void };
  const result = new Promise<CallbackResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The login may end for other reasons (timeout, Ctrl+C): nobody else must see the rejection.
  result.catch(() => {});
  let done = false;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port,
    onListen: () => {},
  }, (request) => handle(request));

  function handle(request: Request): Response {
    const url = new URL(request.url);
    const host = request.headers.get("host") ?? "";
    if (!hostAllowed(host, server.addr.port)) {
      options.warn?.(`Refused a callback request for host ${JSON.stringify(host)}`);
      return page(403, "Forbidden", "This address only answers mcpc's own login.");
    }
    if (url.pathname !== "/callback") return page(404, "Not found", "");
    if (request.method !== "GET") return page(405, "Method not allowed", "");
    if (done) {
      return page(410, "Login already finished", "This login link was used already.");
    }
    const params = url.searchParams;
    if (params.get("state") !== options.state) {
      options.warn?.("Refused a callback whose state does not match this login");
      return page(400, "Login failed", "The state parameter does not match this login.");
    }
    const error = params.get("error");
    if (error !== null) {
      done = true;
      const description = params.get("error_description") ?? undefined;
      settle.reject(new AuthorizationDeniedError(error, description));
      return page(400, "Login failed", description ? `${error}: ${description}` : error);
    }
    const code = params.get("code");
    if (!code) {
      return page(400, "Login failed", "No authorization code in callback");
    }
    done = true;
    const iss = params.get("iss") ?? undefined;
    settle.resolve({ code, ...(iss !== undefined ? { iss } : {}) });
    return page(
      200,
      "mcpc login succeeded",
      `Server: ${options.serverUrl}\nProfile: ${options.profile}\n\nYou can close this tab.`,
    );
  }

  const port = server.addr.port;
  return {
    port,
    redirectUrl: `http://127.0.0.1:${port}/callback`,
    result,
    close: async () => {
      done = true;
      await server.shutdown();
    },
  };
}

/** Whether a `Host` header names this server: `127.0.0.1` or `localhost`, with our port if any. */
export function hostAllowed(host: string, port: number): boolean {
  const match = /^([^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!match) return false;
  if (!ALLOWED_HOSTS.has(match[1])) return false;
  return match[2] === undefined || Number(match[2]) === port;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${
    escapeHtml(title)
  }</title></head><body><h1>${escapeHtml(title)}</h1><pre>${escapeHtml(body)}</pre></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'",
      "referrer-policy": "no-referrer",
    },
  });
}
