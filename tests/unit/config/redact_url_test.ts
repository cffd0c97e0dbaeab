import assert from "node:assert/strict";
import { REDACTED, redactUrl, redactUrlsIn } from "../../../src/config/redact_url.ts";
import { redactServerConfig } from "../../../src/session/session.ts";

const ROWS: [string, string][] = [
  ["https://h/mcp?key=abc&x=1", "https://h/mcp?key=<redacted>&x=<redacted>"],
  ["https://h/mcp", "https://h/mcp"],
  ["https://h/mcp?", "https://h/mcp?"],
  ["https://h/mcp?flag", "https://h/mcp?<redacted>"],
  ["https://h/mcp?empty=&k=v", "https://h/mcp?empty=&k=<redacted>"],
  ["https://h/mcp?k=a=b", "https://h/mcp?k=<redacted>"],
  ["https://user:pass@h:8080/mcp", "https://h:8080/mcp"],
  ["https://u:p@ss@h/mcp?k=v", "https://h/mcp?k=<redacted>"],
  ["https://h/mcp#access_token=abc", "https://h/mcp"],
  ["https://h/p@th?k=v", "https://h/p@th?k=<redacted>"],
  ["user:pass@example.com/mcp", "example.com/mcp"],
  ["localhost:3000/mcp?token=t", "localhost:3000/mcp?token=<redacted>"],
  // Config templates: a value made only of ${VAR} references names the variable, no secret.
  ["https://${HOST}/mcp?key=${KEY}", "https://${HOST}/mcp?key=${KEY}"],
  ["https://h/mcp?key=${A}${B}&lit=pre${A}", "https://h/mcp?key=${A}${B}&lit=<redacted>"],
  ["https://${USER}:${PASS}@h/mcp", "https://h/mcp"],
  ["::1", "::1"],
];

for (const [input, expected] of ROWS) {
  Deno.test(`redactUrl() turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
    assert.equal(redactUrl(input), expected);
  });
}

Deno.test("redactUrl() is idempotent", () => {
  for (const [input] of ROWS) {
    const once = redactUrl(input);
    assert.equal(redactUrl(once), once);
  }
});

Deno.test("redactUrl() gives one text for the same URL with other query values", () => {
  assert.equal(redactUrl("https://h/mcp?key=one"), redactUrl("https://h/mcp?key=two"));
  assert.notEqual(redactUrl("https://h/mcp?key=one"), redactUrl("https://h/mcp?other=one"));
});

Deno.test("redactUrlsIn() redacts every URL in a message and leaves the rest", () => {
  const message = "fetch failed: error sending request for url " +
    "(http://127.0.0.1:9/mcp?key=s3cret&x=2): client error, see https://a:b@docs.example/x";
  assert.equal(
    redactUrlsIn(message),
    "fetch failed: error sending request for url " +
      "(http://127.0.0.1:9/mcp?key=<redacted>&x=<redacted>): client error, see https://docs.example/x",
  );
  assert.equal(redactUrlsIn("no url here: key=value"), "no url here: key=value");
  assert.equal(
    redactUrlsIn("for url (http://[::1]:9/mcp?key={s3cret}): refused"),
    "for url (http://[::1]:9/mcp?key=<redacted>): refused",
  );
  assert.equal(redactUrlsIn(redactUrlsIn(message)), redactUrlsIn(message));
});

Deno.test("redactServerConfig() redacts the URL as well as header and env values", () => {
  assert.deepEqual(
    redactServerConfig({
      url: "https://h/mcp?key=abc",
      headers: { Authorization: "Basic xyz" },
      timeout: 5,
    }),
    { url: "https://h/mcp?key=<redacted>", headers: { Authorization: REDACTED }, timeout: 5 },
  );
  assert.deepEqual(redactServerConfig({ command: "run", args: ["a"], env: { K: "v" } }), {
    command: "run",
    args: ["a"],
    env: { K: REDACTED },
  });
});
