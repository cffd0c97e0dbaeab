import assert from "node:assert/strict";
import { formatTimeAgo } from "../../../src/render/time_ago.ts";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const cases: [string, number, string][] = [
  ["0 s", 0, "just now"],
  ["59 s", 59 * SECOND, "just now"],
  ["a moment in the future", -5 * MINUTE, "just now"],
  ["60 s", MINUTE, "1m ago"],
  ["59 min", 59 * MINUTE + 59 * SECOND, "59m ago"],
  ["1 h", HOUR, "1h ago"],
  ["23 h", 23 * HOUR + 59 * MINUTE, "23h ago"],
  ["1 day", DAY, "yesterday"],
  ["47 h", 47 * HOUR, "yesterday"],
  ["2 days", 2 * DAY, "2 days ago"],
  ["6 days", 6 * DAY + 23 * HOUR, "6 days ago"],
  ["7 days", 7 * DAY, "1 weeks ago"],
  ["29 days", 29 * DAY, "4 weeks ago"],
  ["30 days", 30 * DAY, "1 months ago"],
  ["400 days", 400 * DAY, "13 months ago"],
];

for (const [label, elapsed, expected] of cases) {
  Deno.test(`formatTimeAgo() says "${expected}" after ${label}`, () => {
    assert.equal(formatTimeAgo(NOW - elapsed, NOW), expected);
  });
}

Deno.test("formatTimeAgo() says just now for an invalid time", () => {
  assert.equal(formatTimeAgo(Number.NaN, NOW), "just now");
});
