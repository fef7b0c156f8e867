// The transport's readable and writable at the edges of the streams standard that the pipe tests
// (_frame_pipe_test.ts) leave: an iterator's `return()` while a `next()` waits, a close then an
// abort while a write waits for room, `ready` and `closed` at an abort, a BYOB reader, `tee()`, a
// writer let go with a write pending. Each case runs on the transport's streams and on the
// standard's over the same sink (`_side_by_side_streams.ts`), so the test checks both.

import assert from "node:assert/strict";
import type { Frame } from "../src/frames.ts";
import {
  Destination,
  makeSource,
  message,
  record,
  settle,
  type StreamKind,
  writeWaitingForRoom,
} from "./_side_by_side_streams.ts";
import { openRefusalSession } from "./_refusal_fixtures.ts";

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  // WebIDL "asynchronous iterator prototype object": `return()` runs after the ongoing `next()`
  // has settled; the stream's iterator return steps then cancel it (or, with preventCancel, let
  // go of it) (WHATWG Streams, "ReadableStream" async iteration, "asynchronous iterator return").
  Deno.test(`${kind}: an iterator's return() while a next() waits lets that next() have the next frame, then cancels`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values();
    const log: string[] = [];
    record(log, "next", iterator.next());
    await settle();
    record(log, "return", iterator.return!("left"));
    await settle();
    // Was: the waiting next() answered done and the stream cancelled at once.
    assert.deepEqual(log, [], "the return waits for the next()");
    assert.equal(source.readable.locked, true);
    assert.equal(source.cancelled, 0);
    source.push(message(1));
    await settle();
    assert.deepEqual(log, [
      `next ${JSON.stringify({ value: message(1), done: false })}`,
      `return {"value":"left","done":true}`,
    ]);
    assert.equal(source.cancelled, 1);
    assert.equal(source.readable.locked, false);
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  });

  Deno.test(`${kind}: an iterator's return() with preventCancel while a next() waits lets go once it has the next frame; later frames stay`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values({ preventCancel: true });
    const next = iterator.next();
    await settle();
    const returned = iterator.return!();
    const later = iterator.next(); // after the return: done, taking no frame
    await settle();
    assert.equal(source.readable.locked, true, "the return waits for the next()");
    source.push(message(1));
    assert.deepEqual(await next, { value: message(1), done: false });
    assert.deepEqual(await returned, { value: undefined, done: true });
    assert.deepEqual(await later, { value: undefined, done: true });
    assert.equal(source.readable.locked, false);
    source.push(message(2));
    const reader = source.readable.getReader();
    assert.deepEqual(await reader.read(), { value: message(2), done: false });
    assert.equal(source.cancelled, 0);
  });

  Deno.test(`${kind}: an iterator's return() while a next() waits settles when the stream closes instead`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values();
    const next = iterator.next();
    await settle();
    const returned = iterator.return!("left");
    source.end();
    assert.deepEqual(await next, { value: undefined, done: true });
    assert.deepEqual(await returned, { value: "left", done: true });
    assert.equal(source.readable.locked, false);
    assert.equal(source.cancelled, 0, "closed, not cancelled");
  });

  // WHATWG Streams, "WritableStreamAbort": a close request not yet in flight (queued behind a
  // write in flight) is rejected with the abort's reason ("WritableStreamRejectCloseAndClosed-
  // PromiseIfNeeded"), the sink's close never called; the abort settles as the sink's abort does.
  Deno.test(`${kind}: a writer's close() then abort() while a write waits for room: the close fails with the reason, the sink is never closed`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "close", writer.close());
    record(log, "abort", writer.abort("gone"));
    record(log, "closed", writer.closed);
    await settle();
    destination.release();
    await settle();
    // Was: the close and `closed` resolved, and the sink closed after it was aborted.
    assert.deepEqual(log.toSorted(), [
      "abort undefined",
      "close rejected gone",
      "closed rejected gone",
      "write undefined",
    ]);
    assert.deepEqual(destination.events, ["abort gone"]);
  });

  Deno.test(`${kind}: the stream's close() then abort() while a released writer's write waits for room: the close fails, the abort settles`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    writer.releaseLock();
    record(log, "close", destination.writable.close());
    record(log, "abort", destination.writable.abort("gone"));
    await settle();
    destination.release();
    await settle();
    assert.deepEqual(log.toSorted(), ["abort undefined", "close rejected gone", "write undefined"]);
    assert.deepEqual(destination.events, ["abort gone"]);
  });

  // WHATWG Streams, "WritableStreamStartErroring": a pending `ready` is rejected at once with the
  // abort's reason ("WritableStreamDefaultWriterEnsureReadyPromiseRejected"); `closed` is
  // rejected only once the write in flight is done ("WritableStreamFinishErroring").
  Deno.test(`${kind}: at an abort while a write waits for room, a ready read before rejects at once, closed once the write is done`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "ready", writer.ready);
    record(log, "abort", writer.abort("gone"));
    record(log, "closed", writer.closed);
    await settle();
    // Was (the transport's): `ready` waiting on with the write, and `closed` already rejected.
    assert.deepEqual(log, ["ready rejected gone"]);
    destination.release();
    await settle();
    assert.deepEqual(log.slice(1).toSorted(), [
      "abort undefined",
      "closed rejected gone",
      "write undefined",
    ]);
  });

  Deno.test(`${kind}: getReader({ mode: "byob" }) throws a TypeError, nothing locked`, () => {
    const source = makeSource(kind);
    assert.throws(() => source.readable.getReader({ mode: "byob" }), TypeError);
    assert.equal(source.readable.locked, false);
  });

  Deno.test(`${kind}: tee() gives both branches every frame, and cancels the source once both are cancelled`, async () => {
    const source = makeSource(kind);
    source.push(message(1));
    const [left, right] = source.readable.tee();
    assert.equal(source.readable.locked, true);
    source.push(message(2));
    source.end();
    const both = await Promise.all([Array.fromAsync(left), Array.fromAsync(right)]);
    assert.deepEqual(both, [[message(1), message(2)], [message(1), message(2)]]);

    const cancelled = makeSource(kind);
    const [a, b] = cancelled.readable.tee();
    // A branch's cancel settles once the source is cancelled: when both branches are.
    const first = a.cancel("a");
    await settle();
    assert.equal(cancelled.cancelled, 0, "one branch left: the source goes on");
    await Promise.all([first, b.cancel("b")]);
    assert.equal(cancelled.cancelled, 1);
  });

  // WHATWG Streams, "WritableStreamDefaultWriterRelease": the writer's `ready` and `closed` are
  // rejected with a TypeError, its later calls too; the pending write goes on.
  Deno.test(`${kind}: a writer let go while a write waits for room: the write finishes, the writer refuses, the next writer goes on`, async () => {
    const destination = new Destination(kind);
    const writer = destination.writable.getWriter();
    destination.hold();
    const written = writer.write(message(1));
    await settle();
    writer.releaseLock();
    await assert.rejects(writer.closed, TypeError);
    await assert.rejects(writer.ready, TypeError);
    await assert.rejects(writer.write(message(2)), TypeError);
    assert.throws(() => writer.desiredSize, TypeError);
    assert.equal(destination.writable.locked, false);
    const next = destination.writable.getWriter();
    const after = next.write(message(3));
    destination.release();
    await Promise.all([written, after]);
    assert.deepEqual(destination.written, [message(1), message(3)]);
  });

  // WHATWG Streams, "WritableStreamClose" refuses a close of an errored stream (a TypeError),
  // and "ReadableStreamPipeTo" propagates a destination's error backward: it is what the pipe
  // rejects with.
  Deno.test(`${kind}: a close() refused by a failed writable leaves it failed: a pipe into it fails with its error`, async () => {
    const destination = new Destination(kind);
    const writer = destination.writable.getWriter();
    const log: string[] = [];
    destination.failOn = message(1);
    record(log, "write", writer.write(destination.failOn));
    await settle();
    writer.releaseLock();
    record(log, "close", destination.writable.close());
    const source = makeSource(kind);
    record(log, "pipe", source.readable.pipeTo(destination.writable));
    await settle();
    // Was (the transport's): "pipe rejected TypeError", refused as a pipe into a closing stream.
    assert.deepEqual(log.map((line) => line.replace(/TypeError.*/, "TypeError")), [
      "write rejected Error: the destination failed",
      "close rejected TypeError",
      "pipe rejected Error: the destination failed",
    ]);
    assert.equal(source.cancelled, 1);
  });

  Deno.test(`${kind}: a write after the writer's close() rejects with a TypeError, nothing sent`, async () => {
    const destination = new Destination(kind);
    const writer = destination.writable.getWriter();
    const closed = writer.close();
    await assert.rejects(writer.write(message(1)), TypeError);
    await closed;
    await writer.closed;
    assert.deepEqual(destination.written, []);
    assert.deepEqual(destination.events, ["close"]);
  });
}

Deno.test("`transport.writable`: a ready read while a write waits for room rejects at the writer's abort, with its reason", async () => {
  const { clock, transport } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const audio: Frame = {
    type: "audio",
    audio: new Uint8Array(1000 * 32), // a second at 16 kHz: past maxQueuedMs, it waits for room
    sampleRate: 16000,
    channels: 1,
  };
  const written = writer.write(audio);
  const ready = writer.ready.then(() => "ready", (reason) => reason);
  const aborted = writer.abort("gone");
  // Was: "ready", and the writer's next write rejected all the same.
  assert.equal(await ready, "gone");
  await Promise.all([written, aborted]);
  await assert.rejects(writer.closed, (reason) => reason === "gone");
  assert.equal((await transport.closed).code, 1011);
  await clock.tick(1000);
});
