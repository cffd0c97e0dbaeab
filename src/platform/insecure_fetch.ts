/**
 * The fetch of `--insecure`: undici over Node's TLS, which can skip the
 * certificate check that Deno's own HTTP clients always make, with one
 * dispatcher per proxy (and one direct). Loaded only by a process that needs
 * it; the bundle builds it as a part of its own, so its CommonJS code never
 * weighs on another run.
 *
 * Layer: edge (HTTP clients).
 * @module
 */

import { Agent, type BodyInit, type Dispatcher, fetch, type HeadersInit, ProxyAgent } from "undici";
import type { ProxyRoute } from "../config/proxy_env.ts";

/** Sends one request through `route` (or direct) without checking certificates. */
export type InsecureFetch = (
  route: ProxyRoute | undefined,
  url: string,
  input: string | URL | Request,
  init: RequestInit | undefined,
) => Promise<Response>;

/** A new {@linkcode InsecureFetch} with its own dispatchers. */
export function insecureFetch(): InsecureFetch {
  const dispatchers = new Map<string, Dispatcher>();
  const unchecked = { rejectUnauthorized: false };
  return async (route, url, input, init) => {
    const key = route?.address ?? "";
    let dispatcher = dispatchers.get(key);
    if (dispatcher === undefined) {
      dispatcher = route
        ? new ProxyAgent({
          uri: route.address,
          ...(route.credentials ? { token: basicToken(route.credentials) } : {}),
          requestTls: unchecked,
          proxyTls: unchecked,
        })
        : new Agent({ connect: unchecked });
      dispatchers.set(key, dispatcher);
    }
    const request = input instanceof Request ? input : undefined;
    const answer = await fetch(url, {
      method: init?.method ?? request?.method,
      headers: (init?.headers ?? request?.headers) as HeadersInit,
      body: (init?.body ?? request?.body) as BodyInit,
      signal: init?.signal ?? request?.signal,
      redirect: init?.redirect ?? request?.redirect,
      ...(request?.body ? { duplex: "half" } : {}),
      dispatcher,
    });
    return answer as unknown as Response;
  };
}

function basicToken(credentials: { username: string; password: string }): string {
  const pair = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  return `Basic ${btoa(String.fromCharCode(...pair))}`;
}
