/**
 * The fetch that mcpc's requests to MCP and authorization servers go
 * through: a proxy chosen per URL from the proxy variables it is given (a
 * bridge gets the CLI's in its start config, so a proxy's password never sits
 * in a process environment), the CA certificates of `--ca-file` besides the
 * system's, and for `--insecure` no certificate check at all.
 *
 * Deno's own HTTP clients carry the common case. Deno has no switch that
 * turns certificate checks off for one client, so `--insecure` requests go
 * through `insecure_fetch.ts` (loaded only then).
 *
 * Layer: edge (creates HTTP clients; reads the CA file).
 * @module
 */

import { resolve } from "node:path";
import { type ProxyRoute, proxyRouteFor } from "../config/proxy_env.ts";
import { McpcError, usageError } from "../errors.ts";
import type { InsecureFetch } from "./insecure_fetch.ts";

/** What shapes the outbound requests of one server connection (or one login). */
export interface OutboundSettings {
  /** The proxy variables that apply (`HTTP_PROXY`, `NO_PROXY`, ...); none: every request goes direct. */
  proxyEnv: Readonly<Record<string, string>>;
  /** A PEM file of CA certificates trusted besides the system's (`--ca-file`). */
  caFile?: string;
  /** No certificate checks at all (`--insecure`). */
  insecure?: boolean;
}

/**
 * A fetch with `settings` applied. Reads the CA file now: an unreadable one
 * fails here with a usage error that names it.
 */
export function outboundFetch(settings: OutboundSettings): typeof fetch {
  const caCerts = settings.caFile === undefined ? undefined : [readCaFile(settings.caFile)];
  const clients = new Map<string, Deno.HttpClient>();
  let insecure: Promise<InsecureFetch> | undefined;
  return (input, init) => {
    const url = urlOf(input);
    const route = proxyRouteFor(url, settings.proxyEnv);
    if (settings.insecure) {
      // A part of its own in the bundle (scripts/bundle.ts): undici stays out of every other run.
      insecure ??= import("./insecure_fetch.ts").then(({ insecureFetch }) => insecureFetch());
      return insecure.then((send) => send(route, url, input, init));
    }
    const key = route?.address ?? "";
    let client = clients.get(key);
    if (client === undefined) {
      client = Deno.createHttpClient({
        ...(caCerts ? { caCerts } : {}),
        ...(route ? { proxy: denoProxy(route) } : {}),
      });
      clients.set(key, client);
    }
    return fetch(input, { ...init, client });
  };
}

/** The absolute path of a `--ca-file` that holds PEM certificates, or a usage error saying why not. */
export async function checkedCaFile(file: string, cwd: string): Promise<string> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw usageError(
      `Cannot read --ca-file ${path}: ${error instanceof Error ? error.message : error}`,
      { userInput: true },
    );
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw usageError(`--ca-file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, {
      userInput: true,
    });
  }
  return path;
}

function readCaFile(caFile: string): string {
  try {
    return Deno.readTextFileSync(caFile);
  } catch (error) {
    throw new McpcError(
      "usage",
      `Cannot read the CA file ${caFile} (--ca-file): ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
}

function urlOf(input: string | URL | Request): string {
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

function denoProxy(route: ProxyRoute): Deno.Proxy {
  return {
    url: route.address,
    ...(route.credentials ? { basicAuth: route.credentials } : {}),
  };
}
