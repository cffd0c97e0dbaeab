/**
 * Reading a whole stream without letting it grow without bound (a config
 * file that is `/dev/zero`, a start config that never ends).
 *
 * Layer: edge.
 * @module
 */

/**
 * All bytes of `stream`, or `undefined` as soon as they exceed `limit`.
 * Aborting `signal` cancels the stream and returns what was read until then.
 */
export async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  signal?: AbortSignal,
): Promise<Uint8Array | undefined> {
  const reader = stream.getReader();
  const cancel = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await cancel();
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
