import assert from "node:assert/strict";
import {
  archiveName,
  readVersionFacts,
  RELEASE_TARGETS,
  versionProblem,
} from "../../../scripts/release.ts";
import { VERSION } from "../../../src/version.ts";
import { parse } from "yaml";
import { executablePath } from "../../../scripts/compile.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

Deno.test("versionProblem() refuses disagreeing versions, a wrong tag and uncommitted sources", () => {
  assert.equal(
    versionProblem({ version: "1.2.3", denoJsonVersion: "1.2.3", gitStatus: "" }),
    undefined,
  );
  assert.equal(versionProblem({ version: "1.2.3", tag: "v1.2.3" }), undefined);
  assert.match(
    versionProblem({ version: "1.2.3", denoJsonVersion: "1.2.4" })!,
    /deno\.json says version 1\.2\.4 but src\/version\.ts says 1\.2\.3/,
  );
  assert.match(versionProblem({ version: "1.2.3", tag: "v1.2.4" })!, /tag v1\.2\.4 does not match/);
  assert.match(versionProblem({ version: "1.2.3", tag: "1.2.3" })!, /expected v1\.2\.3/);
  const dirty = versionProblem({ version: "1.2.3", gitStatus: " M src/a.ts\n?? b.ts\n" })!;
  assert.match(dirty, /uncommitted changes \(M src\/a\.ts, \?\? b\.ts\)/);
  assert.equal(
    versionProblem({ version: "1.2.3", gitStatus: " M src/a.ts\n", allowDirty: true }),
    undefined,
  );
});

Deno.test("readVersionFacts() reads deno.json's version, which matches src/version.ts", async () => {
  const facts = await readVersionFacts(ROOT, { version: VERSION });
  assert.equal(facts.denoJsonVersion, VERSION);
});

Deno.test("every release target has its own archive, the Windows one a zip", () => {
  const names = RELEASE_TARGETS.map((target) => archiveName("1.2.3", target));
  assert.equal(new Set(names).size, RELEASE_TARGETS.length);
  assert.ok(names.includes("mcpc-1.2.3-x86_64-unknown-linux-gnu.tar.gz"));
  assert.ok(names.includes("mcpc-1.2.3-aarch64-apple-darwin.tar.gz"));
  assert.ok(names.includes("mcpc-1.2.3-x86_64-pc-windows-msvc.zip"));
});

Deno.test("the release workflow builds every target on its runner and the CI workflow runs .ci/run", async () => {
  const release = await Deno.readTextFile(`${ROOT}.github/workflows/release.yml`);
  for (const target of RELEASE_TARGETS) {
    assert.match(release, new RegExp(`target: ${target.triple}\\b`), target.triple);
    assert.match(release, new RegExp(`runner: ${target.runner}\\b`), target.runner);
  }
  assert.match(release, /deno task compile --target "\$\{\{ matrix\.target \}\}"/);
  assert.match(release, /sha256/i);
  const ci = await Deno.readTextFile(`${ROOT}.github/workflows/ci.yml`);
  assert.match(ci, /bash \.ci\/run/);
  assert.match(ci, /ubuntu/);
  assert.match(ci, /macos/);
});

interface Workflow {
  on: unknown;
  jobs: Record<string, {
    "runs-on": string;
    needs?: string;
    strategy?: { matrix: { include?: Record<string, string>[]; runner?: string[] } };
    steps: { uses?: string; run?: string; name?: string; with?: Record<string, unknown> }[];
  }>;
}

Deno.test("the workflows and the action are valid YAML with the jobs and steps they promise", async () => {
  const release = parse(
    await Deno.readTextFile(`${ROOT}.github/workflows/release.yml`),
  ) as Workflow;
  assert.deepEqual(Object.keys(release.jobs).sort(), ["build", "docker", "publish"]);
  const matrix = release.jobs.build.strategy!.matrix.include!;
  assert.deepEqual(
    matrix.map((entry) => `${entry.target} ${entry.runner}`),
    RELEASE_TARGETS.map((target) => `${target.triple} ${target.runner}`),
  );
  const runs = release.jobs.build.steps.map((step) => step.run ?? "").join("\n");
  assert.match(runs, /scripts\/smoke\.ts/);
  assert.match(runs, /scripts\/package\.ts/);
  assert.match(runs, /npm install -g deno@2\.9\.6/);
  assert.equal(release.jobs.publish.needs, "build");
  assert.ok(release.jobs.publish.steps.some((step) => /gh release create/.test(step.run ?? "")));
  assert.ok(
    release.jobs.docker.steps.some((step) => step.uses?.startsWith("docker/build-push-action")),
  );
  for (const job of Object.values(release.jobs)) {
    for (const step of job.steps) {
      if (step.uses) assert.match(step.uses, /@v\d+$/, `${step.uses} is pinned to a major version`);
    }
  }
  const ci = parse(await Deno.readTextFile(`${ROOT}.github/workflows/ci.yml`)) as Workflow;
  assert.deepEqual(ci.jobs.test.strategy!.matrix.runner, ["ubuntu-24.04", "macos-14"]);
  const action = parse(await Deno.readTextFile(`${ROOT}action.yml`)) as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    runs: { using: string; main: string; post: string };
  };
  assert.deepEqual(Object.keys(action.inputs).sort(), ["headers", "server", "session", "version"]);
  assert.deepEqual(Object.keys(action.outputs).sort(), ["session", "tools"]);
  for (const entry of [action.runs.main, action.runs.post]) await Deno.stat(`${ROOT}${entry}`);
});

Deno.test("executablePath() adds .exe for a Windows target only", () => {
  assert.equal(executablePath("dist/bin/mcpc", "x86_64-pc-windows-msvc"), "dist/bin/mcpc.exe");
  assert.equal(executablePath("dist/bin/mcpc.EXE", "x86_64-pc-windows-msvc"), "dist/bin/mcpc.EXE");
  assert.equal(executablePath("dist/bin/mcpc", "aarch64-apple-darwin"), "dist/bin/mcpc");
});
