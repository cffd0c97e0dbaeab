import assert from "node:assert/strict";
import type { ReadResourceResult, Resource, ResourceTemplate } from "../../../../src/mcp/types.ts";
import {
  formatBytes,
  renderResourceContents,
  renderResources,
  renderResourceSaved,
  renderResourceTemplates,
  renderSubscribed,
  renderUnsubscribed,
} from "../../../../src/render/human/resources.ts";
import { createTheme, stripAnsi } from "../../../../src/render/theme.ts";

const plain = createTheme(false);
const readOptions = { uri: "file:///a.txt", sessionName: "@s", theme: plain };

const resources: Resource[] = [
  {
    uri: "file:///a.txt",
    name: "a.txt",
    mimeType: "text/plain",
    description: "First line\nsecond line",
  },
  { uri: "mem://titled", name: "titled", title: "A titled one" },
  { uri: "mem://bare", name: "mem://bare" },
];

Deno.test("renderResources() lists each uri with its name, MIME type and description", () => {
  assert.equal(
    renderResources(resources, "@s", plain),
    [
      "Resources (3):",
      "* `file:///a.txt` a.txt (text/plain)",
      "  First line",
      "* `mem://titled` A titled one",
      "* `mem://bare`",
      "",
      "For a resource's contents, run `mcpc @s resources-read <uri>`",
    ].join("\n"),
  );
});

Deno.test("renderResources() cuts a long description to 120 characters", () => {
  const text = renderResources(
    [{ uri: "mem://x", name: "x", description: `  ${"d".repeat(200)}  ` }],
    "@s",
    plain,
  );
  assert.equal(text.split("\n")[2], `  ${"d".repeat(119)}…`);
});

Deno.test("renderResources() says (none) for an empty list", () => {
  assert.equal(renderResources([], "@s", plain), "Resources (0):\n(none)");
});

Deno.test("renderResources() styles the title, uris and details when colours are on", () => {
  const theme = createTheme(true);
  const text = renderResources(resources, "@s", theme);
  assert.ok(text.startsWith("\u001b[1mResources (3):\u001b[22m\n"));
  assert.ok(text.includes("* \u001b[90m`file:///a.txt`\u001b[39m \u001b[2ma.txt (text/plain)"));
  assert.equal(stripAnsi(text), renderResources(resources, "@s", plain));
});

Deno.test("renderResourceTemplates() lists each template and how to fill one in", () => {
  const templates: ResourceTemplate[] = [
    {
      uriTemplate: "file:///{path}",
      name: "file",
      mimeType: "text/plain",
      description: "Any file",
    },
    { uriTemplate: "mem://{id}", name: "mem" },
  ];
  assert.equal(
    renderResourceTemplates(templates, "@s", plain),
    [
      "Resource templates (2):",
      "* `file:///{path}` file (text/plain)",
      "  Any file",
      "* `mem://{id}` mem",
      "",
      "Read one with `mcpc @s resources-read <uri>` (fill in the {placeholders})",
    ].join("\n"),
  );
  assert.equal(renderResourceTemplates([], "@s", plain), "Resource templates (0):\n(none)");
});

Deno.test("renderResourceContents() prints a single text item in a fence without a header", () => {
  const result: ReadResourceResult = {
    contents: [{ uri: "file:///a.txt", mimeType: "text/plain", text: "line 1\nline 2" }],
  };
  assert.equal(renderResourceContents(result, readOptions), "````\nline 1\nline 2\n````");
});

Deno.test("renderResourceContents() summarises a blob and never prints its base64", () => {
  const blob = btoa("x".repeat(1234));
  const result: ReadResourceResult = {
    contents: [{ uri: "file:///a b.png", mimeType: "image/png", blob }],
  };
  const text = renderResourceContents(result, readOptions);
  assert.equal(
    text,
    [
      "[Binary content: image/png, 1.2 KB]",
      "Save it with `mcpc @s resources-read 'file:///a b.png' -o <file>`",
    ].join("\n"),
  );
  assert.ok(!text.includes(blob.slice(0, 16)));
});

Deno.test("renderResourceContents() heads each of several items with its uri and MIME type", () => {
  const result: ReadResourceResult = {
    contents: [
      { uri: "mem://one", mimeType: "text/markdown", text: "# One" },
      { uri: "mem://two", text: "two" },
      { uri: "mem://bin", blob: "AAECAw==" },
    ],
  };
  assert.equal(
    renderResourceContents(result, readOptions),
    [
      "Content `mem://one` (text/markdown)",
      "````",
      "# One",
      "````",
      "",
      "Content `mem://two`",
      "````",
      "two",
      "````",
      "",
      "Content `mem://bin`",
      "[Binary content: unknown type, 4 bytes]",
      "Save it with `mcpc @s resources-read mem://bin -o <file>`",
    ].join("\n"),
  );
});

Deno.test("renderResourceContents() says (no content) and ends with the metadata", () => {
  assert.equal(renderResourceContents({ contents: [] }, readOptions), "(no content)");
  assert.equal(
    renderResourceContents(
      { contents: [{ uri: "mem://x", text: "hi" }], _meta: { trace: "t1" } },
      readOptions,
    ),
    '````\nhi\n````\n\nMetadata:\n````\n{\n  "trace": "t1"\n}\n````',
  );
});

Deno.test("renderResourceContents() makes headers bold when colours are on", () => {
  const theme = createTheme(true);
  const result: ReadResourceResult = {
    contents: [{ uri: "mem://a", text: "a" }, { uri: "mem://b", text: "b" }],
  };
  const text = renderResourceContents(result, { ...readOptions, theme });
  assert.ok(text.startsWith("\u001b[1mContent\u001b[22m \u001b[90m`mem://a`\u001b[39m\n"));
  assert.equal(stripAnsi(text), renderResourceContents(result, readOptions));
});

Deno.test("renderResourceSaved() reports the file, the size and the MIME type", () => {
  assert.equal(
    renderResourceSaved(
      { uri: "mem://a", path: "out.png", bytes: 2048, mimeType: "image/png" },
      plain,
    ),
    "✓ Saved mem://a to out.png (2.0 KB, image/png)",
  );
  assert.equal(
    renderResourceSaved({ uri: "mem://a", path: "out.txt", bytes: 340 }, plain),
    "✓ Saved mem://a to out.txt (340 bytes)",
  );
  assert.equal(
    renderResourceSaved({ uri: "mem://a", path: "a", bytes: 1 }, createTheme(true)),
    "\u001b[32m✓ Saved mem://a to a (1 byte)\u001b[39m",
  );
});

Deno.test("renderSubscribed() and renderUnsubscribed() confirm the uri", () => {
  assert.equal(renderSubscribed("mem://a", plain), "✓ Subscribed to resource: mem://a");
  assert.equal(renderUnsubscribed("mem://a", plain), "✓ Unsubscribed from resource: mem://a");
});

Deno.test("formatBytes() words sizes in bytes, KB and MB", () => {
  assert.equal(formatBytes(0), "0 bytes");
  assert.equal(formatBytes(1), "1 byte");
  assert.equal(formatBytes(340), "340 bytes");
  assert.equal(formatBytes(1023), "1023 bytes");
  assert.equal(formatBytes(1024), "1.0 KB");
  assert.equal(formatBytes(1234), "1.2 KB");
  assert.equal(formatBytes(3.4 * 1024 * 1024), "3.4 MB");
  assert.equal(formatBytes(1024 * 1024 - 1), "1.0 MB");
  assert.equal(formatBytes(5 * 1024 ** 3), "5.0 GB");
});
