/**
 * Every `--json` output of the e2e tests is checked against the schema of
 * its command (schemas/*.schema.json, scripts/schemas.ts): the harness calls
 * {@linkcode checkJsonOutput} after each run. Output a command prints on
 * success goes to stdout (one document; `notifications --follow` one per
 * line); a failure's document goes to stderr and must be the error schema.
 */

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import { VALUE_OPTIONS } from "../../src/cli/command_table.ts";

const SCHEMAS = new URL("../../schemas/", import.meta.url).pathname;
const ajv = new Ajv2020({ strict: false, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

function validator(name: string): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const schema = JSON.parse(Deno.readTextFileSync(`${SCHEMAS}${name}.schema.json`));
    validate = ajv.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}

/** Top-level commands whose output has no schema: they print text (help, a script). */
const TEXT_COMMANDS = new Set(["help", "completion"]);

/** The schema of what `mcpc args...` prints with `--json`; `undefined` when it prints text. */
export function schemaNameFor(args: readonly string[]): string | undefined {
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === "--version" || word === "-v" || word === "--help" || word === "-h") {
      return undefined;
    }
    if (word.startsWith("-") && word.length > 1) {
      if (VALUE_OPTIONS.has(word)) i++;
      continue;
    }
    positionals.push(word);
  }
  const first = positionals[0];
  if (first === undefined) return "list";
  if (first.startsWith("@")) {
    const command = positionals[1];
    if (command === undefined || command === "restart") return "server-details";
    if (command === "close") return "close";
    if (command === "help") return undefined;
    return command;
  }
  if (TEXT_COMMANDS.has(first)) return undefined;
  if (first === "restart") return "server-details";
  if (first.startsWith("__")) return undefined;
  return first;
}

/** Throws when a `--json` run's output does not match its command's schema. */
export function checkJsonOutput(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  result: { code: number; stdout: string; stderr: string },
): void {
  const json = args.includes("--json") || ["1", "true", "yes"].includes(env.MCPC_JSON ?? "");
  if (!json) return;
  const name = schemaNameFor(args);
  if (name === undefined) return;
  const check = (schema: string, text: string, where: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`mcpc ${args.join(" ")}: ${where} is not JSON: ${text.slice(0, 200)}`);
    }
    const validate = validator(schema);
    if (!validate(value)) {
      throw new Error(
        `mcpc ${args.join(" ")}: ${where} does not match schemas/${schema}.schema.json: ${
          ajv.errorsText(validate.errors)
        }\n${text.slice(0, 500)}`,
      );
    }
  };
  if (result.stdout.trim() !== "") {
    const follow = name === "notifications" && args.includes("--follow");
    const documents = follow ? result.stdout.trim().split("\n") : [result.stdout];
    for (const document of documents) check(name, document, "stdout");
  }
  // A failure's one document, when the run failed as mcpc (not killed or timed out).
  if (result.code !== 0 && result.stdout.trim() === "" && result.stderr.trim().startsWith("{")) {
    check("error", result.stderr, "stderr");
  }
}
