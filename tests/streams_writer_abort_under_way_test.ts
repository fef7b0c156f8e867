// The transport's writer once an abort that came while a write waited for room has only the
// sink's abort left to wait for (the transport's: its close handshake, up to `closeTimeoutMs`),
// beside the standard's (WHATWG Streams, "Writable streams"): the write in flight done,
// "WritableStreamFinishErroring" marks the stream errored before it asks the sink's abort, so from
// there on another abort resolves at once ("WritableStreamAbort"), a write rejects with the
// reason ("WritableStreamDefaultWriterWrite" looks at "errored" before it looks at a close), a
// close is refused with a TypeError ("WritableStreamClose"), and a new writer's `closed` is
// rejected from the start ("SetUpWritableStreamDefaultWriter"); the abort's own promise, a close
// queued before it and the writer's `closed` settle once the sink's abort has.
// Each case runs on the transport's writable and on a plain one (`_side_by_side_streams.ts`); the
// last on a session, where the sink's abort is the close handshake.

import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { openRefusalSession } from "./_refusal_fixtures.ts";
import {
  makeSource,
  message,
  record,
  settle,
  type StreamKind,
  writeWaitingForRoom,
} from "./_side_by_side_streams.ts";

/** A `TypeError`'s text differs between the runtime's stream and ours: the class is what counts. */
const typeErrorsAlike = (log: string[]): string[] =>
  log.map((line) => line.replace(/TypeError.*/, "TypeError"));

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: close() then abort() while a write waits for room; the write done, the sink's abort under way: another abort() resolves at once, a write rejects with the reason`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.holdAbort();
    record(log, "close", writer.close());
    record(log, "abort", writer.abort("gone"));
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined"], "the sink's abort is under way");
    record(log, "abort 2", writer.abort("again"));
    record(log, "write 2", writer.write(message(2)));
    await settle();
    // Was (the transport's): the second abort waited, then rejected with "gone" as the runtime's
    // close in flight failed; the write rejected with a TypeError, as if the stream were closing.
    assert.deepEqual(log, ["write undefined", "abort 2 undefined", "write 2 rejected gone"]);
    destination.endAbort();
    await settle();
    assert.deepEqual(log.slice(3), ["abort undefined", "close rejected gone"]);
    assert.deepEqual(destination.events, ["abort gone"], "the sink never closed, aborted once");
    await assert.rejects(writer.closed, (reason) => reason === "gone");
    assert.deepEqual(destination.written, [message(1)]);
  });

  Deno.test(`${kind}: the stream's abort() while a released writer's write waits for room; the write done, the sink's abort under way: close() is refused, a new writer's closed rejects at once`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.holdAbort();
    writer.releaseLock();
    record(log, "abort", destination.writable.abort("gone"));
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined"], "the sink's abort is under way");
    record(log, "close", destination.writable.close());
    const next = destination.writable.getWriter();
    record(log, "next closed", next.closed);
    record(log, "next write", next.write(message(2)));
    await settle();
    // Was (the transport's): the close and `closed` waited for the sink's abort, then rejected
    // with "gone", as if the stream were still erroring.
    assert.deepEqual(typeErrorsAlike(log), [
      "write undefined",
      "close rejected TypeError",
      "next closed rejected gone",
      "next write rejected gone",
    ]);
    destination.endAbort();
    await settle();
    assert.deepEqual(log.slice(4), ["abort undefined"]);
    assert.equal(next.desiredSize, null);
  });

  Deno.test(`${kind}: the stream's abort() while a released writer's write waits for room; the write done, the sink's abort under way: a pipe into it fails with the reason`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.holdAbort();
    writer.releaseLock();
    record(log, "abort", destination.writable.abort("gone"));
    destination.release();
    await settle();
    record(log, "close", destination.writable.close());
    const source = makeSource(kind);
    record(log, "pipe", source.readable.pipeTo(destination.writable));
    await settle();
    // Was (the transport's): the pipe was refused as one into a closing stream, a TypeError.
    assert.deepEqual(typeErrorsAlike(log), [
      "write undefined",
      "close rejected TypeError",
      "pipe rejected gone",
    ]);
    assert.equal(source.cancelled, 1);
    destination.endAbort();
    await settle();
    assert.deepEqual(log.slice(3), ["abort undefined"]);
  });

  Deno.test(`${kind}: abort() while a write waits for room; the write done, the sink's abort under way: the writer's close() is refused with a TypeError`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.holdAbort();
    record(log, "abort", writer.abort("gone"));
    record(log, "closed", writer.closed);
    destination.release();
    await settle();
    record(log, "close", writer.close());
    await settle();
    // Was (the transport's): the close waited for the sink's abort, then rejected with "gone".
    assert.deepEqual(typeErrorsAlike(log), ["write undefined", "close rejected TypeError"]);
    destination.endAbort();
    await settle();
    assert.deepEqual(log.slice(2), ["abort undefined", "closed rejected gone"]);
  });

  Deno.test(`${kind}: close() then abort() while a write waits for room, the sink's abort failing: the abort rejects with its error, then the close and closed with the reason`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.holdAbort();
    record(log, "close", writer.close());
    record(log, "abort", writer.abort("gone"));
    record(log, "closed", writer.closed);
    destination.release();
    await settle();
    destination.endAbort({ reason: "refused" });
    await settle();
    assert.deepEqual(log, [
      "write undefined",
      "abort rejected refused",
      "close rejected gone",
      "closed rejected gone",
    ]);
  });

  Deno.test(`${kind}: abort() while a write waits for room, the sink's abort failing: the abort rejects with its error, then closed with the reason`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.holdAbort();
    record(log, "write 2", writer.write(message(2)));
    record(log, "abort", writer.abort("gone"));
    record(log, "closed", writer.closed);
    destination.release();
    await settle();
    destination.endAbort({ reason: "refused" });
    await settle();
    assert.deepEqual(log, [
      "write undefined",
      "write 2 rejected gone",
      "abort rejected refused",
      "closed rejected gone",
    ]);
    assert.deepEqual(destination.written, [message(1)], "the frame behind never sent");
  });
}

