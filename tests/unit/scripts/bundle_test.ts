import assert from "node:assert/strict";
import { bundleArgs, linkLazyParts, linkParts } from "../../../scripts/bundle.ts";

const DISPATCHER =
  'a=await import("./src/bridge/bridge_main.ts");b=await import("./src/cli/cli_main.ts")';

Deno.test("linkParts() points main.js's imports at the separately built parts", () => {
  assert.equal(
    linkParts(DISPATCHER),
    'a=await import("./bridge/bridge_main.js");b=await import("./cli/cli_main.js")',
  );
  assert.equal(
    linkParts(DISPATCHER.replaceAll('"', "'")),
    'a=await import("./bridge/bridge_main.js");b=await import("./cli/cli_main.js")',
  );
});

Deno.test("linkParts() refuses an entry whose imports it cannot find exactly once", () => {
  assert.throws(
    () => linkParts('b=await import("./src/cli/cli_main.ts")'),
    /\.\/src\/bridge\/bridge_main\.ts was found 0 times/,
  );
  assert.throws(
    () => linkParts(`${DISPATCHER};c=import("./src/cli/cli_main.ts")`),
    /\.\/src\/cli\/cli_main\.ts was found 2 times/,
  );
  assert.throws(() => linkParts(DISPATCHER.replace("./src/cli", "./srcXcli")), /found 0 times/);
});

Deno.test("bundleArgs() minifies, splits chunks and leaves the given modules out", () => {
  const args = bundleArgs("/r/main.ts", "/out", ["./src/cli/cli_main.ts"]);
  for (const flag of ["--minify", "--code-splitting", "--frozen"]) assert.ok(args.includes(flag));
  assert.deepEqual(args.slice(args.indexOf("--external"), args.indexOf("--external") + 2), [
    "--external",
    "./src/cli/cli_main.ts",
  ]);
  assert.deepEqual(args.slice(-3), ["--outdir", "/out", "/r/main.ts"]);
});

Deno.test("linkLazyParts() points a part's lazy imports at their own build, in every chunk", () => {
  assert.deepEqual(
    linkLazyParts({
      "bridge_main.js": 'x=import("./insecure_fetch.ts");y=1',
      "chunk-A.js": "z=import('./insecure_fetch.ts')",
      "chunk-B.js": "nothing here",
    }),
    {
      "bridge_main.js": 'x=import("../insecure/insecure_fetch.js");y=1',
      "chunk-A.js": 'z=import("../insecure/insecure_fetch.js")',
    },
  );
  assert.throws(
    () => linkLazyParts({ "a.js": 'import("./insecure_fetchXts")' }),
    /no import of \.\/insecure_fetch\.ts was found in the part/,
  );
});
