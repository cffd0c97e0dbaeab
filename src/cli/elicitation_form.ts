/**
 * Answers the server's questions (elicitations) on a terminal, field by
 * field, and checks answers given with `--input`: typed values, single and
 * multi-select enums (plain, titled `oneOf`/`anyOf`, legacy `enumNames`),
 * defaults (SEP-1034: the client fills them in), required fields, and a
 * final accept / decline / cancel. A URL question shows the URL (host first)
 * and opens it only when the user agrees.
 *
 * Line-based on purpose: it reads answers as lines from stdin, so it works
 * the same under any terminal and in a compiled binary.
 *
 * Layer: edge (terminal I/O); the value handling is pure.
 * @module
 */

import type { Ajv2020 } from "ajv/dist/2020";
import type { ElicitResult } from "../mcp/types.ts";
import { safeText } from "../render/safe_text.ts";
import { readTerminalLine } from "./terminal_input.ts";

/** A form field's schema, as the elicitation spec allows (flat, primitive). */
export interface FieldSchema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  enumNames?: string[];
  oneOf?: { const: unknown; title?: string }[];
  anyOf?: { const: unknown; title?: string }[];
  items?: { type?: string; enum?: unknown[]; anyOf?: { const: unknown; title?: string }[] };
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

/** A form's `requestedSchema`. */
export interface FormSchema {
  type?: "object";
  properties?: Record<string, FieldSchema>;
  required?: string[];
}

/** Reads and writes the terminal for a prompt. */
export interface PromptIo {
  /** The next line the user typed (without the newline), `null` at end of input. */
  readLine(): Promise<string | null>;
  /** Writes prompt text (stderr). */
  write(text: string): void;
}

/** One choice of an enum field. */
interface Choice {
  value: unknown;
  label: string;
}

/** The choices of a single-select field, or of a multi-select field's items. */
export function choicesOf(field: FieldSchema): Choice[] | undefined {
  const source = field.type === "array" ? field.items : field;
  if (!source) return undefined;
  const titled = ("oneOf" in source ? (source as FieldSchema).oneOf : undefined) ?? source.anyOf;
  if (titled) {
    return titled.map((item) => ({ value: item.const, label: item.title ?? String(item.const) }));
  }
  if (source.enum) {
    const names = field.type === "array" ? undefined : field.enumNames;
    return source.enum.map((value, index) => ({ value, label: names?.[index] ?? String(value) }));
  }
  return undefined;
}

/** `content` with every missing field that has a default filled in (SEP-1034). */
export function applyDefaults(
  schema: FormSchema,
  content: Record<string, unknown>,
): Record<string, unknown> {
  const filled = { ...content };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (filled[name] === undefined && field.default !== undefined) filled[name] = field.default;
  }
  return filled;
}

/** The JSON Schema checker, loaded on the first `--input` answer (ajv is not for every run). */
let checker: Promise<Ajv2020> | undefined;
function formChecker(): Promise<Ajv2020> {
  checker ??= import("ajv/dist/2020").then(({ Ajv2020 }) =>
    new Ajv2020({ allErrors: true, strict: false, validateFormats: false, logger: false })
  );
  return checker;
}

/**
 * `--input`'s answer to a form: the given object with defaults filled in,
 * checked against the form's schema; throws one line listing what is wrong.
 */
export async function answerFromJson(
  schema: FormSchema,
  answer: Record<string, unknown>,
): Promise<ElicitResult> {
  const content = applyDefaults(schema, answer);
  const validate = (await formChecker()).compile({ ...schema, type: "object" });
  if (!validate(content)) {
    const problems = new Set<string>();
    for (const error of validate.errors ?? []) {
      const name = error.instancePath.split("/")[1];
      const choices = name ? choicesOf(schema.properties?.[name] ?? {}) : undefined;
      // A choice field fails several ways at once (const, oneOf): name the allowed values instead.
      problems.add(
        choices && ["const", "enum", "oneOf", "anyOf"].includes(error.keyword)
          ? `${name} must be one of: ${choices.map((choice) => String(choice.value)).join(", ")}`
          : `${name ?? "(form)"} ${error.message ?? "is invalid"}`,
      );
    }
    throw new InputAnswerError(
      `--input does not fit the server's form: ${[...problems].join("; ")}`,
    );
  }
  return { action: "accept", content: content as ElicitResult["content"] };
}

/** An `--input` answer that does not fit the form. */
export class InputAnswerError extends Error {
  override name = "InputAnswerError";
}

