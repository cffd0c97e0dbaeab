/**
 * Newline-delimited JSON framing for the CLI ↔ bridge socket, used by both sides.
 *
 * Layer: pure.
 * @module
 */

/** Largest unprocessed buffer a connection may hold (10 MiB); past it the connection is dropped. */
export const MAX_FRAME_BYTES = 10 * 1024 * 1024;

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/** A connection sent more than {@linkcode MAX_FRAME_BYTES} without a newline. */
export class FrameTooLargeError extends RangeError {
  /** Size of the message (or of the buffered part) in bytes. */
  readonly size: number;

  constructor(size: number, limit: number) {
    super(`IPC message of ${size} bytes exceeds the ${limit}-byte limit`);
    this.name = "FrameTooLargeError";
    this.size = size;
  }
}

/** Encodes one message as a UTF-8 JSON line. */
export function encodeFrame(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message) + "\n");
}

/** Options for {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Buffer cap in bytes (default {@linkcode MAX_FRAME_BYTES}). */
  maxBytes?: number;
  /** Called with each line that is not valid JSON; the line is dropped. */
  onInvalidLine?: (line: string, error: unknown) => void;
}

/** Incremental decoder: feed it chunks, get back the parsed JSON values of complete lines. */
export class FrameDecoder {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #maxBytes: number;
  #onInvalidLine?: (line: string, error: unknown) => void;
  #decoder = new TextDecoder();

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxBytes = options.maxBytes ?? MAX_FRAME_BYTES;
    this.#onInvalidLine = options.onInvalidLine;
  }

  /** Adds a chunk and returns every complete message; throws {@linkcode FrameTooLargeError}. */
  push(chunk: Uint8Array): unknown[] {
    const messages: unknown[] = [];
    let start = 0;
    let index = chunk.indexOf(NEWLINE, start);
    while (index !== -1) {
      const line = this.#takeLine(chunk.subarray(start, index));
      this.#parseInto(line, messages);
      start = index + 1;
      index = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.slice(start);
      this.#chunks.push(rest);
      this.#size += rest.length;
      if (this.#size > this.#maxBytes) {
        const size = this.#size;
        this.#chunks = [];
        this.#size = 0;
        throw new FrameTooLargeError(size, this.#maxBytes);
      }
    }
    return messages;
  }

  #takeLine(tail: Uint8Array): string {
    if (this.#chunks.length === 0) return this.#decoder.decode(tail);
    const whole = new Uint8Array(this.#size + tail.length);
    let offset = 0;
    for (const part of this.#chunks) {
      whole.set(part, offset);
      offset += part.length;
    }
    whole.set(tail, offset);
    this.#chunks = [];
    this.#size = 0;
    return this.#decoder.decode(whole);
  }

  #parseInto(line: string, messages: unknown[]): void {
    if (line.trim() === "") return;
    try {
      messages.push(JSON.parse(line));
    } catch (error) {
      this.#onInvalidLine?.(line, error);
    }
  }
}
