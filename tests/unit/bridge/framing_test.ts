import assert from "node:assert/strict";
import {
  encodeFrame,
  FrameDecoder,
  FrameTooLargeError,
  MAX_FRAME_BYTES,
} from "../../../src/bridge/framing.ts";

const encoder = new TextEncoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

Deno.test("FrameDecoder.push() returns nothing until the newline arrives", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(bytes('{"a":')), []);
  assert.deepEqual(decoder.push(bytes("1,")), []);
  assert.deepEqual(decoder.push(bytes('"b":2}\n')), [{ a: 1, b: 2 }]);
});

Deno.test("FrameDecoder.push() joins a multi-byte UTF-8 character split across chunks", () => {
  const frame = encodeFrame({ text: "zł€😀" });
  const euro = bytes("€");
  const euroAt = frame.findIndex((byte, index) =>
    byte === euro[0] && frame[index + 1] === euro[1] && frame[index + 2] === euro[2]
  );
  assert.ok(euroAt > 0);
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(frame.subarray(0, euroAt + 1)), []);
  assert.deepEqual(decoder.push(frame.subarray(euroAt + 1, euroAt + 2)), []);
  assert.deepEqual(decoder.push(frame.subarray(euroAt + 2)), [{ text: "zł€😀" }]);
});

Deno.test("FrameDecoder.push() decodes a message fed one byte at a time", () => {
  const message = { text: "😀 emoji", list: [1, 2, 3] };
  const frame = encodeFrame(message);
  const decoder = new FrameDecoder();
  const seen: unknown[] = [];
  for (let index = 0; index < frame.length; index++) {
    seen.push(...decoder.push(frame.subarray(index, index + 1)));
  }
  assert.deepEqual(seen, [message]);
});

Deno.test("FrameDecoder.push() returns every message of a chunk in order", () => {
  const decoder = new FrameDecoder();
  const chunk = bytes('{"n":1}\n{"n":2}\n{"n":3}\n{"n":');
  assert.deepEqual(decoder.push(chunk), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.deepEqual(decoder.push(bytes("4}\n")), [{ n: 4 }]);
});

Deno.test("FrameDecoder.push() ignores empty and blank lines", () => {
  const invalid: string[] = [];
  const decoder = new FrameDecoder({ onInvalidLine: (line) => invalid.push(line) });
  assert.deepEqual(decoder.push(bytes('\n\n  \n{"a":1}\n\r\n\t\n')), [{ a: 1 }]);
  assert.deepEqual(invalid, []);
});

Deno.test("FrameDecoder.push() drops invalid JSON lines and reports them", () => {
  const invalid: { line: string; error: unknown }[] = [];
  const decoder = new FrameDecoder({
    onInvalidLine: (line, error) => invalid.push({ line, error }),
  });
  const messages = decoder.push(bytes('{"a":1}\nnot json\n{"b":2}\n{"broken":\n'));
  assert.deepEqual(messages, [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(invalid.map((entry) => entry.line), ["not json", '{"broken":']);
  assert.ok(invalid.every((entry) => entry.error instanceof SyntaxError));
});

Deno.test("FrameDecoder.push() drops invalid lines silently without onInvalidLine", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(bytes('oops\n{"ok":true}\n')), [{ ok: true }]);
});

Deno.test("FrameDecoder.push() reports an invalid line that spans chunks whole", () => {
  const invalid: string[] = [];
  const decoder = new FrameDecoder({ onInvalidLine: (line) => invalid.push(line) });
  assert.deepEqual(decoder.push(bytes("abc")), []);
  assert.deepEqual(decoder.push(bytes("def\n")), []);
  assert.deepEqual(invalid, ["abcdef"]);
});

Deno.test("FrameDecoder.push() throws FrameTooLargeError past maxBytes without a newline", () => {
  const decoder = new FrameDecoder({ maxBytes: 16 });
  assert.deepEqual(decoder.push(bytes('{"a":"12345')), []);
  assert.throws(
    () => decoder.push(bytes("678901234567")),
    (error: unknown) => {
      assert.ok(error instanceof FrameTooLargeError);
      assert.ok(error instanceof RangeError);
      assert.equal(error.name, "FrameTooLargeError");
      assert.equal(error.message, "IPC message of 23 bytes exceeds the 16-byte limit");
      assert.equal(error.size, 23);
      return true;
    },
  );
});

Deno.test("FrameDecoder.push() accepts a partial line of exactly maxBytes", () => {
  const decoder = new FrameDecoder({ maxBytes: 8 });
  assert.deepEqual(decoder.push(bytes('{"a":123')), []);
  assert.deepEqual(decoder.push(bytes("}\n")), [{ a: 123 }]);
});

Deno.test("FrameDecoder.push() recovers after FrameTooLargeError", () => {
  const decoder = new FrameDecoder({ maxBytes: 10 });
  assert.throws(() => decoder.push(bytes("x".repeat(11))), FrameTooLargeError);
  assert.deepEqual(decoder.push(bytes('{"ok":1}\n')), [{ ok: 1 }]);
  assert.deepEqual(decoder.push(bytes('{"n":')), []);
  assert.deepEqual(decoder.push(bytes("2}\n")), [{ n: 2 }]);
});

Deno.test("FrameDecoder defaults its cap to MAX_FRAME_BYTES (10 MiB)", () => {
  assert.equal(MAX_FRAME_BYTES, 10 * 1024 * 1024);
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(new Uint8Array(MAX_FRAME_BYTES).fill(0x20)), []);
  assert.throws(() => decoder.push(bytes(" ")), FrameTooLargeError);
});

Deno.test("encodeFrame() ends with exactly one newline", () => {
  for (const message of [{ a: "line\nbreak" }, "text\n", 42, null, [1, { b: [] }]]) {
    const text = new TextDecoder().decode(encodeFrame(message));
    assert.ok(text.endsWith("\n"));
    assert.ok(!text.endsWith("\n\n"));
    assert.equal(text.indexOf("\n"), text.length - 1, `embedded newline in ${text}`);
  }
});

Deno.test("encodeFrame() output round-trips through FrameDecoder", () => {
  const messages = [
    { type: "request", id: 1, method: "hello", params: { version: 1 } },
    { text: "multi\nline ünïcödé 😀", nested: { list: [1, null, true] } },
    "plain string",
    0,
  ];
  const decoder = new FrameDecoder();
  const joined = messages.map(encodeFrame);
  const all = new Uint8Array(joined.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of joined) {
    all.set(frame, offset);
    offset += frame.length;
  }
  assert.deepEqual(decoder.push(all), messages);
});
