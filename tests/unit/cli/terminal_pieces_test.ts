import assert from "node:assert/strict";
import { createProgressDisplay, progressLine } from "../../../src/cli/progress_display.ts";
import {
  answerFromJson,
  applyDefaults,
  choicesOf,
  type FormSchema,
  parseField,
} from "../../../src/cli/elicitation_form.ts";

Deno.test("progressLine() draws a bar with a total, a spinner and elapsed time without", () => {
  assert.equal(
    progressLine("Running tool x", { progress: 1, total: 4, message: "step\n1" }, 61_000, 0, 200),
    "[█████░░░░░░░░░░░░░░░] 25% Running tool x (1:01) - step 1",
  );
  const spinner = progressLine(
    "Running tool x",
    { status: "working" },
    3_723_000,
    1,
    200,
    "(hint)",
  );
  assert.equal(spinner, "⠙ Running tool x (1:02:03) working (hint)");
  const cut = progressLine("Running tool x", { message: "m".repeat(100) }, 0, 0, 30);
  assert.equal([...cut].length, 29);
  assert.ok(cut.endsWith("…"));
  assert.ok(!progressLine("a\x1b[31mb", {}, 0, 0, 80).includes("\x1b"), "server text is made safe");
});

Deno.test("createProgressDisplay() writes nothing when disabled and erases what it drew on stop", () => {
  const quiet: string[] = [];
  const off = createProgressDisplay({ label: "x", enabled: false, write: (t) => quiet.push(t) });
  off.update({ progress: 1, total: 2 });
  off.stop();
  assert.deepEqual(quiet, []);
  const out: string[] = [];
  const on = createProgressDisplay({
    label: "x",
    enabled: true,
    immediate: true,
    write: (t) => out.push(t),
    columns: () => 80,
    now: () => 0,
  });
  on.update({ progress: 1, total: 2 });
  on.log("a note");
  on.stop();
  on.stop();
  assert.ok(out.some((t) => t.includes("50%")));
  assert.ok(out.includes("a note\n"));
  assert.equal(out.at(-1), "\r\x1b[2K", "the last write erases the line, once");
  assert.notEqual(out.at(-2), "\r\x1b[2K");
});

const FORM: FormSchema = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1 },
    color: { type: "string", enum: ["red", "green"], default: "green" },
    size: {
      type: "string",
      oneOf: [{ const: "s", title: "Small" }, { const: "l", title: "Large" }],
    },
    legacy: { type: "string", enum: ["a", "b"], enumNames: ["Alpha", "Beta"] },
    tags: {
      type: "array",
      items: { anyOf: [{ const: "x", title: "X" }, { const: "y" }] },
      maxItems: 1,
    },
    count: { type: "integer", minimum: 1, default: 2 },
    ok: { type: "boolean", default: false },
  },
  required: ["name"],
};

Deno.test("applyDefaults() and answerFromJson() fill in every default (SEP-1034) and check the form", async () => {
  assert.deepEqual(applyDefaults(FORM, { name: "Ada" }), {
    name: "Ada",
    color: "green",
    count: 2,
    ok: false,
  });
  assert.deepEqual(await answerFromJson(FORM, { name: "Ada", count: 5 }), {
    action: "accept",
    content: { name: "Ada", color: "green", count: 5, ok: false },
  });
  await assert.rejects(
    () => answerFromJson(FORM, { count: 0 }),
    /does not fit the server's form: .*name/,
  );
  await assert.rejects(
    () => answerFromJson(FORM, { name: "A", size: "m" }),
    /: size must be one of: s, l$/,
  );
});

Deno.test("parseField() reads every kind of field and says why an answer does not fit", () => {
  const field = (name: string) => FORM.properties![name];
  assert.deepEqual(choicesOf(field("size"))?.map((c) => c.label), ["Small", "Large"]);
  assert.deepEqual(choicesOf(field("legacy"))?.map((c) => c.label), ["Alpha", "Beta"]);
  assert.deepEqual(parseField(field("size"), "2"), { value: "l" });
  assert.deepEqual(parseField(field("legacy"), "Alpha"), { value: "a" });
  assert.deepEqual(parseField(field("tags"), "1"), { value: ["x"] });
  assert.deepEqual(parseField(field("tags"), "1,2"), { error: "pick at most 1" });
  assert.deepEqual(parseField(field("count"), "1.5"), { error: "enter a whole number" });
  assert.deepEqual(parseField(field("count"), "0"), { error: "the least is 1" });
  assert.deepEqual(parseField(field("ok"), "Y"), { value: true });
  assert.deepEqual(parseField(field("name"), ""), { error: "at least 1 characters" });
});
