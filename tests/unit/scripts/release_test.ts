import assert from "node:assert/strict";
import {
  archiveName,
  readVersionFacts,
  RELEASE_TARGETS,
  versionProblem,
} from "../../../scripts/release.ts";
import { VERSION } from "../../../src/version.ts";

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
