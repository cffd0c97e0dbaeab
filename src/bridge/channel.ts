/**
 * A framed message channel over one socket connection, used by both the CLI
 * and the bridge: complete writes, capped reads.
 *
 * Layer: edge.
 * @module
 */

import { encodeFrame, FrameDecoder, FrameTooLargeError, MAX_FRAME_BYTES } from "./framing.ts";

/** The socket operations a channel needs (a `Deno.Conn` satisfies it). */
export interface ByteStream {
  read(buffer: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  close(): void;
}

/** Callbacks of a {@linkcode Channel}. */
export interface ChannelHandlers {
  /** Each decoded JSON value. */
  onMessage: (message: unknown) => void;
  /** The connection ended (EOF, error, or oversize input). */
  onClose: (error?: unknown) => void;
  /** A line that was not JSON (dropped). */
  onInvalidLine?: (line: string) => void;
}

const READ_CHUNK = 64 * 1024;

/** Reads NDJSON messages from a stream and writes them, one complete frame at a time. */
export class Channel {
  #stream: ByteStream;
  #closed = false;
  #writing: Promise<void> = Promise.resolve();
  #queued = 0;

  constructor(stream: ByteStream, handlers: ChannelHandlers) {
    this.#stream = stream;
    this.#readLoop(handlers);
  }

  /** Messages sent but not written yet (a peer that stops reading makes this grow). */
  get queued(): number {
    return this.#queued;
  }

  /** Whether the channel has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one message; writes are queued so frames never interleave. A
   * message larger than the peer accepts is refused with
   * {@linkcode FrameTooLargeError} and nothing is written.
   */
  send(message: unknown): Promise<void> {
    const frame = encodeFrame(message);
    if (frame.length > MAX_FRAME_BYTES) {
      return Promise.reject(new FrameTooLargeError(frame.length, MAX_FRAME_BYTES));
    }
    this.#queued++;
    const next = this.#writing.then(() => this.#writeAll(frame)).finally(() => this.#queued--);
    this.#writing = next.catch(() => {});
    return next;
  }

  /** Closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#stream.close();
    } catch {
      // Already closed by the peer: nothing left to release.
    }
  }

  async #writeAll(frame: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < frame.length) {
      if (this.#closed) throw new Error("Cannot write to IPC socket: connection closed");
      offset += await this.#stream.write(frame.subarray(offset));
    }
  }

  async #readLoop(handlers: ChannelHandlers): Promise<void> {
    const decoder = new FrameDecoder({ onInvalidLine: (line) => handlers.onInvalidLine?.(line) });
    const buffer = new Uint8Array(READ_CHUNK);
    let failure: unknown;
    try {
      while (!this.#closed) {
        const count = await this.#stream.read(buffer);
        if (count === null) break;
        for (const message of decoder.push(buffer.subarray(0, count))) handlers.onMessage(message);
      }
    } catch (error) {
      failure = this.#closed ? undefined : error;
    }
    this.close();
    handlers.onClose(failure);
  }
}
