/**
 * Schema-aware `key:=value` arguments (decisions.md §3.18): where a tool's
 * input schema types a property as a string, a value the CLI read as a JSON
 * number, boolean or null is sent as the text the user typed (`message:=42`
 * sends `"42"`). Properties the schema does not type keep the original's
 * behaviour, and values given as inline JSON or on stdin are never changed.
 *
 * Layer: pure.
 * @module
 */

type Schema = Record<string, unknown>;

/** JSON types a JSON Schema type keyword can name. */
type JsonType = "string" | "number" | "integer" | "boolean" | "null" | "object" | "array";

function asSchema(value: unknown): Schema | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Schema
    : undefined;
}

function typeOfValue(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as JsonType;
}

/**
 * The JSON types a (sub)schema allows, or `undefined` when it allows any
 * (no `type`, `enum` or `const`, or a variant that is untyped or a `$ref`).
 */
export function allowedTypes(schema: unknown): Set<JsonType> | undefined {
  const node = asSchema(schema);
  if (!node) return undefined;
  if (typeof node.type === "string") return new Set([node.type as JsonType]);
  if (Array.isArray(node.type)) return new Set(node.type as JsonType[]);
  if (Array.isArray(node.enum)) return new Set(node.enum.map(typeOfValue));
  if ("const" in node) return new Set([typeOfValue(node.const)]);
  const variants = node.anyOf ?? node.oneOf;
  if (Array.isArray(variants)) {
    const union = new Set<JsonType>();
    for (const variant of variants) {
      const types = allowedTypes(variant);
      if (!types) return undefined;
      for (const type of types) union.add(type);
    }
    return union;
  }
  return undefined;
}

function accepts(types: Set<JsonType>, value: unknown): boolean {
  const type = typeOfValue(value);
  return types.has(type) || (type === "integer" && types.has("number"));
}

/**
 * Returns `args` with each value listed in `typedText` replaced by its typed
 * text where the input schema's property allows a string but not the value
 * as read (a number, boolean or null). `args` is not changed.
 */
export function applyStringSchema(
  args: Record<string, unknown>,
  typedText: Readonly<Record<string, string>> | undefined,
  inputSchema: unknown,
): Record<string, unknown> {
  const properties = asSchema(asSchema(inputSchema)?.properties);
  if (!typedText || !properties) return args;
  const result: Record<string, unknown> = { ...args };
  for (const [key, text] of Object.entries(typedText)) {
    if (!Object.hasOwn(properties, key) || !Object.hasOwn(args, key)) continue;
    const types = allowedTypes(properties[key]);
    if (!types || !types.has("string") || accepts(types, args[key])) continue;
    result[key] = text;
  }
  return result;
}
