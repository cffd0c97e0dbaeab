import assert from "node:assert/strict";
import {
  fence,
  renderClosed,
  renderMetadata,
  renderPing,
  renderRestarted,
  renderRestarting,
  truncateOutput,
} from "../../../../src/render/human/misc.ts";
import { createTheme } from "../../../../src/render/theme.ts";

const plain = createTheme(false);

Deno.test("fence() wraps text between four-backtick lines", () => {
  assert.equal(fence("a\nb"), "````\na\nb\n````");
});

Deno.test("renderPing() reports the rounded round-trip time", () => {
  assert.equal(renderPing(12.6, plain), "✓ Ping successful (13ms)");
});

Deno.test("renderClosed() confirms the closed session", () => {
  assert.equal(renderClosed("@x", plain), "✓ Session @x closed successfully");
});

Deno.test("renderRestarting() announces the restart", () => {
  assert.equal(renderRestarting("@x"), "Restarting session @x...");
});

Deno.test("renderRestarted() confirms and notes the lost state", () => {
  assert.equal(
    renderRestarted("@x", plain),
    "✓ Session @x restarted\n" +
      "Note: previous session state was lost (e.g. added tools, resource subscriptions, async tasks)",
  );
});

Deno.test("renderPing() and renderRestarted() colour when the theme has colours", () => {
  const theme = createTheme(true);
  assert.equal(renderPing(5, theme), "\u001b[32m✓ Ping successful (5ms)\u001b[39m");
  assert.ok(renderRestarted("@x", theme).includes("\n\u001b[2mNote: "));
});

Deno.test("truncateOutput() leaves text within the limit unchanged", () => {
  assert.equal(truncateOutput("hello", 5), "hello");
});

Deno.test("truncateOutput() counts chars below 1 KB", () => {
  assert.equal(
    truncateOutput("hello world", 5),
    "hello\n\n... output truncated (11 chars total, showing first 5 chars). " +
      "Use --max-chars to adjust.",
  );
});

Deno.test("truncateOutput() reports KB with one decimal from 1024 chars", () => {
  assert.equal(
    truncateOutput("x".repeat(1536), 3),
    "xxx\n\n... output truncated (1.5KB total, showing first 3 chars). Use --max-chars to adjust.",
  );
  assert.match(truncateOutput("x".repeat(1024), 1), /\(1\.0KB total,/);
});

Deno.test("truncateOutput() closes a code fence the cut left open", () => {
  const text = ["Content:", "````", "a".repeat(100), "````"].join("\n");
  const cut = truncateOutput(text, 30);
  const lines = cut.split("\n");
  assert.equal(lines.filter((line) => line === "````").length, 2);
  assert.ok(cut.startsWith(`${text.slice(0, 30)}\n${"````"}\n\n... output truncated`));
  const outside = truncateOutput(`${text}\n\nmore text after the block`, text.length + 3);
  assert.equal(outside.split("\n").filter((line) => line === "````").length, 2);
});

Deno.test("truncateOutput() closes the fence when the cut falls inside a fence line", () => {
  const text = ["Content:", "````", "hello", "````", "", "more"].join("\n");
  for (let cut = 1; cut < text.length; cut++) {
    const body = truncateOutput(text, cut).split("\n\n... output truncated")[0];
    let open: string | undefined;
    for (const line of body.split("\n")) {
      if (!/^`{4,}$/.test(line)) continue;
      open = open === undefined ? line : undefined;
    }
    assert.equal(open, undefined, `cut at ${cut}: ${JSON.stringify(body)}`);
    assert.doesNotMatch(body, /\n`{1,3}$/, `cut at ${cut} leaves stray backticks`);
  }
});

Deno.test("fence() uses a longer fence than any the text holds", () => {
  assert.equal(fence("plain"), "````\nplain\n````");
  assert.equal(fence("a\n````\nb"), "`````\na\n````\nb\n`````");
  assert.equal(fence("``````x"), "```````\n``````x\n```````");
});

Deno.test("truncateOutput() closes a longer fence with a fence as long", () => {
  const text = fence(`a\n${"````"}\n${"b".repeat(50)}`);
  const body = truncateOutput(text, 20).split("\n\n... output truncated")[0];
  assert.ok(body.endsWith("\n`````"), body);
});

Deno.test("renderMetadata() leaves out the keys the protocol stamps and nothing else", () => {
  const meta = {
    "io.modelcontextprotocol/serverInfo": { name: "s", version: "1" },
    "com.example/trace": "abc",
  };
  assert.equal(
    renderMetadata(meta, plain),
    `Metadata:\n${fence(JSON.stringify({ "com.example/trace": "abc" }, null, 2))}`,
  );
  assert.equal(
    renderMetadata({ "io.modelcontextprotocol/serverInfo": { name: "s" } }, plain),
    undefined,
  );
  assert.equal(renderMetadata(undefined, plain), undefined);
});
