import assert from "node:assert/strict";
import { join } from "node:path";
import { type ByteStream, Channel } from "../../../src/bridge/channel.ts";
import { FrameTooLargeError, MAX_FRAME_BYTES } from "../../../src/bridge/framing.ts";
import { withDeadline } from "../../fakes/deadline.ts";

const WAIT_MS = 10_000;

/** A connected pair of Unix sockets in a fresh temp dir. */
interface SocketPair {
  left: Deno.UnixConn;
  right: Deno.UnixConn;
  dispose: () => Promise<void>;
}

async function socketPair(): Promise<SocketPair> {
  const dir = await Deno.makeTempDir({ prefix: "mcpc_channel_" });
  const path = join(dir, "test.sock");
  const listener = Deno.listen({ transport: "unix", path });
  const [right, left] = await Promise.all([
    listener.accept(),
    Deno.connect({ transport: "unix", path }),
  ]);
  listener.close();
  return {
    left,
    right,
    dispose: () => Deno.remove(dir, { recursive: true }),
  };
}

/** A channel plus everything its handlers saw. */
interface Observed {
  channel: Channel;
  messages: unknown[];
  invalid: string[];
  closes: unknown[];
  closed: Promise<unknown>;
  /** Resolves once `count` messages have arrived. */
  received: (count: number) => Promise<unknown[]>;
}

function observe(stream: ByteStream): Observed {
  const messages: unknown[] = [];
  const invalid: string[] = [];
  const closes: unknown[] = [];
  const closedSignal = Promise.withResolvers<unknown>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const channel = new Channel(stream, {
    onMessage: (message) => {
      messages.push(message);
      for (const waiter of waiters) if (messages.length >= waiter.count) waiter.resolve();
    },
    onClose: (error) => {
      closes.push(error);
      closedSignal.resolve(error);
    },
    onInvalidLine: (line) => invalid.push(line),
  });
  return {
    channel,
    messages,
    invalid,
    closes,
    closed: closedSignal.promise,
    received: (count) => {
      if (messages.length >= count) return Promise.resolve(messages);
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ count, resolve });
      return bounded(promise.then(() => messages), `${count} messages`);
    },
  };
}

/** Rejects if `promise` does not settle within WAIT_MS. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  return withDeadline(promise, WAIT_MS, what);
}

/** Reads until EOF or a reset; true once the connection has ended. */
async function peerEnded(conn: Deno.UnixConn): Promise<boolean> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    while (await conn.read(buffer) !== null) {
      // Drain whatever is left.
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
  }
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An in-memory stream that accepts at most `maxWrite` bytes per write, asynchronously. */
class SlowStream implements ByteStream {
  written: number[] = [];
  closed = false;
  #maxWrite: number;
  #pendingRead = Promise.withResolvers<number | null>();

  constructor(maxWrite: number) {
    this.#maxWrite = maxWrite;
  }

  read(_buffer: Uint8Array): Promise<number | null> {
    return this.#pendingRead.promise;
  }

