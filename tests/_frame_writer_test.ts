// The transport's writable and its writer, against the streams standard: every test runs on
// `frameWritable` and on a plain `WritableStream` over the same sink, so the test and the fast
// writer check each other (WHATWG Streams, "Writable streams", https://streams.spec.whatwg.org/).
// The plain stream's sink acts on an abort through the controller's signal, as the transport's
// does: the standard signals it at once, and calls the sink's `abort` only after a write settles.

import assert from "node:assert/strict";
import { type FrameSink, frameWritable, takeHeldAudioMs } from "../src/_frame_writer.ts";
import type { Frame } from "../src/frames.ts";

const message = (n: number): Frame => ({ type: "message", message: n });

/** A sink that records what it is given; `hold()` makes the next send wait for room. */
class RecordingSink implements FrameSink {
  readonly sent: Frame[] = [];
  readonly calls: string[] = [];
  #room: (() => void) | undefined;
  #holdNext = false;
  throwOn: Frame | undefined;

  send(frame: Frame): Promise<void> | undefined {
    if (frame === this.throwOn) throw new TypeError("not a frame");
    this.sent.push(frame);
    if (!this.#holdNext) return undefined;
    this.#holdNext = false;
    return new Promise((resolve) => (this.#room = resolve));
  }

  close(): Promise<void> {
    this.calls.push("close");
    return Promise.resolve();
  }

  /** As the transport does: the session ends, its queue is dropped, a write waiting for room ends. */
  abort(reason: unknown): Promise<void> {
    this.calls.push(`abort ${String(reason)}`);
    this.room();
    return Promise.resolve();
  }

  interruptions(): number {
    return this.sent.filter((frame) => frame.type === "interruption").length;
  }

  dropInterrupted(frame: Frame): void {
    this.calls.push(`dropped ${frame.type}`);
  }

  /** Frames never sent (apart from `calls`: a standard stream does not hand them over). */
  readonly unsent: Frame[] = [];

  dropUnsent(frame: Frame): void {
    this.unsent.push(frame);
  }

  /** The next frame sent fills the queue: its send returns a wait for room. */
  hold(): void {
    this.#holdNext = true;
  }

  /** Room again. */
  room(): void {
    this.#room?.();
    this.#room = undefined;
  }
}

/**
 * The stream the standard would make over the same sink. It acts on an abort at once, through the
 * controller's signal ("WritableStreamAbort" signals it before a write in flight settles; the
 * sink's `abort` comes only after): a write waits for room until its audio has nearly played.
 */
function standardWritable(sink: FrameSink): WritableStream<Frame> {
  let aborted: Promise<void> | undefined;
  const abort = (reason: unknown) => aborted ??= sink.abort(reason);
  return new WritableStream<Frame>({
    start: (controller) => {
      controller.signal.addEventListener("abort", () => void abort(controller.signal.reason));
    },
    write: (frame) => sink.send(frame),
    close: () => sink.close(),
    abort,
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether `promise` has settled by the end of this task's microtasks. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  await settle();
  return settled;
}

/** A writer that has written two frames, the first waiting for room and the second behind it. */
async function twoWrites(make: (sink: FrameSink) => WritableStream<Frame>) {
  const sink = new RecordingSink();
  const writable = make(sink);
  const writer = writable.getWriter();
  await writer.ready;
  sink.hold();
  const first = writer.write(message(1));
  const second = writer.write(message(2));
  return { sink, writable, writer, first, second };
}

for (
  const [kind, make] of [["frameWritable", frameWritable], ["standard", standardWritable]] as const
) {
  Deno.test(`${kind}: the writer locks the stream, and frames reach the transport in order`, async () => {
    const sink = new RecordingSink();
    const writable = make(sink);
    const writer = writable.getWriter();
    assert.equal(writable.locked, true);
    assert.throws(() => writable.getWriter(), TypeError);
    await writer.ready;
    const writes = [writer.write(message(1)), writer.write(message(2))];
    await Promise.all(writes);
    assert.deepEqual(sink.sent, [message(1), message(2)]);
    assert.equal(writer.desiredSize, 1);
  });

  Deno.test(`${kind}: a frame written while one waits for room goes after it; ready and desiredSize tell of the wait`, async () => {
    const { sink, writer, first, second } = await twoWrites(make);
    await settle();
    assert.deepEqual(sink.sent, [message(1)], "the second waits behind the first");
    assert.equal(writer.desiredSize, -1, "a high-water mark of one frame, two held");
    assert.equal(await isSettled(first), false);
    assert.equal(await isSettled(writer.ready), false);
    sink.room();
    await Promise.all([first, second]);
    assert.deepEqual(sink.sent, [message(1), message(2)]);
    await writer.ready;
    assert.equal(writer.desiredSize, 1);
  });

  Deno.test(`${kind}: close sends what waits first, then ends; a write after close is refused`, async () => {
    const { sink, writer } = await twoWrites(make);
    const closing = writer.close();
    await assert.rejects(writer.write(message(3)), TypeError);
    await settle();
    assert.deepEqual(sink.calls, [], "not closed while a frame waits for room");
    sink.room();
    await closing;
    await writer.closed;
    assert.deepEqual(sink.sent, [message(1), message(2)]);
    assert.deepEqual(sink.calls, ["close"]);
  });

  Deno.test(`${kind}: abort ends the session at once, drops the frames waiting behind one, and writes are refused with its reason`, async () => {
    const { sink, writer, first, second } = await twoWrites(make);
    const aborted = writer.abort("gone");
    const secondRefused = assert.rejects(second, (reason) => reason === "gone");
    await assert.rejects(writer.write(message(3)), (reason) => reason === "gone");
    await settle();
    assert.deepEqual(sink.calls, ["abort gone"], "not after the frame waiting for room has played");
    await first;
    await secondRefused;
    await aborted;
    assert.deepEqual(sink.sent, [message(1)]);
    assert.deepEqual(sink.calls, ["abort gone"]);
    await assert.rejects(writer.closed, (reason) => reason === "gone");
  });

  Deno.test(`${kind}: a frame the transport throws on fails its write and the stream`, async () => {
    const sink = new RecordingSink();
    const writable = make(sink);
    const writer = writable.getWriter();
    await writer.ready;
    sink.throwOn = message(9);
    await assert.rejects(writer.write(sink.throwOn), TypeError);
    await assert.rejects(writer.closed, TypeError);
    await assert.rejects(writer.write(message(1)), TypeError);
    assert.equal(writer.desiredSize, null, "errored");
    assert.deepEqual(sink.sent, []);
  });

  Deno.test(`${kind}: a released writer is refused; the next writer goes on`, async () => {
    const sink = new RecordingSink();
    const writable = make(sink);
    const writer = writable.getWriter();
    await writer.write(message(1));
    writer.releaseLock();
    assert.equal(writable.locked, false);
    await assert.rejects(writer.write(message(2)), TypeError);
    const next = writable.getWriter();
    await next.write(message(3));
    await next.close();
    assert.deepEqual(sink.sent, [message(1), message(3)]);
    assert.deepEqual(sink.calls, ["close"]);
  });

  Deno.test(`${kind}: a writer let go while a frame waits for room: the next writer's frames go after it`, async () => {
    const { sink, writable, writer, first, second } = await twoWrites(make);
    writer.releaseLock();
    const later = writable.getWriter();
    const third = later.write(message(3));
    await settle();
    assert.deepEqual(sink.sent, [message(1)], "all wait behind the first");
    sink.room();
    await Promise.all([first, second, third]);
    assert.deepEqual(sink.sent, [1, 2, 3].map(message));
  });

  Deno.test(`${kind}: a pipe into the stream delivers in order and closes it`, async () => {
    const sink = new RecordingSink();
    await ReadableStream.from([message(1), message(2), message(3)]).pipeTo(make(sink));
    assert.deepEqual(sink.sent, [message(1), message(2), message(3)]);
    assert.deepEqual(sink.calls, ["close"]);
  });
}

Deno.test("the transport's writer lets an interruption and an urgent message overtake a frame waiting for room; audio written before the interruption is dropped", async () => {
  // Unlike a plain stream's writer (this is the one place they differ): a bot that writes a long
  // TTS buffer, then barges in with an interruption frame, must not wait for the buffer to play.
  const sink = new RecordingSink();
  const writer = frameWritable(sink).getWriter();
  const audio = (n: number): Frame => ({
    type: "audio",
    audio: new Uint8Array(2).fill(n),
    sampleRate: 8000,
    channels: 1,
  });
  sink.hold();
  const first = writer.write(audio(1)); // waits for room
  const second = writer.write(audio(2)); // behind it
  const mark = writer.write({ type: "mark", name: "m" }); // behind it too
  await writer.write({ type: "interruption" });
  await writer.write({ type: "message", message: "now", urgent: true });
  assert.deepEqual(sink.sent.map((f) => f.type), ["audio", "interruption", "message"]);
  sink.room();
  await Promise.all([first, second, mark]);
  assert.deepEqual(sink.sent.map((f) => f.type), ["audio", "interruption", "message", "mark"]);
  assert.deepEqual(sink.calls, ["dropped audio"], "the second audio frame went with the queue");
  await writer.write(audio(3));
  assert.equal(sink.sent.at(-1)!.type, "audio", "audio written after it goes as usual");
});

Deno.test("the transport's writer tells an interruption how much audio waits for room, each write once", async () => {
  const sink = new RecordingSink();
  const writable = frameWritable(sink);
  const writer = writable.getWriter();
  const audio = (ms: number): Frame => ({
    type: "audio",
    audio: new Uint8Array(ms * 16),
    sampleRate: 8000,
    channels: 1,
  });
  assert.equal(takeHeldAudioMs(undefined), 0, "no writable, nothing held");
  sink.hold();
  const first = writer.write(audio(100)); // sent: waits for room in the transport's queue
  const rest = [writer.write(audio(40)), writer.write(message(1)), writer.write(audio(60))];
  await writer.write({ type: "interruption" }); // overtakes them all
  assert.equal(takeHeldAudioMs(writable), 100, "the audio behind the wait, not the frame sent");
  assert.equal(takeHeldAudioMs(writable), 0, "taken once: a second interruption drops no more");
  const after = writer.write(audio(20)); // written after the interruption: it will be sent
  assert.equal(takeHeldAudioMs(writable), 20);
  sink.room();
  await Promise.all([first, ...rest, after]);
  assert.equal(takeHeldAudioMs(writable), 0, "nothing waits now");
  assert.deepEqual(sink.calls, ["dropped audio", "dropped audio"]);
});

Deno.test("the transport's writer hands the frames it held behind a write waiting for room to be counted when aborted; audio an interruption took goes with it", async () => {
  // A standard stream rejects such frames before its sink sees them: the transport never knew of
  // them, and `abort()` dropped them uncounted.
  const sink = new RecordingSink();
  const writer = frameWritable(sink).getWriter();
  const audio: Frame = { type: "audio", audio: new Uint8Array(16), sampleRate: 8000, channels: 1 };
  sink.hold();
  const writes = [writer.write(message(1)), writer.write(audio)]; // one waits, one held
  await writer.write({ type: "interruption" }); // takes the held audio
  writes.push(writer.write(message(2)), writer.write(message(3))); // held, after it
  const aborted = writer.abort("gone");
  await Promise.allSettled(writes);
  await aborted;
  assert.deepEqual(sink.unsent, [message(2), message(3)]);
  assert.deepEqual(sink.calls, ["abort gone", "dropped audio"], "the audio counted once");
  assert.deepEqual(sink.sent.map((f) => f.type), ["message", "interruption"]);
  await assert.rejects(writes[2]!, (reason) => reason === "gone");
});
