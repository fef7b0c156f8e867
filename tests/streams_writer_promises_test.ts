// The promises of the transport's writer and writable, `ready` and `abort()`, beside the
// standard's (WHATWG Streams, "Writable streams": `ready` is one promise while there is
// backpressure, resolved once none is left ("WritableStreamUpdateBackpressure"), at a close
// ("WritableStreamClose"), rejected with a TypeError when the writer is let go
// ("WritableStreamDefaultWriterRelease"); an abort while one waits for the write in flight is
// answered with that abort's promise ("WritableStreamAbort"); an abort while the close is in flight
// settles as that close does ("WritableStreamFinishInFlightCloseWithError")).
// Each case runs on the transport's writable and on a plain one (`_side_by_side_streams.ts`).

import assert from "node:assert/strict";
import {
  message,
  record,
  settle,
  type StreamKind,
  writeWaitingForRoom,
} from "./_side_by_side_streams.ts";

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: ready is one promise while writes wait for room, resolved once none waits`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    const ready = writer.ready;
    assert.equal(writer.ready, ready, "read twice: the same promise");
    destination.hold(); // the second write waits for room too
    record(log, "write 2", writer.write(message(2)));
    // Was (the transport's): a new promise, and the first resolved with the first write.
    assert.equal(writer.ready, ready, "a write behind: still the same promise");
    record(log, "ready", ready);
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined"], "the second write still waits");
    assert.equal(writer.desiredSize, 0);
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined", "write 2 undefined", "ready undefined"]);
    assert.equal(writer.desiredSize, 1);
  });

  Deno.test(`${kind}: a ready pending when the writer is let go rejects with a TypeError; the next writer's waits on`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    let first: unknown = "pending";
    writer.ready.then(() => (first = "resolved"), (reason) => (first = reason));
    writer.releaseLock();
    await settle();
    // Was (the transport's): still pending, then resolved with the write.
    assert.ok(first instanceof TypeError, `the ready is ${String(first)}`);
    const next = destination.writable.getWriter();
    record(log, "next ready", next.ready);
    await settle();
    assert.deepEqual(log, [], "the write still waits for room");
    writer.releaseLock(); // a second release changes nothing for the next writer
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined", "next ready undefined"]);
  });

  Deno.test(`${kind}: a ready pending at the writer's close() resolves at once; the close waits for the write`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "ready", writer.ready);
    record(log, "close", writer.close());
    await settle();
    // Was (the transport's): the ready waited for the write.
    assert.deepEqual(log, ["ready undefined"]);
    destination.release();
    await settle();
    assert.deepEqual(log, ["ready undefined", "write undefined", "close undefined"]);
  });

  Deno.test(`${kind}: ready after the wait is resolved, and rejects with the reason after an abort`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.release();
    await settle();
    record(log, "ready", writer.ready);
    record(log, "abort", writer.abort("gone"));
    record(log, "ready after", writer.ready);
    await settle();
    assert.deepEqual(log, [
      "write undefined",
      "ready undefined",
      "ready after rejected gone",
      "abort undefined",
    ]);
  });

  Deno.test(`${kind}: abort() twice while a write waits for room: both settle once it is done, the sink aborted once`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "abort a", writer.abort("a"));
    record(log, "abort b", writer.abort("b"));
    await settle();
    // Was (the transport's): the second resolved at once.
    assert.deepEqual(log, []);
    destination.release();
    await settle();
    assert.deepEqual(log.toSorted(), ["abort a undefined", "abort b undefined", "write undefined"]);
    assert.deepEqual(destination.events, ["abort a"]);
    await assert.rejects(writer.closed, (reason) => reason === "a");
  });

  Deno.test(`${kind}: the stream's abort() twice while a released writer's write waits for room: both settle once it is done`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    writer.releaseLock();
    const first = destination.writable.abort("a");
    record(log, "abort a", first);
    const second = destination.writable.abort("b");
    record(log, "abort b", second);
    await settle();
    // Was (the transport's): the second resolved at once.
    assert.deepEqual(log, []);
    destination.release();
    await settle();
    assert.deepEqual(log.toSorted(), ["abort a undefined", "abort b undefined", "write undefined"]);
    assert.deepEqual(destination.events, ["abort a"]);
    record(log, "abort c", destination.writable.abort("c"));
    await settle();
    assert.equal(log.at(-1), "abort c undefined", "aborted: at once");
  });

  // The close went to the sink once the write was done: it is in flight, no longer queued, and
  // the abort settles as it does, here failing with it.
  Deno.test(`${kind}: an abort while the close that waited behind a write is in flight fails as that close fails`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    destination.holdClose();
    record(log, "close", writer.close());
    destination.release();
    await settle();
    assert.equal(destination.events[0], "close", "the close is in flight");
    record(log, "abort", writer.abort("gone"));
    await settle();
    destination.failClose("gone");
    await settle();
    // Was (the transport's): "abort undefined", taken for a close failed while still queued.
    assert.deepEqual(log.toSorted(), [
      "abort rejected gone",
      "close rejected gone",
      "write undefined",
    ]);
  });
}