  async write(data: Uint8Array): Promise<number> {
    await Promise.resolve();
    const count = Math.min(this.#maxWrite, data.length);
    this.written.push(...data.subarray(0, count));
    return count;
  }

  close(): void {
    this.closed = true;
    this.#pendingRead.resolve(null);
  }

  text(): string {
    return new TextDecoder().decode(new Uint8Array(this.written));
  }
}

Deno.test("Channel delivers messages in both directions over a Unix socket", async () => {
  const pair = await socketPair();
  const left = observe(pair.left);
  const right = observe(pair.right);
  try {
    await left.channel.send({ from: "left", n: 1 });
    await left.channel.send({ from: "left", n: 2 });
    await right.channel.send({ from: "right", text: "ünï 😀" });
    assert.deepEqual(await right.received(2), [{ from: "left", n: 1 }, { from: "left", n: 2 }]);
    assert.deepEqual(await left.received(1), [{ from: "right", text: "ünï 😀" }]);
    assert.deepEqual([left.invalid, right.invalid], [[], []]);
    assert.equal(left.channel.closed, false);
  } finally {
    left.channel.close();
    right.channel.close();
    await bounded(Promise.all([left.closed, right.closed]), "close");
    await pair.dispose();
  }
});

Deno.test("Channel delivers a 3 MiB message intact", async () => {
  const pair = await socketPair();
  const left = observe(pair.left);
  const right = observe(pair.right);
  try {
    const pattern = "0123456789abcdefghijklmnopqrstuvwxyz€";
    const payload = pattern.repeat(Math.ceil((3 * 1024 * 1024) / pattern.length));
    await bounded(left.channel.send({ payload }), "the large send");
    const [message] = await right.received(1);
    const received = (message as { payload: string }).payload;
    assert.equal(received.length, payload.length);
    assert.ok(received === payload, "payload differs");
  } finally {
    left.channel.close();
    right.channel.close();
    await bounded(Promise.all([left.closed, right.closed]), "close");
    await pair.dispose();
  }
});

Deno.test("Channel.send() loops until a partially written frame is complete", async () => {
  const stream = new SlowStream(7);
  const observed = observe(stream);
  const message = { text: "x".repeat(100), id: 1 };
  await bounded(observed.channel.send(message), "send");
  assert.equal(stream.text(), JSON.stringify(message) + "\n");
  observed.channel.close();
  await bounded(observed.closed, "close");
});

Deno.test("Channel.send() never interleaves frames of concurrent sends (partial writes)", async () => {
  const stream = new SlowStream(5);
  const observed = observe(stream);
  const messages = Array.from({ length: 30 }, (_, id) => ({ id, body: "y".repeat(id * 3) }));
  await bounded(Promise.all(messages.map((m) => observed.channel.send(m))), "sends");
  const expected = messages.map((m) => JSON.stringify(m) + "\n").join("");
  assert.equal(stream.text(), expected);
  observed.channel.close();
  await bounded(observed.closed, "close");
});

Deno.test("Channel.send() never interleaves 200 concurrent frames over a Unix socket", async () => {
  const pair = await socketPair();
  const left = observe(pair.left);
  const right = observe(pair.right);
  try {
    const sizes = [0, 1, 100, 4_000, 70_000, 300_000];
    const messages = Array.from({ length: 200 }, (_, id) => ({
      id,
      body: String.fromCharCode(97 + (id % 26)).repeat(sizes[id % sizes.length]),
    }));
    await bounded(Promise.all(messages.map((m) => left.channel.send(m))), "sends");
    const received = await right.received(messages.length);
    assert.deepEqual(right.invalid, []);
    assert.deepEqual(received, messages);
  } finally {
    left.channel.close();
    right.channel.close();
    await bounded(Promise.all([left.closed, right.closed]), "close");
    await pair.dispose();
  }
});

Deno.test("Channel reports invalid lines and keeps reading", async () => {
  const pair = await socketPair();
  const right = observe(pair.right);
  try {
    await pair.left.write(new TextEncoder().encode('not json\n{"ok":true}\n'));
    assert.deepEqual(await right.received(1), [{ ok: true }]);
    assert.deepEqual(right.invalid, ["not json"]);
  } finally {
    pair.left.close();
    await bounded(right.closed, "close");
    await pair.dispose();
  }
});

Deno.test("Channel calls onClose once without an error when the peer closes", async () => {
  const pair = await socketPair();
  const left = observe(pair.left);
  const right = observe(pair.right);
  try {
    left.channel.close();
    assert.equal(left.channel.closed, true);
    assert.equal(await bounded(right.closed, "the peer's onClose"), undefined);
    await bounded(left.closed, "the local onClose");
    await delay(50);
    assert.deepEqual(right.closes, [undefined]);
    assert.deepEqual(left.closes, [undefined]);
    assert.equal(right.channel.closed, true);
  } finally {
    left.channel.close();
    right.channel.close();
    await pair.dispose();
  }
});

Deno.test("Channel.close() is idempotent and onClose still fires once", async () => {
  const stream = new SlowStream(100);
  const observed = observe(stream);
  observed.channel.close();
  observed.channel.close();
  await bounded(observed.closed, "close");
  await delay(10);
  assert.deepEqual(observed.closes, [undefined]);
  assert.equal(stream.closed, true);
});

Deno.test("Channel.send() rejects after the channel closed", async () => {
  const stream = new SlowStream(100);
  const observed = observe(stream);
  observed.channel.close();
  await assert.rejects(
    observed.channel.send({ late: true }),
    { message: "Cannot write to IPC socket: connection closed" },
  );
  assert.deepEqual(stream.written, []);
  await bounded(observed.closed, "close");
});

Deno.test("Channel closes with FrameTooLargeError on more than 10 MiB without a newline", async () => {
  const pair = await socketPair();
  const right = observe(pair.right);
  try {
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    const writer = (async () => {
      try {
        for (let sent = 0; sent <= MAX_FRAME_BYTES + chunk.length; sent += chunk.length) {
          let offset = 0;
          while (offset < chunk.length) offset += await pair.left.write(chunk.subarray(offset));
        }
      } catch {
        // The reader hung up once the cap was hit: expected.
      }
    })();
    const error = await bounded(right.closed, "onClose");
    assert.ok(error instanceof FrameTooLargeError, `expected FrameTooLargeError, got ${error}`);
    assert.equal(right.channel.closed, true);
    assert.deepEqual(right.closes.length, 1);
    assert.deepEqual(right.messages, []);
    await bounded(writer, "the writer");
    assert.equal(await bounded(peerEnded(pair.left), "the peer to see the close"), true);
  } finally {
    pair.left.close();
    await pair.dispose();
  }
});

Deno.test("Channel.send() refuses a message over the 10 MiB limit and writes nothing", async () => {
  const written: Uint8Array[] = [];
  const stream = {
    read: () => new Promise<number | null>(() => {}),
    write: (data: Uint8Array) => {
      written.push(data);
      return Promise.resolve(data.length);
    },
    close: () => {},
  };
  const channel = new Channel(stream, { onMessage: () => {}, onClose: () => {} });
  await assert.rejects(
    () => channel.send({ blob: "x".repeat(MAX_FRAME_BYTES) }),
    FrameTooLargeError,
  );
  assert.equal(written.length, 0);
  await channel.send({ small: true });
  assert.equal(written.length, 1);
});
