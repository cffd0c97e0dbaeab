import assert from "node:assert/strict";
import {
  chunkCount,
  CHUNKED_PREFIX,
  chunkValue,
  isPrintableAscii,
  joinChunks,
  partAccount,
} from "../../../src/auth/keychain_chunks.ts";

const ANY_BYTES = { maxItemBytes: 100, printableOnly: false };
const PRINTABLE = { maxItemBytes: 100, printableOnly: true };

Deno.test("partAccount() numbers the parts of an account from 1", () => {
  assert.equal(partAccount("session:@s:headers", 1), "session:@s:headers#1");
});

Deno.test("chunkValue() keeps a value that fits one item as it is", () => {
  assert.deepEqual(chunkValue('{"Authorization":"Bearer t"}', ANY_BYTES), {
    head: '{"Authorization":"Bearer t"}',
    parts: [],
  });
  assert.deepEqual(chunkValue("héllo ✓", ANY_BYTES), { head: "héllo ✓", parts: [] });
  assert.deepEqual(chunkValue("", ANY_BYTES), { head: "", parts: [] });
});

Deno.test("chunkValue() splits a value larger than one item into base64 parts", () => {
  const value = "ü".repeat(300);
  const { head, parts } = chunkValue(value, ANY_BYTES);
  assert.equal(head, `${CHUNKED_PREFIX}${parts.length}`);
  assert.ok(parts.length >= 8);
  for (const part of parts) {
    assert.ok(part.length <= 100 && part.length % 4 === 0);
    assert.ok(isPrintableAscii(part));
  }
  assert.equal(chunkCount(head), parts.length);
  assert.equal(joinChunks(parts), value);
});

Deno.test("chunkValue() counts the limit in UTF-8 bytes, not characters", () => {
  assert.equal(chunkValue("€".repeat(33), ANY_BYTES).parts.length, 0);
  assert.notEqual(chunkValue("€".repeat(34), ANY_BYTES).parts.length, 0);
});

Deno.test("chunkValue() with printableOnly stores unprintable or empty values in parts", () => {
  for (const value of ["héllo", "line\nbreak", "tab\there", "", "\u{1F511}"]) {
    const { head, parts } = chunkValue(value, PRINTABLE);
    assert.equal(chunkCount(head), parts.length, JSON.stringify(value));
    assert.ok(parts.every(isPrintableAscii));
    assert.equal(joinChunks(parts), value);
  }
  assert.deepEqual(chunkValue("plain ascii ~", PRINTABLE), { head: "plain ascii ~", parts: [] });
});

Deno.test("chunkValue() stores a value that looks like a head in parts", () => {
  const value = `${CHUNKED_PREFIX}3`;
  const { head, parts } = chunkValue(value, ANY_BYTES);
  assert.equal(head, `${CHUNKED_PREFIX}1`);
  assert.equal(joinChunks(parts), value);
});

Deno.test("chunkCount() reads only a well-formed head", () => {
  assert.equal(chunkCount(`${CHUNKED_PREFIX}0`), 0);
  assert.equal(chunkCount(`${CHUNKED_PREFIX}12`), 12);
  for (const head of ["{}", `${CHUNKED_PREFIX}`, `${CHUNKED_PREFIX}01`, `${CHUNKED_PREFIX}1x`]) {
    assert.equal(chunkCount(head), undefined, head);
  }
});

Deno.test("joinChunks() throws SyntaxError for parts that are not base64 UTF-8", () => {
  assert.throws(() => joinChunks(["not base64!"]), SyntaxError);
  assert.throws(() => joinChunks(["abc"]), SyntaxError);
  assert.throws(() => joinChunks(["/w=="]), SyntaxError);
  assert.equal(joinChunks([]), "");
});
