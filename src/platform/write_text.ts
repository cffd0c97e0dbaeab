/**
 * Writing text to a standard stream in full, where a reader that went away
 * (a closed pipe) is not an error.
 *
 * Layer: edge.
 * @module
 */

/**
 * Writes all of `text` to `stream`; a broken pipe ends the write quietly.
 * Returns `false` when the reader has gone away.
 */
export function writeText(stream: { writeSync(data: Uint8Array): number }, text: string): boolean {
  const data = new TextEncoder().encode(text);
  try {
    let offset = 0;
    while (offset < data.length) offset += stream.writeSync(data.subarray(offset));
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
    return false;
  }
}
