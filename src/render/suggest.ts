/**
 * "Did you mean" suggestions for unknown commands and tools (reference.md §1.8).
 *
 * Layer: pure.
 * @module
 */

const LIST_SHORTHANDS = new Set(["tools", "resources", "prompts", "skills"]);
const MAX_DISTANCE = 3;

/**
 * The most edits a typo of `word` may have: one per four characters, at
 * least one, at most {@linkcode MAX_DISTANCE}. So `conect` → `connect` and
 * `tools-lst` → `tools-list`, but never `clean` → `close` or `shell` → `help`.
 */
function allowedDistance(word: string): number {
  return Math.min(MAX_DISTANCE, Math.max(1, Math.floor(word.length / 4)));
}

/**
 * Suggests the candidate the user probably meant: reversed hyphen parts
 * (`list-tools`), a bare `tools`/`resources`/`prompts`/`skills`, or the closest candidate
 * within a typo's reach (edits, counting a swap of neighbours as one; see
 * {@linkcode allowedDistance}). Case-insensitive; returns the candidate as given.
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
  let bestDistance = allowedDistance(wanted) + 1;
  for (const [lower, candidate] of byLowerName) {
    const distance = editDistance(wanted, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours) between two strings. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 0; i <= a.length; i++) rows[i][0] = i;
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}