Deno.test("`transport.writable`: close() then abort() while a write waits for room; while the close handshake runs, another abort() resolves at once and a write rejects with the reason", async () => {
  const { clock, pair, transport } = await openRefusalSession();
  // The transport's abort closes the socket with 1011 and waits for the peer's answer, here
  // never sent: `closeTimeoutMs` (500 ms), the time the sink's abort is under way.
  pair.client.answersClose = false;
  const writer = transport.writable.getWriter();
  // The stream has started, so that its close goes to the sink (before, it stays queued there).
  await clock.tick(1);
  const log: string[] = [];
  const audio: Frame = {
    type: "audio",
    audio: new Uint8Array(32_000),
    sampleRate: 16000,
    channels: 1,
  };
  record(log, "write", writer.write(audio)); // a second: past maxQueuedMs, waits for room
  record(log, "close", writer.close());
  record(log, "abort", writer.abort("gone"));
  await clock.tick(1); // the session drops its queue: the write waiting for room is done
  assert.deepEqual(log, ["write undefined"], "the close handshake is under way");
  record(log, "abort 2", writer.abort("again"));
  record(log, "write 2", writer.write(audio));
  await clock.tick(1);
  // Was: the second abort waited for the handshake, then rejected with "gone"; the write was
  // refused with a TypeError, as if the stream were closing rather than aborted.
  assert.deepEqual(log, ["write undefined", "abort 2 undefined", "write 2 rejected gone"]);
  await clock.tick(500);
  assert.deepEqual(log.slice(3), ["abort undefined", "close rejected gone"]);
  assert.equal((await transport.closed).code, 1011);
  assert.equal(transport.stats.audioBytesSent + transport.stats.audioBytesDroppedOnClose, 32_000);
});
