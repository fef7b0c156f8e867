// The transport's writer at an abort or a late write while a write waits for room, beside the
// standard's, in the order the standard settles its promises (WHATWG Streams, "Writable streams"):
// once the write in flight is done, "WritableStreamFinishErroring" rejects the writes queued
// behind it, then, once the sink's abort has settled, resolves the abort's promise and only then
// rejects a close request still queued and the writer's `closed`
// ("WritableStreamRejectCloseAndClosedPromiseIfNeeded"). A write after `close()` is refused with a
// TypeError and changes nothing else ("WritableStreamDefaultWriterWrite").
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
  Deno.test(`${kind}: a write after close() while a write waits for room is refused; ready and desiredSize stay as they were`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "close", writer.close());
    const late = writer.write(message(2));
    record(log, "write 2", late);
    await assert.rejects(late, TypeError);
    // Was (the transport's): the runtime's writer refused it, and, its close in flight where the
    // standard's is queued, failed the stream ("e[At] is not a function" on Deno): null, rejected.
    assert.equal(writer.desiredSize, 0, "the write waiting for room still counts");
    record(log, "ready", writer.ready);
    destination.release();
    await settle();
    assert.deepEqual(
      log,
      [
        "write 2 rejected TypeError: the writable is closing",
        "ready undefined",
        "write undefined",
        "close undefined",
      ].map((line) =>
        kind === "standard"
          ? line.replace("the writable is closing", "The stream is closing or is closed.")
          : line
      ),
    );
    assert.deepEqual(destination.written, [message(1)]);
    await writer.closed;
  });

  Deno.test(`${kind}: abort() twice while a write waits for room: both settle before closed rejects`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "abort a", writer.abort("a"));
    record(log, "abort b", writer.abort("b"));
    record(log, "closed", writer.closed);
    await settle();
    destination.release();
    await settle();
    // Was (the transport's): `closed` rejected before either abort settled.
    assert.deepEqual(log, [
      "write undefined",
      "abort a undefined",
      "abort b undefined",
      "closed rejected a",
    ]);
  });

  Deno.test(`${kind}: an abort while writes wait for room: those behind fail, then the abort settles, then closed rejects`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "write 2", writer.write(message(2)));
    record(log, "abort", writer.abort("gone"));
    record(log, "closed", writer.closed);
    await settle();
    destination.release();
    await settle();
    // Was (the transport's): `closed` rejected before the abort settled.
    assert.deepEqual(log, [
      "write undefined",
      "write 2 rejected gone",
      "abort undefined",
      "closed rejected gone",
    ]);
  });

  Deno.test(`${kind}: a writer's close() then abort() while a write waits for room: the abort settles, then the close and closed reject`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "close", writer.close());
    record(log, "abort", writer.abort("gone"));
    record(log, "closed", writer.closed);
    await settle();
    destination.release();
    await settle();
    // Was (the transport's): the close and `closed` rejected before the abort settled.
    assert.deepEqual(log, [
      "write undefined",
      "abort undefined",
      "close rejected gone",
      "closed rejected gone",
    ]);
  });

  Deno.test(`${kind}: the stream's close() then abort() while a released writer's write waits for room: the abort settles, then the close rejects`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    writer.releaseLock();
    record(log, "close", destination.writable.close());
    record(log, "abort", destination.writable.abort("gone"));
    await settle();
    destination.release();
    await settle();
    // Was (the transport's): the close rejected before the abort settled.
    assert.deepEqual(log, ["write undefined", "abort undefined", "close rejected gone"]);
  });

  Deno.test(`${kind}: a writer's abort() then close() while a write waits for room: the close fails with the reason, after the abort settles`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    record(log, "abort", writer.abort("gone"));
    record(log, "close", writer.close());
    record(log, "closed", writer.closed);
    // A close is asked for: refused as after any close, before the abort's reason.
    await assert.rejects(writer.write(message(2)), TypeError);
    // Was (the transport's): the close rejected at once with a TypeError, the stream errored.
    assert.deepEqual(log, [], "the abort waits for the write");
    destination.release();
    await settle();
    assert.deepEqual(log, [
      "write undefined",
      "abort undefined",
      "close rejected gone",
      "closed rejected gone",
    ]);
    assert.deepEqual(destination.events, ["abort gone"]);
  });

  Deno.test(`${kind}: a writer made after the stream's abort() while a released writer's write waits for room: closed rejects once the abort settles`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    writer.releaseLock();
    record(log, "abort", destination.writable.abort("gone"));
    const next = destination.writable.getWriter();
    assert.equal(next.desiredSize, null, "aborted");
    record(log, "next ready", next.ready);
    record(log, "next closed", next.closed);
    record(log, "next close", next.close());
    await settle();
    // Was (the transport's): `closed` and the close rejected at once, before the write was done.
    assert.deepEqual(log, ["next ready rejected gone"]);
    destination.release();
    await settle();
    assert.deepEqual(log, [
      "next ready rejected gone",
      "write undefined",
      "abort undefined",
      "next close rejected gone",
      "next closed rejected gone",
    ]);
  });

  Deno.test(`${kind}: a frame a released writer left waiting for room fails: the next writer's desiredSize is null`, async () => {
    const { destination, writer, log } = await writeWaitingForRoom(kind);
    const failing = message(2);
    destination.failOn = failing;
    record(log, "write 2", writer.write(failing));
    writer.releaseLock();
    const next = destination.writable.getWriter();
    assert.equal(next.desiredSize, -1, "two writes held");
    destination.release();
    await settle();
    assert.equal(log.length, 2);
    // Was (the transport's): 1, as if the stream could take more.
    assert.equal(next.desiredSize, null, "failed");
    await assert.rejects(next.closed, /the destination failed/);
  });
}
