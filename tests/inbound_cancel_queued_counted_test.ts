// Frames queued for `readable`'s reader are counted in `stats.framesIn` as they are queued (handed
// to the bot). A reader that cancels the readable leaves those still queued unread: the cancel
// drops them, and each is counted in `stats.inboundFramesDiscarded`, so that every frame framesIn
// counts is read or counted as dropped. The cancel comes by any of the streams standard's ways
// (WHATWG Streams: `ReadableStream.cancel()`; the async iterator's `return()`, which a `for await`
// that breaks calls, cancels unless `preventCancel`; "ReadableStreamPipeTo" cancels its source when
// its signal is aborted or its destination errors, unless `preventCancel`). Frames that come after
// the cancel are nobody's: in neither counter (their messages are in `messagesIn`).
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { slowSession } from "./_slow_serializer.ts";

type Session = Awaited<ReturnType<typeof slowSession>>;

/** The message frame the session's serializer reads from the text `n`. */
const frame = (n: number): Frame => ({ type: "message", message: String(n) });

/** Sends the texts `from`..`to` from the peer, each one frame, and lets the session read them. */
async function send(s: Session, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) s.pair.client.send(String(n));
  await s.clock.tick(0);
}

/** A session with frames 1 to 5 queued for a reader that has not begun to read. */
async function fiveQueued(): Promise<Session> {
  const s = await slowSession();
  await send(s, 1, 5);
  assert.equal(s.transport.stats.framesIn, 5, "queued, counted as handed to the bot");
  return s;
}

/**
 * Every frame `framesIn` counts was read (`read`) or dropped at the cancel, counted; the cancel is
 * no error and no close, which comes later (the peer's here) and adds no drop of its own.
 */
async function assertAccounted(s: Session, read: number, discarded: number): Promise<void> {
  const stats = s.transport.stats;
  assert.equal(stats.inboundFramesDiscarded, discarded, "the frames left queued, counted");
  assert.equal(stats.framesIn, read + discarded, "each frame read or counted as dropped");
  assert.deepEqual(s.errors, [], "the reader chose it: counted, no error");
  assert.equal(s.transport.connected, true, "a cancel closes nothing by itself");
  s.pair.client.close(1000);
  await s.clock.tick(1000);
  await s.transport.closed;
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 0, "not counted twice");
  assert.equal(s.transport.stats.inboundFramesDiscarded, discarded);
}

Deno.test("readable.cancel() with 5 frames queued: the 5 are counted in inboundFramesDiscarded", async () => {
  const s = await fiveQueued();
  await s.transport.readable.cancel(new Error("the bot has heard enough"));
  await assertAccounted(s, 0, 5);
});

Deno.test("readable.cancel(): frames after it are nobody's, in neither framesIn nor inboundFramesDiscarded", async () => {
  const s = await fiveQueued();
  await s.transport.readable.cancel();
  await send(s, 6, 7);
  assert.equal(s.transport.stats.messagesIn, 7, "their messages are counted");
  await assertAccounted(s, 0, 5);
});

Deno.test("for await … break after the first of 5 queued: the 4 left are counted in inboundFramesDiscarded", async () => {
  const s = await fiveQueued();
  const read: Frame[] = [];
  for await (const f of s.transport.readable) {
    read.push(f);
    break;
  }
  assert.deepEqual(read, [frame(1)]);
  await assertAccounted(s, 1, 4);
});

Deno.test("values({ preventCancel: true }) … break: nothing is dropped, the next reader gets the rest", async () => {
  const s = await fiveQueued();
  for await (const f of s.transport.readable.values({ preventCancel: true })) {
    assert.deepEqual(f, frame(1));
    break;
  }
  assert.equal(s.transport.stats.inboundFramesDiscarded, 0);
  const reader = s.transport.readable.getReader();
  for (let n = 2; n <= 5; n++) {
    assert.deepEqual(await reader.read(), { value: frame(n), done: false });
  }
  reader.releaseLock();
  await assertAccounted(s, 5, 0);
});

// Both pipes: the transport's own into its writable (`_frame_pipe.ts`), the runtime's elsewhere.
for (const into of ["transport.writable", "a WritableStream of the bot's"] as const) {
  Deno.test(`pipeTo(${into}) with an aborted signal: the 5 queued are counted in inboundFramesDiscarded`, async () => {
    const s = await fiveQueued();
    const written: Frame[] = [];
    const destination = into === "transport.writable"
      ? s.transport.writable
      : new WritableStream<Frame>({ write: (f) => void written.push(f) });
    const reason = new Error("the bot stops listening");
    // "ReadableStreamPipeTo": an aborted signal runs the abort algorithm before anything is read;
    // `preventAbort` keeps the session's writable open (its abort would close with 1011).
    const piped = s.transport.readable.pipeTo(destination, {
      signal: AbortSignal.abort(reason),
      preventAbort: true,
    });
    await assert.rejects(piped, (error) => error === reason);
    assert.deepEqual(written, []);
    await assertAccounted(s, 0, 5);
  });
}

Deno.test("pipeTo a bot's sink that fails while 5 more wait: the pipe cancels its source, the 5 are counted", async () => {
  const s = await slowSession();
  const failure = new Error("the bot's sink failed");
  const written: Frame[] = [];
  let fail!: () => void;
  const sink = new WritableStream<Frame>({
    write: (f) => {
      written.push(f);
      return new Promise<void>((_, reject) => fail = () => reject(failure));
    },
  });
  const piped = s.transport.readable.pipeTo(sink);
  await send(s, 1, 1); // read by the pipe: its write is under way
  // The standard's pipe reads no more while the write of frame 1 fills the sink's high-water
  // mark of 1 ("ReadableStreamPipeTo": backpressure), so frames 2 to 6 wait in the queue.
  await send(s, 2, 6);
  assert.deepEqual(written, [frame(1)]);
  fail();
  await assert.rejects(piped, (error) => error === failure);
  await assertAccounted(s, 1, 5);
});
