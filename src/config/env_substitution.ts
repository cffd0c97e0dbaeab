/**
 * `${VAR}` substitution in config file values (reference.md §8.5), reading
 * variables through a lookup function rather than the process environment.
 *
 * Layer: pure.
 * @module
 */

/** `${NAME}` where NAME is a shell-style variable name; anything else stays literal. */
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Whether `value` references a variable (`${NAME}`) that {@linkcode substituteEnv} replaces. */
export function hasVariableReference(value: string): boolean {
  return new RegExp(VARIABLE.source).test(value);
}

/** Options for {@linkcode substituteEnv}. */
export interface SubstituteEnvOptions {
  /** Called once per distinct unknown variable in this value (it is replaced by `""`). */
  onMissing?: (name: string) => void;
}

/**
 * Replaces every `${VAR}` in `value` with `lookup(VAR)`, or with an empty string
 * when the variable is unknown. Substituted text is not scanned again.
 */
export function substituteEnv(
  value: string,
  lookup: (name: string) => string | undefined,
  options: SubstituteEnvOptions = {},
): string {
  const reported = new Set<string>();
  return value.replace(VARIABLE, (_match, name: string) => {
    const found = lookup(name);
    if (found !== undefined) return found;
    if (!reported.has(name)) {
      reported.add(name);
      options.onMissing?.(name);
    }
    return "";
  });
}
