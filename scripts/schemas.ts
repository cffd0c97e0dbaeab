/**
 * The JSON Schemas of mcpc's `--json` output (`schemas/*.schema.json`),
 * generated from the zod definitions below: the MCP objects from the SDK's
 * own schemas of the spec types, mcpc's own documents written here once.
 * `deno task schemas` writes them; `--check` fails when a file is stale (a
 * unit test runs it). The e2e harness validates every `--json` output of the
 * tests against the schema of its command (tests/e2e/json_schemas.ts).
 *
 * Usage: deno task schemas [--check]
 *
 * Layer: edge (script: files).
 * @module
 */

import { specTypeSchemas } from "@modelcontextprotocol/client";
import { z } from "zod";

const mcp = specTypeSchemas as unknown as Record<string, z.ZodType>;
const loose = z.looseObject;
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T/);

const serverConfig = loose({
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout: z.number().optional(),
  protocolVersion: z.string().optional(),
  caFile: z.string().optional(),
  insecure: z.boolean().optional(),
});

const serverDetails = loose({
  _mcpc: loose({
    sessionName: z.string().regex(/^@/),
    profileName: z.string().optional(),
    server: serverConfig,
    status: z.string(),
    protocolVersion: z.string().optional(),
    notifications: z.record(z.string(), z.unknown()).optional(),
    configFile: z.string().optional(),
    entry: z.string().optional(),
    skipReason: z.string().optional(),
    error: z.string().optional(),
  }),
  protocolVersion: z.string().optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
  serverInfo: loose({ name: z.string(), version: z.string().optional() }).optional(),
  instructions: z.string().optional(),
  toolNames: z.array(z.string()).optional(),
});

/** A config file's entry in a bulk connect: one that failed or was skipped has no server yet. */
const configEntry = serverDetails.extend({
  _mcpc: serverDetails.shape._mcpc.extend({ server: serverConfig.optional() }),
});

const sessionRecord = loose({
  name: z.string().regex(/^@/),
  server: serverConfig,
  status: z.string(),
  createdAt: isoTime,
  profileName: z.string().optional(),
  pid: z.number().int().optional(),
  protocolVersion: z.string().optional(),
  proxy: loose({ host: z.string(), port: z.number().int(), bearerToken: z.string().optional() })
    .optional(),
  x402: z.boolean().optional(),
});

const task = mcp.Task;
const closed = loose({
  sessionName: z.string(),
  closed: z.boolean(),
  error: z.string().optional(),
});

