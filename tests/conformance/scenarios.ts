/**
 * The client scenarios of the conformance tool, read from its `list` output,
 * and the runs made of them: one per protocol revision a scenario lists, one
 * at the tool's default for an extension scenario (it lists no revision).
 *
 * Layer: pure.
 * @module
 */

/** One client scenario as `conformance list` prints it. */
export interface Scenario {
  /** Its name (`tools_call`, `auth/metadata-default`). */
  name: string;
  /** The dated revisions it applies to (`2025-11-25`); empty for an extension. */
  revisions: string[];
}

/** One run of the conformance tool: a scenario at a revision. */
export interface ScenarioRun {
  /** `scenario@revision`, or the bare name for an extension scenario. */
  key: string;
  /** The scenario's name. */
  scenario: string;
  /** The `--spec-version` to pass; absent for an extension scenario. */
  revision?: string;
}

const SECTION = "Client scenarios";
const REVISION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the client scenarios from the text of `conformance list`: the
 * `  - name [tag,tag]` lines under its "Client scenarios" heading.
 */
export function parseClientScenarios(listing: string): Scenario[] {
  const lines = listing.split("\n");
  const start = lines.findIndex((line) => line.startsWith(SECTION));
  if (start === -1) throw new SyntaxError(`Cannot read the scenario list: no "${SECTION}" heading`);
  const scenarios: Scenario[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") break;
    const match = line.match(/^\s+-\s+(\S+)(?:\s+\[([^\]]*)\])?\s*$/);
    if (!match) throw new SyntaxError(`Cannot read the scenario list: unexpected line "${line}"`);
    const tags = (match[2] ?? "").split(",").map((tag) => tag.trim()).filter(Boolean);
    scenarios.push({ name: match[1], revisions: tags.filter((tag) => REVISION.test(tag)) });
  }
  if (scenarios.length === 0) {
    throw new SyntaxError(`Cannot read the scenario list: "${SECTION}" lists no scenario`);
  }
  return scenarios;
}

/** The runs for `scenarios`: every revision each lists, in the listed order. */
export function runsOf(scenarios: readonly Scenario[]): ScenarioRun[] {
  return scenarios.flatMap((scenario) =>
    scenario.revisions.length === 0
      ? [{ key: scenario.name, scenario: scenario.name }]
      : scenario.revisions.map((revision) => ({
        key: `${scenario.name}@${revision}`,
        scenario: scenario.name,
        revision,
      }))
  );
}

/**
 * The runs `filters` pick, each filter a scenario name (all its revisions) or a
 * run key (`tools_call@2026-07-28`); all runs when there is no filter. Refuses a
 * filter that picks nothing.
 */
export function selectRuns(
  runs: readonly ScenarioRun[],
  filters: readonly string[],
): ScenarioRun[] {
  if (filters.length === 0) return [...runs];
  for (const filter of filters) {
    if (!runs.some((run) => run.key === filter || run.scenario === filter)) {
      throw new RangeError(`Cannot select scenario "${filter}": the tool has no such client run`);
    }
  }
  return runs.filter((run) => filters.includes(run.key) || filters.includes(run.scenario));
}
