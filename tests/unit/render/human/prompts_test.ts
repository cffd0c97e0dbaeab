import assert from "node:assert/strict";
import type { GetPromptResult, Prompt } from "../../../../src/mcp/types.ts";
import { renderPromptGet, renderPrompts } from "../../../../src/render/human/prompts.ts";
import { renderContentBlock } from "../../../../src/render/human/tool_result.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";

const plain = createTheme(false);
const getOptions = { name: "greet", sessionName: "@s", theme: plain };

const prompts: Prompt[] = [
  {
    name: "greet",
    title: "Greeting",
    description: "Says hello\nin many styles",
    arguments: [{ name: "style" }, { name: "name", required: true }],
  },
  {
    name: "many",
    arguments: [{ name: "a" }, { name: "b", required: true }, { name: "c" }, { name: "d" }],
  },
  { name: "plain", description: "No arguments" },
];

Deno.test("renderPrompts() lists each prompt with its arguments, required first", () => {
  assert.equal(
    renderPrompts(prompts, "@s", plain),
    [
      "Prompts (3):",
      "* `greet (name, style?)`",
      "  Greeting - Says hello",
      "* `many (b, a?, c?, …)`",
      "* `plain ()`",
      "  No arguments",
      "",
      "For a prompt's messages, run `mcpc @s prompts-get <name> [arg:=value ...]`",
    ].join("\n"),
  );
});

Deno.test("renderPrompts() says (none) for an empty list", () => {
  assert.equal(renderPrompts([], "@s", plain), "Prompts (0):\n(none)");
});

Deno.test("renderPrompts() styles the title, signatures and summaries when colours are on", () => {
  const theme = createTheme(true);
  const text = renderPrompts(prompts, "@s", theme);
  assert.ok(text.startsWith("\u001b[1mPrompts (3):\u001b[22m\n"));
  assert.ok(text.includes("* \u001b[90m`greet (name, style?)`\u001b[39m\n  \u001b[2mGreeting"));
  assert.equal(stripAnsi(text), renderPrompts(prompts, "@s", plain));
});

Deno.test("renderPromptGet() shows the description and each message with its role", () => {
  const result: GetPromptResult = {
    description: "A greeting",
    messages: [
      { role: "user", content: { type: "text", text: "Hello,\nAda" } },
      { role: "assistant", content: { type: "text", text: "Hi!" } },
    ],
  };
  assert.equal(
    renderPromptGet(result, getOptions),
    [
      "Description:",
      "````",
      "A greeting",
      "````",
      "",
      "Messages (2):",
      "",
      "Role: user",
      "````",
      "Hello,",
      "Ada",
      "````",
      "",
      "Role: assistant",
      "````",
      "Hi!",
      "````",
    ].join("\n"),
  );
});

Deno.test("renderPromptGet() renders other blocks as tool results do and never prints base64", () => {
  const data = btoa("not really a png, but long enough to notice");
  const result: GetPromptResult = {
    messages: [
      { role: "user", content: { type: "image", data, mimeType: "image/png" } },
      {
        role: "user",
        content: { type: "resource_link", uri: "file:///a.txt", name: "a.txt" },
      },
      {
        role: "assistant",
        content: { type: "resource", resource: { uri: "mem://x", text: "inside" } },
      },
    ],
  };
  const text = renderPromptGet(result, getOptions);
  assert.equal(
    text,
    [
      "Messages (3):",
      "",
      "Role: user",
      `[Image: image/png, ${data.length} chars base64]`,
      "",
      "Role: user",
      "Resource link",
      "* URI: file:///a.txt",
      "* Name: a.txt",
      "",
      "Role: assistant",
      "Embedded resource",
      "* URI: mem://x",
      "````",
      "inside",
      "````",
    ].join("\n"),
  );
  assert.ok(!text.includes(data));
  for (const message of result.messages) {
    assert.ok(text.includes(renderContentBlock(message.content, plain)));
  }
});

Deno.test("renderPromptGet() says (no messages) and ends with the metadata", () => {
  assert.equal(renderPromptGet({ messages: [] }, getOptions), "Messages (0):\n(no messages)");
  assert.equal(
    renderPromptGet({ messages: [], _meta: { trace: "t1" } }, getOptions),
    'Messages (0):\n(no messages)\n\nMetadata:\n````\n{\n  "trace": "t1"\n}\n````',
  );
});

Deno.test("renderPromptGet() makes titles and roles bold when colours are on", () => {
  const theme = createTheme(true);
  const result: GetPromptResult = {
    description: "d",
    messages: [{ role: "user", content: { type: "text", text: "x" } }],
  };
  const text = renderPromptGet(result, { ...getOptions, theme });
  assert.ok(text.startsWith("\u001b[1mDescription:\u001b[22m\n"));
  assert.ok(text.includes("\u001b[1mRole: user\u001b[22m\n"));
  assert.equal(stripAnsi(text), renderPromptGet(result, getOptions));
});