/** Reads one field's answer from `raw`: the typed value, or why it is not one. */
export function parseField(
  field: FieldSchema,
  raw: string,
): { value: unknown } | { error: string } {
  const text = raw.trim();
  const choices = choicesOf(field);
  if (field.type === "array") {
    const picks = text.split(/[\s,]+/).filter(Boolean).map((item) => Number(item));
    if (!choices) return { error: "this list has no choices to pick from" };
    if (picks.some((pick) => !Number.isInteger(pick) || pick < 1 || pick > choices.length)) {
      return { error: `pick numbers from 1 to ${choices.length}, separated by commas` };
    }
    const values = [...new Set(picks)].map((pick) => choices[pick - 1].value);
    if (field.minItems !== undefined && values.length < field.minItems) {
      return { error: `pick at least ${field.minItems}` };
    }
    if (field.maxItems !== undefined && values.length > field.maxItems) {
      return { error: `pick at most ${field.maxItems}` };
    }
    return { value: values };
  }
  if (choices) {
    const pick = Number(text);
    if (Number.isInteger(pick) && pick >= 1 && pick <= choices.length) {
      return { value: choices[pick - 1].value };
    }
    const named = choices.find((choice) => String(choice.value) === text || choice.label === text);
    if (named) return { value: named.value };
    return { error: `pick a number from 1 to ${choices.length}` };
  }
  if (field.type === "boolean") {
    if (/^(y|yes|true)$/i.test(text)) return { value: true };
    if (/^(n|no|false)$/i.test(text)) return { value: false };
    return { error: "answer y or n" };
  }
  if (field.type === "number" || field.type === "integer") {
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) return { error: "enter a number" };
    if (field.type === "integer" && !Number.isInteger(value)) {
      return { error: "enter a whole number" };
    }
    if (field.minimum !== undefined && value < field.minimum) {
      return { error: `the least is ${field.minimum}` };
    }
    if (field.maximum !== undefined && value > field.maximum) {
      return { error: `the most is ${field.maximum}` };
    }
    return { value };
  }
  if (field.minLength !== undefined && [...text].length < field.minLength) {
    return { error: `at least ${field.minLength} characters` };
  }
  if (field.maxLength !== undefined && [...text].length > field.maxLength) {
    return { error: `at most ${field.maxLength} characters` };
  }
  return { value: text };
}

/** Asks the form's fields one by one, then whether to send them. */
export async function askForm(
  params: { message: string; requestedSchema: FormSchema },
  io: PromptIo,
): Promise<ElicitResult> {
  const schema = params.requestedSchema;
  const required = new Set(schema.required ?? []);
  io.write(`\n${safeText(params.message)}\n`);
  const content: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const title = safeText(field.title ?? name);
    const choices = choicesOf(field);
    io.write(`\n${title}${required.has(name) ? " (required)" : ""}`);
    if (field.description) io.write(` - ${safeText(field.description)}`);
    io.write("\n");
    choices?.forEach((choice, index) => io.write(`  ${index + 1}) ${safeText(choice.label)}\n`));
    const hint = field.type === "boolean"
      ? "[y/n]"
      : field.type === "array"
      ? "(numbers, comma-separated)"
      : "";
    const fallback = field.default !== undefined
      ? `[default: ${safeText(JSON.stringify(field.default))}]`
      : "";
    const prompt = ["> " + [hint, fallback].filter(Boolean).join(" ")].join("").trimEnd() + " ";
    while (true) {
      io.write(prompt);
      const line = await io.readLine();
      if (line === null) return { action: "cancel" };
      if (line.trim() === "") {
        if (field.default !== undefined) break;
        if (!required.has(name)) break;
        io.write("  This field is required.\n");
        continue;
      }
      const parsed = parseField(field, line);
      if ("value" in parsed) {
        content[name] = parsed.value;
        break;
      }
      io.write(`  ${parsed.error}\n`);
    }
  }
  const action = await askAction(io, "Send these answers?");
  if (action !== "accept") return { action };
  return { action, content: applyDefaults(schema, content) as ElicitResult["content"] };
}

/** Shows a URL question; opens the URL only when the user says so. */
export async function askUrl(
  params: { message: string; url: string },
  io: PromptIo,
  open: (url: string) => Promise<void>,
): Promise<ElicitResult> {
  let host = "";
  try {
    host = new URL(params.url).host;
  } catch {
    host = "(not a valid URL)";
  }
  io.write(
    `\n${safeText(params.message)}\n  Host: ${safeText(host)}\n  URL:  ${safeText(params.url)}\n`,
  );
  io.write("Open it in your browser? [y/N] ");
  const line = await io.readLine();
  if (line === null) return { action: "cancel" };
  if (/^y(es)?$/i.test(line.trim())) {
    await open(params.url).catch(() => {
      io.write("  Could not open a browser; open the URL yourself.\n");
    });
  }
  return { action: await askAction(io, "Done with it?") };
}

async function askAction(io: PromptIo, question: string): Promise<ElicitResult["action"]> {
  while (true) {
    io.write(`\n${question} [a]ccept, [d]ecline, [c]ancel: `);
    const line = await io.readLine();
    if (line === null) return "cancel";
    const answer = line.trim().toLowerCase();
    if (answer === "a" || answer === "accept" || answer === "y") return "accept";
    if (answer === "d" || answer === "decline" || answer === "n") return "decline";
    if (answer === "c" || answer === "cancel") return "cancel";
  }
}

/** Line input from stdin and prompts on stderr (one reader for the whole run). */
export function terminalIo(write: (text: string) => void): PromptIo {
  return {
    write,
    readLine: async () => {
      const line = await readTerminalLine();
      // Ctrl+C or Esc typed at a prompt ends the form.
      if (line !== null && (line.includes("\x03") || line.includes("\x1b"))) return null;
      return line;
    },
  };
}
