/**
 * The client and server scenarios of the conformance tool, read from its
 * `list` output, and the runs made of them: one per protocol revision a
 * scenario lists, one at the tool's default for an extension scenario (it
 * lists no revision). Client scenarios test mcpc as a client; server
 * scenarios test the proxy MCP server of `connect --proxy`.
 *
 * Layer: pure.
 * @module
 */

/** Which side of MCP a scenario tests: mcpc as a client, or its proxy as a server. */
export type Side = "client" | "server";

/** One scenario as `conformance list` prints it. */
export interface Scenario {
  /** Its name (`tools_call`, `auth/metadata-default`). */
  name: string;
  /** The dated revisions it applies to (`2025-11-25`); empty for an extension. */
  revisions: string[];
}

/** One run of the conformance tool: a scenario at a revision. */
export interface ScenarioRun {
  /** What it tests. */
  side: Side;
  /** `scenario@revision`, or the bare name for an extension scenario. */
  key: string;
  /** The scenario's name. */
  scenario: string;
  /** The `--spec-version` to pass; absent for an extension scenario. */
  revision?: string;
}

const SECTIONS: Record<Side, string> = {
  client: "Client scenarios",
  server: "Server scenarios",
};
const REVISION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the client scenarios from the text of `conformance list`: the
 * `  - name [tag,tag]` lines under its "Client scenarios" heading.
 */
export function parseClientScenarios(listing: string): Scenario[] {
  return parseScenarios(listing, "client");
}

/** Reads the scenarios of one side (its heading: "Client scenarios", "Server scenarios"). */
export function parseScenarios(listing: string, side: Side): Scenario[] {
  const SECTION = SECTIONS[side];
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
export function runsOf(scenarios: readonly Scenario[], side: Side = "client"): ScenarioRun[] {
  return scenarios.flatMap((scenario) =>
    scenario.revisions.length === 0
      ? [{ side, key: scenario.name, scenario: scenario.name }]
      : scenario.revisions.map((revision) => ({
        side,
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
      throw new RangeError(`Cannot select scenario "${filter}": the tool has no such run`);
    }
  }
  return runs.filter((run) => filters.includes(run.key) || filters.includes(run.scenario));
}