/** Every schema, by its file's name (`schemas/<name>.schema.json`). */
export const OUTPUT_SCHEMAS: Record<string, { title: string; schema: z.ZodType }> = {
  error: {
    title: "Any failing command (on stderr)",
    schema: loose({ error: z.string(), code: z.number().int() }),
  },
  list: {
    title: "mcpc --json (sessions and OAuth profiles)",
    schema: loose({
      sessions: z.array(sessionRecord),
      profiles: z.array(loose({ name: z.string(), serverUrl: z.string() })),
    }),
  },
  "server-details": {
    title: "mcpc @session --json, restart, and connect of one server",
    schema: serverDetails,
  },
  connect: {
    title: "mcpc connect (one server: its details; a config file: one entry per server)",
    schema: z.union([
      serverDetails,
      z.array(configEntry),
      loose({ sessionName: z.string(), status: z.enum(["connecting", "active"]) }),
      z.array(loose({ sessionName: z.string(), status: z.string() })),
    ]),
  },
  close: { title: "mcpc close", schema: z.union([closed, z.array(closed)]) },
  login: {
    title: "mcpc login",
    schema: loose({ profile: z.string(), serverUrl: z.string() }),
  },
  logout: {
    title: "mcpc logout",
    schema: loose({
      profile: z.string(),
      serverUrl: z.string(),
      deleted: z.literal(true),
      affectedSessions: z.array(z.string()),
    }),
  },
  clean: {
    title: "mcpc clean",
    schema: loose({
      crashedBridges: z.number().int(),
      expiredSessions: z.number().int(),
      orphanedBridgeLogs: z.number().int(),
      orphanedSockets: z.number().int(),
      sessions: z.number().int(),
      profiles: z.number().int(),
      logs: z.number().int(),
    }),
  },
  x402: {
    title: "mcpc x402 init|import|info|remove|sign",
    schema: z.union([
      z.null(),
      loose({ removed: z.boolean() }),
      loose({
        paymentSignature: z.string(),
        from: z.string(),
        to: z.string(),
        amount: z.string(),
        amountAtomicUnits: z.string().regex(/^\d+$/),
        network: z.string(),
        expiresAt: isoTime,
      }),
      loose({
        address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
        createdAt: isoTime,
        balances: loose({ eth: z.string(), usdc: z.string().nullable() }).nullable().optional(),
        network: z.string().optional(),
        balancesError: z.string().optional(),
      }),
    ]),
  },
  grep: {
    title: "mcpc grep and mcpc @session grep",
    schema: loose({
      sessions: z.array(loose({ name: z.string(), status: z.string() })).optional(),
      totalMatches: loose({ tools: z.number().int(), resources: z.number().int() }).optional(),
    }),
  },
  "tools-list": { title: "mcpc @session tools-list", schema: z.array(mcp.Tool) },
  "tools-get": { title: "mcpc @session tools-get", schema: mcp.Tool },
  "tools-call": {
    title: "mcpc @session tools-call (a result; with --task --detach, the task made)",
    schema: z.union([
      mcp.CallToolResult,
      task,
      loose({ taskId: z.string(), status: z.string() }),
    ]),
  },
  "tasks-list": {
    title: "mcpc @session tasks-list",
    schema: loose({ tasks: z.array(task) }),
  },
  "tasks-get": { title: "mcpc @session tasks-get", schema: task },
  "tasks-cancel": { title: "mcpc @session tasks-cancel", schema: task },
  "tasks-result": { title: "mcpc @session tasks-result", schema: mcp.CallToolResult },
  "resources-list": { title: "mcpc @session resources-list", schema: z.array(mcp.Resource) },
  "resources-templates-list": {
    title: "mcpc @session resources-templates-list",
    schema: z.array(mcp.ResourceTemplate),
  },
  "resources-read": {
    title: "mcpc @session resources-read (with -o: what was written)",
    schema: z.union([
      mcp.ReadResourceResult,
      loose({
        uri: z.string(),
        path: z.string(),
        bytes: z.number().int(),
        mimeType: z.string().optional(),
      }),
    ]),
  },
  "resources-subscribe": {
    title: "mcpc @session resources-subscribe",
    schema: loose({ subscribed: z.literal(true), uri: z.string() }),
  },
  "resources-unsubscribe": {
    title: "mcpc @session resources-unsubscribe",
    schema: loose({ unsubscribed: z.literal(true), uri: z.string() }),
  },
  "prompts-list": { title: "mcpc @session prompts-list", schema: z.array(mcp.Prompt) },
  "prompts-get": { title: "mcpc @session prompts-get", schema: mcp.GetPromptResult },
  "skills-list": {
    title: "mcpc @session skills-list",
    schema: z.array(loose({ name: z.string().optional(), uri: z.string() })),
  },
  "skills-get": {
    title: "mcpc @session skills-get",
    schema: loose({ uri: z.string() }),
  },
  "skills-pull": {
    title: "mcpc @session skills-pull",
    schema: loose({
      name: z.string(),
      uri: z.string(),
      path: z.string(),
      files: z.array(loose({ path: z.string(), uri: z.string(), size: z.number().int() })),
    }),
  },
  "logging-set-level": {
    title: "mcpc @session logging-set-level",
    schema: loose({ level: z.string() }),
  },
  notifications: {
    title: "mcpc @session notifications (with --follow: one entry per line)",
    schema: z.union([
      z.array(loose({ at: isoTime, method: z.string() })),
      loose({ at: isoTime, method: z.string() }),
    ]),
  },
  ping: {
    title: "mcpc @session ping",
    schema: loose({ success: z.literal(true), durationMs: z.number() }),
  },
};

/** The JSON Schema document of `name`. */
export function jsonSchemaOf(name: string): Record<string, unknown> {
  const { title, schema } = OUTPUT_SCHEMAS[name];
  return {
    ...z.toJSONSchema(schema, { io: "output", unrepresentable: "any", target: "draft-2020-12" }),
    $id: `${name}.schema.json`,
    title,
  };
}

/** The text of `schemas/<name>.schema.json`. */
export function schemaFileText(name: string): string {
  return `${JSON.stringify(jsonSchemaOf(name), null, 2)}\n`;
}

if (import.meta.main) {
  const dir = new URL("../schemas/", import.meta.url).pathname;
  const check = Deno.args.includes("--check");
  const stale: string[] = [];
  if (!check) await Deno.mkdir(dir, { recursive: true });
  for (const name of Object.keys(OUTPUT_SCHEMAS)) {
    const path = `${dir}${name}.schema.json`;
    const text = schemaFileText(name);
    if (check) {
      const current = await Deno.readTextFile(path).catch(() => undefined);
      if (current !== text) stale.push(path);
    } else {
      await Deno.writeTextFile(path, text);
    }
  }
  if (stale.length > 0) {
    console.error(`Stale schemas (run deno task schemas): ${stale.join(", ")}`);
    Deno.exit(1);
  }
  console.log(
    check
      ? "schemas are up to date"
      : `wrote ${Object.keys(OUTPUT_SCHEMAS).length} schemas to ${dir}`,
  );
}
