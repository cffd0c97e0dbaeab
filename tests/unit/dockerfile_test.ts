import assert from "node:assert/strict";
import { validate } from "dockerfile-utils";

const ROOT = new URL("../../", import.meta.url).pathname;
const DOCKERFILE = await Deno.readTextFile(`${ROOT}Dockerfile`);

/** The instructions of the last stage (the image users run). */
function finalStage(text: string): string[] {
  const lines = text.replace(/\\\n\s*/g, " ").split("\n").map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const from = lines.map((line, index) => /^FROM /i.test(line) ? index : -1).filter((i) => i >= 0);
  return lines.slice(from.at(-1));
}

Deno.test("the Dockerfile passes the linter", () => {
  const problems = validate(DOCKERFILE).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(problems, []);
});

Deno.test("the image is the binary alone on a distroless base, run as a non-root user with /data", async () => {
  const stage = finalStage(DOCKERFILE);
  assert.match(stage[0], /^FROM gcr\.io\/distroless\/cc-debian12:nonroot$/);
  assert.ok(!stage.some((line) => /^RUN /i.test(line)), "nothing runs in the final stage");
  assert.ok(
    !stage.some((line) => /node|deno/i.test(line.replace(/--from=build/, ""))),
    stage.join("\n"),
  );
  assert.ok(stage.includes("COPY --from=build /out/mcpc /usr/local/bin/mcpc"));
  assert.ok(stage.includes("USER nonroot"));
  assert.ok(stage.some((line) => /^ENV .*MCPC_HOME_DIR=\/data/.test(line)));
  assert.ok(stage.includes('VOLUME ["/data"]'));
  assert.ok(stage.includes('ENTRYPOINT ["/usr/local/bin/mcpc"]'));
  // The build stage compiles with the pinned Deno (.ci/run's version).
  const ci = await Deno.readTextFile(`${ROOT}.ci/run`);
  const pinned = /DENO_VERSION=(\S+)/.exec(ci)![1];
  assert.match(
    DOCKERFILE,
    new RegExp(`FROM denoland/deno:debian-${pinned.replaceAll(".", "\\.")} AS build`),
  );
});
