import assert from "node:assert/strict";
import type { CallToolResult, ContentBlock } from "../../../../src/mcp/types.ts";
import {
  renderToolCallResult,
  renderToolResultBody,
} from "../../../../src/render/human/tool_result.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";

const plain = createTheme(false);
const options = { toolName: "echo", sessionName: "@s", theme: plain };

Deno.test("renderToolCallResult() shows the success banner and fenced text blocks", () => {
  const result: CallToolResult = {
    content: [{ type: "text", text: "Hello, World!" }, { type: "text", text: "second" }],
  };
  assert.equal(
    renderToolCallResult(result, options),
    [
      "✓ Tool echo executed successfully with these results:",
      "",
      "Content:",
      "````",
      "Hello, World!",
      "````",
      "",
      "````",
      "second",
      "````",
    ].join("\n"),
  );
});

Deno.test("renderToolCallResult() shows the error banner and the tools-get hint on isError", () => {
  const result: CallToolResult = { content: [{ type: "text", text: "bad input" }], isError: true };
  assert.equal(
    renderToolCallResult(result, options),
    [
      "✗ Tool echo returned an error",
      "",
      "Content:",
      "````",
      "bad input",
      "````",
      "",
      "ℹ Run mcpc @s tools-get echo to see the tool schema and usage",
    ].join("\n"),
  );
});

Deno.test("renderToolResultBody() says (no content) when there is nothing", () => {
  assert.equal(renderToolResultBody({ content: [] }, plain), "(no content)");
});

Deno.test("renderToolResultBody() hides text equal to structuredContent and shows it instead", () => {
  const structured = { b: [1, 2], a: { c: null } };
  const result: CallToolResult = {
    content: [{ type: "text", text: '{"a":{"c":null},"b":[1,2]}' }],
    structuredContent: structured,
  };
  assert.equal(
    renderToolResultBody(result, plain),
    `Structured content:\n\`\`\`\`\n${JSON.stringify(structured, null, 2)}\n\`\`\`\``,
  );
});

Deno.test("renderToolResultBody() keeps other content and then skips structured content", () => {
  const result: CallToolResult = {
    content: [
      { type: "text", text: '{"a":1}' },
      { type: "text", text: '{"a":2}' },
      { type: "text", text: "not json" },
    ],
    structuredContent: { a: 1 },
  };
  assert.equal(
    renderToolResultBody(result, plain),
    'Content:\n````\n{"a":2}\n````\n\n````\nnot json\n````',
  );
});

Deno.test("renderToolResultBody() ends with the metadata", () => {
  const result: CallToolResult = {
    content: [{ type: "text", text: "hi" }],
    _meta: { trace: "t1" },
  };
  assert.equal(
    renderToolResultBody(result, plain),
    'Content:\n````\nhi\n````\n\nMetadata:\n````\n{\n  "trace": "t1"\n}\n````',
  );
  assert.equal(
    renderToolResultBody({ content: [], _meta: { trace: "t1" } }, plain),
    'Metadata:\n````\n{\n  "trace": "t1"\n}\n````',
  );
});

Deno.test("renderToolResultBody() renders images, audio, links and embedded resources", () => {
  const content: ContentBlock[] = [
    { type: "image", data: "aGVsbG8=", mimeType: "image/png" },
    { type: "audio", data: "AAAA", mimeType: "audio/wav" },
    {
      type: "resource_link",
      uri: "file:///a.txt",
      name: "a.txt",
      description: "A file",
      mimeType: "text/plain",
    },
    { type: "resource_link", uri: "file:///b", name: "b" },
    { type: "resource", resource: { uri: "mem://x", mimeType: "text/plain", text: "inside" } },
    { type: "resource", resource: { uri: "mem://y", blob: "AAAAAA" } },
  ];
  assert.equal(
    renderToolResultBody({ content }, plain),
    [
      "Content:",
      "[Image: image/png, 8 chars base64]",
      "",
      "[Audio: audio/wav, 4 chars base64]",
      "",
      "Resource link",
      "* URI: file:///a.txt",
      "* Name: a.txt",
      "* Description: ````A file````",
      "* MIME type: text/plain",
      "",
      "Resource link",
      "* URI: file:///b",
      "* Name: b",
      "",
      "Embedded resource",
      "* URI: mem://x",
      "* MIME type: text/plain",
      "````",
      "inside",
      "````",
      "",
      "Embedded resource",
      "* URI: mem://y",
      "[Binary: 6 chars base64]",
    ].join("\n"),
  );
});

Deno.test("renderToolResultBody() prints unknown blocks as JSON", () => {
  const block = { type: "widget", size: 3 } as unknown as ContentBlock;
  assert.equal(
    renderToolResultBody({ content: [block] }, plain),
    'Content:\n````\n{\n  "type": "widget",\n  "size": 3\n}\n````',
  );
});

Deno.test("renderToolCallResult() colours banners and the hint when colours are on", () => {
  const theme = createTheme(true);
  const ok = renderToolCallResult({ content: [] }, { ...options, theme });
  assert.ok(ok.startsWith("\u001b[32m✓ Tool echo"));
  const failed = renderToolCallResult({ content: [], isError: true }, { ...options, theme });
  assert.ok(failed.startsWith("\u001b[31m✗ Tool echo"));
  assert.ok(
    failed.endsWith(
      "\u001b[36mℹ Run mcpc @s tools-get echo to see the tool schema and usage\u001b[39m",
    ),
  );
  assert.equal(stripAnsi(failed), renderToolCallResult({ content: [], isError: true }, options));
});
