import assert from "node:assert/strict";
import {
  parseClientScenarios,
  parseScenarios,
  runsOf,
  selectRuns,
} from "../../conformance/scenarios.ts";

const LISTING = `Server scenarios (test against a server):
  - server-initialize [2025-06-18,2025-11-25]

Client scenarios (test against a client):
  - initialize [2025-06-18,2025-11-25]
  - tools_call [2025-06-18,2025-11-25,2026-07-28]
  - auth/dpop [extension]

Authorization server scenarios (test against an authorization server):
  - authorization-code-grant [2025-03-26]
`;

Deno.test("parseClientScenarios() reads only the client section with its revisions", () => {
  assert.deepEqual(parseClientScenarios(LISTING), [
    { name: "initialize", revisions: ["2025-06-18", "2025-11-25"] },
    { name: "tools_call", revisions: ["2025-06-18", "2025-11-25", "2026-07-28"] },
    { name: "auth/dpop", revisions: [] },
  ]);
});

Deno.test("parseScenarios() reads the server section apart from the client one", () => {
  assert.deepEqual(parseScenarios(LISTING, "server"), [
    { name: "server-initialize", revisions: ["2025-06-18", "2025-11-25"] },
  ]);
  assert.throws(
    () => parseScenarios("Client scenarios:\n  - a [2025-11-25]\n", "server"),
    SyntaxError,
  );
});

Deno.test("parseClientScenarios() refuses a listing it cannot read", () => {
  assert.throws(() => parseClientScenarios("Server scenarios:\n  - a [2025-11-25]\n"), SyntaxError);
  assert.throws(() => parseClientScenarios("Client scenarios:\n\n"), SyntaxError);
  assert.throws(() => parseClientScenarios("Client scenarios:\nsomething else\n"), SyntaxError);
});

Deno.test("runsOf() makes one run per revision and one for an extension", () => {
  assert.deepEqual(runsOf(parseClientScenarios(LISTING)).map((run) => run.key), [
    "initialize@2025-06-18",
    "initialize@2025-11-25",
    "tools_call@2025-06-18",
    "tools_call@2025-11-25",
    "tools_call@2026-07-28",
    "auth/dpop",
  ]);
  assert.deepEqual(runsOf([{ name: "auth/dpop", revisions: [] }]), [
    { side: "client", key: "auth/dpop", scenario: "auth/dpop" },
  ]);
  assert.deepEqual(runsOf([{ name: "a", revisions: ["2026-07-28"] }], "server"), [
    { side: "server", key: "a@2026-07-28", scenario: "a", revision: "2026-07-28" },
  ]);
});

Deno.test("selectRuns() picks by scenario or run key and refuses unknown filters", () => {
  const runs = runsOf(parseClientScenarios(LISTING));
  assert.equal(selectRuns(runs, []).length, runs.length);
  assert.deepEqual(
    selectRuns(runs, ["initialize", "tools_call@2026-07-28"]).map((run) => run.key),
    ["initialize@2025-06-18", "initialize@2025-11-25", "tools_call@2026-07-28"],
  );
  assert.throws(() => selectRuns(runs, ["tools_call@2024-01-01"]), RangeError);
});
