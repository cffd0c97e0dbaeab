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

/** Longest text a substitution may produce, and longest variable value it takes: 1 MiB. */
export const MAX_SUBSTITUTED_BYTES = 1024 * 1024;

/** Options for {@linkcode substituteEnv}. */
export interface SubstituteEnvOptions {
  /** Called once per distinct unknown variable in this value (it is replaced by `""`). */
  onMissing?: (name: string) => void;
  /** Byte limit (UTF-8) for a variable's value and for the result (default 1 MiB). */
  maxBytes?: number;
}

/**
 * A substitution refused for its size: the value of {@linkcode variable} is
 * over the limit (`value`), or substituting it made the result so (`result`).
 */
export class SubstitutionTooLargeError extends RangeError {
  /** The variable whose value was refused. */
  readonly variable: string;
  /** Which bound was crossed. */
  readonly bound: "value" | "result";
  /** The limit in bytes. */
  readonly maxBytes: number;

  constructor(variable: string, bound: "value" | "result", maxBytes: number) {
    super(
      bound === "value"
        ? `The value of \${${variable}} is over the ${describeBytes(maxBytes)} limit`
        : `Substituting \${${variable}} makes the text longer than ${describeBytes(maxBytes)}`,
    );
    this.name = "SubstitutionTooLargeError";
    this.variable = variable;
    this.bound = bound;
    this.maxBytes = maxBytes;
  }
}

/**
 * Replaces every `${VAR}` in `value` with `lookup(VAR)`, or with an empty string
 * when the variable is unknown. Substituted text is not scanned again. Throws
 * {@linkcode SubstitutionTooLargeError} for a value or result over the limit.
 */
export function substituteEnv(
  value: string,
  lookup: (name: string) => string | undefined,
  options: SubstituteEnvOptions = {},
): string {
  const maxBytes = options.maxBytes ?? MAX_SUBSTITUTED_BYTES;
  const reported = new Set<string>();
  // Bytes of the literal text plus the values substituted so far.
  let total = utf8Bytes(value.replace(VARIABLE, ""), maxBytes);
  return value.replace(VARIABLE, (_match, name: string) => {
    const found = lookup(name);
    if (found !== undefined) {
      const bytes = utf8Bytes(found, maxBytes);
      if (bytes > maxBytes) throw new SubstitutionTooLargeError(name, "value", maxBytes);
      total += bytes;
      if (total > maxBytes) throw new SubstitutionTooLargeError(name, "result", maxBytes);
      return found;
    }
    if (!reported.has(name)) {
      reported.add(name);
      options.onMissing?.(name);
    }
    return "";
  });
}

/** UTF-8 length of `text`, counted exactly up to `cap` (anything longer is reported as over it). */
function utf8Bytes(text: string, cap: number): number {
  // A UTF-16 unit is at least one UTF-8 byte: a longer text is over the cap unread.
  return text.length > cap ? cap + 1 : exactBytes(text);
}

function exactBytes(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
