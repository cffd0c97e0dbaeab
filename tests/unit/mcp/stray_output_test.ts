import assert from "node:assert/strict";
import { StrayOutput } from "../../../src/mcp/stdio_transport.ts";

Deno.test("StrayOutput reports the first line, then summaries at most every 10 s", () => {
  const reports: string[] = [];
  const stray = new StrayOutput((message) => reports.push(message));
  stray.add("first", 0);
  for (let i = 0; i < 50_000; i++) stray.add("x".repeat(1023), 1_000);
  assert.deepEqual(reports, ['Ignored output that is not JSON-RPC: "first"']);
  stray.add("late", 11_000);
  assert.equal(reports.length, 2);
  assert.match(
    reports[1],
    /^Ignored 50001 more lines \(48\.8 MiB\) of output that is not JSON-RPC$/,
  );
  stray.flush(12_000);
  assert.equal(reports.length, 2, "nothing new, nothing reported");
  stray.add("one", 12_500);
  stray.flush(13_000);
  assert.equal(reports[2], "Ignored 1 more line (4 characters) of output that is not JSON-RPC");
});
