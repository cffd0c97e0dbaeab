/**
 * "Did you mean" suggestions for unknown commands (reference.md §1.8).
 *
 * Layer: pure.
 * @module
 */

const LIST_SHORTHANDS = new Set(["tools", "resources", "prompts"]);
const MAX_DISTANCE = 3;

/**
 * Suggests the candidate the user probably meant: reversed hyphen parts
 * (`list-tools`), a bare `tools`/`resources`/`prompts`, or the closest candidate
 * within edit distance 3. Case-insensitive; returns the candidate as given.
 */
export function suggestCommand(input: string, candidates: readonly string[]): string | undefined {
  const wanted = input.toLowerCase();
  if (wanted === "") return undefined;
  const byLowerName = new Map<string, string>();
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    if (!byLowerName.has(lower)) byLowerName.set(lower, candidate);
  }

  const parts = wanted.split("-");
  if (parts.length > 1) {
    const reversed = byLowerName.get(parts.reverse().join("-"));
    if (reversed !== undefined) return reversed;
  }
  if (LIST_SHORTHANDS.has(wanted)) {
    const list = byLowerName.get(`${wanted}-list`);
    if (list !== undefined) return list;
  }

  let best: string | undefined;
  let bestDistance = MAX_DISTANCE + 1;
  for (const [lower, candidate] of byLowerName) {
    const distance = levenshtein(wanted, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edit distance (insertions, deletions, substitutions) between two strings. */
function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}
