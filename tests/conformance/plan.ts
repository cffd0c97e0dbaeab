/**
 * Which `tools-call`s and `skills-pull`s the conformance adapter makes,
 * decided from what a user would see: the tools `tools-list --json` shows, the
 * skills `skills-list --json` shows, and the scenario's published instructions
 * (its `MCP_CONFORMANCE_CONTEXT`, or its description). Nothing here speaks
 * MCP: it only chooses tool names, argument objects and skill names.
 *
 * Layer: pure.
 * @module
 */

/** A tool as `mcpc --json @session tools-list` prints it (only the fields used here). */
export interface ListedTool {
  /** The tool's name. */
  name: string;
  /** Its JSON Schema for the arguments. */
  inputSchema?: Record<string, unknown>;
}

/** One `mcpc @session tools-call <name> <arguments-json>` to run. */
export interface PlannedCall {
  /** The tool to call. */
  name: string;
  /** The arguments object, passed as inline JSON. */
  arguments: Record<string, unknown>;
}

/** Tool calls a scenario names in `MCP_CONFORMANCE_CONTEXT` (`{ toolCalls: [...] }`). */
interface ContextToolCall {
  name: string;
  arguments?: Record<string, unknown>;
}

/**
 * `json-schema-2020-12-preservation` asks the client, in its description, to
 * pass the schema it received for one tool back, verbatim, to an echo tool.
 */
const SCHEMA_ECHO = {
  scenario: "json-schema-2020-12-preservation",
  focalTool: "json_schema_2020_12_tool",
  echoTool: "json_schema_echo",
} as const;

/**
 * Scenarios whose description asks the client only to list the tools (calling
 * them is not part of the exchange; the scenario server does not answer calls).
 */
const LIST_ONLY = new Set(["json-schema-ref-no-deref"]);

/** Options for {@linkcode planCalls}. */
export interface PlanOptions {
  /** The parsed `MCP_CONFORMANCE_CONTEXT`, when the scenario sets one. */
  context?: unknown;
}

/**
 * Plans the tool calls for `scenario` given the listed `tools`: the calls the
 * scenario's context names, else what the scenario's description asks for
 * (nothing, or an echo of a schema), else every listed tool once with
 * arguments made from its schema.
 */
export function planCalls(
  scenario: string,
  tools: readonly ListedTool[],
  options: PlanOptions = {},
): PlannedCall[] {
  const fromContext = contextToolCalls(options.context);
  if (fromContext.length > 0) {
    return fromContext.map((call) => ({ name: call.name, arguments: call.arguments ?? {} }));
  }
  if (LIST_ONLY.has(scenario)) return [];
  if (scenario === SCHEMA_ECHO.scenario) {
    const focal = tools.find((tool) => tool.name === SCHEMA_ECHO.focalTool);
    const echo = tools.find((tool) => tool.name === SCHEMA_ECHO.echoTool);
    if (focal && echo) {
      return [{ name: echo.name, arguments: { schema: focal.inputSchema ?? {} } }];
    }
  }
  return tools.map((tool) => ({ name: tool.name, arguments: sampleArguments(tool.inputSchema) }));
}

/** The `toolCalls` of a scenario context, or none when it has no well-formed list. */
function contextToolCalls(context: unknown): ContextToolCall[] {
  if (!isRecord(context) || !Array.isArray(context.toolCalls)) return [];
  return context.toolCalls.filter((call): call is ContextToolCall =>
    isRecord(call) && typeof call.name === "string" &&
    (call.arguments === undefined || isRecord(call.arguments))
  );
}

/**
 * Arguments a user would type to satisfy `schema`: a placeholder for each
 * required property, chosen by its declared type (`1` for numbers, `"sample"`
 * for strings, and so on); optional properties are left out.
 */
export function sampleArguments(
  schema: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!schema || !isRecord(schema.properties) || !Array.isArray(schema.required)) return {};
  const properties = schema.properties;
  const entries: [string, unknown][] = [];
  for (const key of schema.required) {
    if (typeof key !== "string") continue;
    const property = properties[key];
    entries.push([key, sampleValue(isRecord(property) ? property : {})]);
  }
  return Object.fromEntries(entries);
}

/** A placeholder value of the type `property` declares (a string when it declares none). */
function sampleValue(property: Record<string, unknown>): unknown {
  if (Array.isArray(property.enum) && property.enum.length > 0) return property.enum[0];
  if ("const" in property) return property.const;
  const type = Array.isArray(property.type) ? property.type[0] : property.type;
  switch (type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "null":
      return null;
    case "array":
      return [];
    case "object":
      return sampleArguments(property);
    default:
      return "sample";
  }
}

/** A skill as `mcpc --json @session skills-list` prints it (only the fields used here). */
export interface ListedSkill {
  /** The URI of its `SKILL.md`. */
  uri: string;
  /** Its frontmatter; `name` is what a user types. */
  frontmatter: { name: string };
}

/**
 * Scenarios whose description is about what a client must not fetch before a
 * skill is loaded: the user only lists the skills (a pull would load one).
 */
const SKILLS_LIST_ONLY = new Set(["sep-2640-client-no-prefetch"]);

/**
 * The `skills-pull`s for `scenario` given the listed `skills`: each skill once,
 * by name (by URI where two share a name), or none in a list-only scenario.
 */
export function planSkillPulls(scenario: string, skills: readonly ListedSkill[]): string[] {
  if (SKILLS_LIST_ONLY.has(scenario)) return [];
  const names = skills.map((skill) => skill.frontmatter.name);
  return skills.map((skill, index) =>
    names.indexOf(names[index]) === names.lastIndexOf(names[index]) ? names[index] : skill.uri
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
