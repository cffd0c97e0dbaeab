import assert from "node:assert/strict";
import { firstFreeName, nameFromUrl, sanitizeNamePart } from "../../../src/session/naming.ts";

Deno.test("nameFromUrl() follows the original's examples", () => {
  const rows: [string, string][] = [
    ["https://mcp.apify.com", "apify"],
    ["https://mcp.example.co.uk", "example"],
    ["https://api.deep-research.anthropic.com", "deep-research"],
    ["http://localhost:3000", "localhost-3000"],
    ["http://127.0.0.1:8080", "127-0-0-1-8080"],
    ["https://example.com:443", "example"],
    ["https://www.example.com/mcp", "example"],
    ["http://localhost", "localhost"],
  ];
  for (const [url, expected] of rows) assert.equal(nameFromUrl(url), expected, url);
});

Deno.test("sanitizeNamePart() keeps only name characters", () => {
  assert.equal(sanitizeNamePart("my.server.name"), "my-server-name");
  assert.equal(sanitizeNamePart("--A  b--"), "a-b");
  assert.equal(sanitizeNamePart("..."), "session");
  assert.equal(sanitizeNamePart("x".repeat(80)).length, 64);
});

Deno.test("firstFreeName() appends -2 … -99 when the name is taken", () => {
  assert.equal(firstFreeName("demo", new Set()), "@demo");
  assert.equal(firstFreeName("demo", new Set(["@demo"])), "@demo-2");
  assert.equal(firstFreeName("demo", new Set(["@demo", "@demo-2"])), "@demo-3");
  const all = new Set(["@demo", ...Array.from({ length: 98 }, (_, i) => `@demo-${i + 2}`)]);
  assert.equal(firstFreeName("demo", all), undefined);
});
