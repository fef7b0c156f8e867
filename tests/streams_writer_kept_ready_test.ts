// The transport's writer after a write waited for room, beside the standard's (WHATWG Streams,
// "Writable streams"): `desiredSize` is the high-water mark less every write the stream still
// holds, the one in flight and those queued behind it, while a close waits behind them too (the
// close request adds nothing: "WritableStreamDefaultControllerClose" enqueues it with size 0);
// and `ready` is one promise that the stream settles where it is, when the backpressure goes off
// ("WritableStreamUpdateBackpressure"), at the writer's close ("WritableStreamClose"), at an abort
// or a failure while it is pending ("WritableStreamDefaultWriterEnsureReadyPromiseRejected") or
// as the writer is let go ("WritableStreamDefaultWriterRelease"): the writer's `ready` stays that
// same promise, until a stop or a release once it has settled puts a rejected one in its place.
// Each case runs on the transport's writable and on a plain one (`_side_by_side_streams.ts`).

import assert from "node:assert/strict";
import {
  Destination,
  message,
  record,
  settle,
  type StreamKind,
  writeWaitingForRoom,
} from "./_side_by_side_streams.ts";

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: desiredSize after a close() behind writes waiting for room counts them until they are done`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "write 2", writer.write(message(2)));
    assert.equal(writer.desiredSize, -1, "two writes held");
    record(log, "close", writer.close());
    // Was (the transport's): 1, as if the close had passed the writes by.
    assert.equal(writer.desiredSize, -1, "the close queued behind them adds nothing");
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined", "write 2 undefined", "close undefined"]);
    assert.equal(writer.desiredSize, 0, "closed");
  });

  Deno.test(`${kind}: desiredSize after a close() behind a write waiting for room, the stream not started yet, counts the write`, async () => {
    const destination = new Destination(kind);
    const writer = destination.writable.getWriter();
    const log: string[] = [];
    destination.hold();
    record(log, "write", writer.write(message(1)));
    record(log, "close", writer.close());
    // Was (the transport's): 1, the runtime's close still queued in a stream not started, and
    // not yet taken for one behind the write.
    assert.equal(writer.desiredSize, 0, "the write held, the close adds nothing");
    await settle();
    assert.equal(writer.desiredSize, 0, "started: the close behind the write");
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined", "close undefined"]);
    assert.equal(writer.desiredSize, 0, "closed");
  });

  Deno.test(`${kind}: the ready a close() settled while a write waited for room stays the writer's ready`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    const ready = writer.ready;
    record(log, "close", writer.close());
    // Was (the transport's): the runtime writer's ready from the close on, another promise.
    assert.equal(writer.ready, ready, "closing");
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined", "close undefined"]);
    assert.equal(writer.ready, ready, "closed");
    await ready;
  });

  Deno.test(`${kind}: the ready pending while a write waited for room stays the writer's once the write is done`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    const ready = writer.ready;
    destination.release();
    await settle();
    assert.deepEqual(log, ["write undefined"]);
    // Was (the transport's): another promise once no write waited.
    assert.equal(writer.ready, ready);
    await ready;
    destination.hold();
    record(log, "write 2", writer.write(message(2)));
    assert.notEqual(writer.ready, ready, "a new wait: a new pending ready, as the standard's");
    destination.release();
    await settle();
    writer.releaseLock();
    assert.notEqual(writer.ready, ready, "let go once settled: a rejected one in its place");
    await assert.rejects(writer.ready, TypeError);
  });

  Deno.test(`${kind}: the ready an abort rejected while a write waited for room stays the writer's; let go, another`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    const ready = writer.ready;
    record(log, "ready", ready);
    record(log, "abort", writer.abort("gone"));
    // Was (the transport's): the runtime writer's rejected ready, another promise.
    assert.equal(writer.ready, ready, "aborting");
    destination.release();
    await settle();
    assert.deepEqual(log, ["ready rejected gone", "write undefined", "abort undefined"]);
    assert.equal(writer.ready, ready, "aborted");
    writer.closed.catch(() => {});
    writer.releaseLock();
    assert.notEqual(writer.ready, ready, "let go once settled: a rejected one in its place");
    await assert.rejects(writer.ready, TypeError);
  });

  Deno.test(`${kind}: the ready a release rejected while a write waited for room stays the released writer's`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    const ready = writer.ready;
    record(log, "ready", ready);
    writer.releaseLock();
    // Was (the transport's): the runtime writer's rejected ready, another promise.
    assert.equal(writer.ready, ready);
    destination.writable.abort("gone").catch(() => {}); // the stream stops: no longer the writer's
    destination.release();
    await settle();
    assert.equal(writer.ready, ready);
    assert.match(log[0]!, /^ready rejected TypeError/);
  });

  Deno.test(`${kind}: the ready pending when a write waiting for room fails stays the writer's, rejected with the error`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "write 2", writer.write(message(2)));
    const ready = writer.ready;
    record(log, "ready", ready);
    const failing = message(3);
    destination.failOn = failing;
    destination.release();
    record(log, "write 3", writer.write(failing));
    await settle();
    assert.deepEqual(log.slice(0, 2), ["write undefined", "write 2 undefined"]);
    // In either order within the turn: the transport's writer stops the stream (`ready` too) as
    // the frame is refused, before the write's promise, which waited its turn, rejects.
    assert.deepEqual(log.slice(2).toSorted(), [
      "ready rejected Error: the destination failed",
      "write 3 rejected Error: the destination failed",
    ]);
    // Was (the transport's): the runtime writer's rejected ready, another promise.
    assert.equal(writer.ready, ready);
    writer.closed.catch(() => {});
  });

  Deno.test(`${kind}: the ready pending when the wait for room itself fails stays the writer's, rejected with the error`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    const ready = writer.ready;
    record(log, "ready", ready);
    destination.failHeld("no room");
    await settle();
    assert.deepEqual(log, ["write rejected no room", "ready rejected no room"]);
    // Was (the transport's): the runtime writer's rejected ready, another promise.
    assert.equal(writer.ready, ready);
    await assert.rejects(writer.closed, (reason) => reason === "no room");
  });
}
