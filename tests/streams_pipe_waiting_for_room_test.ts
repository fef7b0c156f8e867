// Pipes into the transport's writable that end while a write waits for room, beside the
// standard's (WHATWG Streams, "ReadableStreamPipeTo": a pipe shutting down, with or without an
// action, first waits for the writes it made to settle; `preventAbort` leaves the destination as
// it is, `preventClose` leaves it open; "WritableStreamFinishErroring": an abort settles once the
// sink's abort has). Each case runs the transport's readable into the transport's writable (the
// pipe of `_frame_pipe.ts`) and a plain pair over the same sink (`_side_by_side_streams.ts`).

import assert from "node:assert/strict";
import {
  Destination,
  makeSource,
  message,
  record,
  settle,
  type StreamKind,
} from "./_side_by_side_streams.ts";

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: a pipe with preventAbort stopped by its signal while a write waits for room: the write finishes, the destination stays open for the next writer`, async () => {
    const source = makeSource(kind);
    const destination = new Destination(kind);
    const abort = new AbortController();
    const log: string[] = [];
    const piped = source.readable.pipeTo(destination.writable, {
      signal: abort.signal,
      preventAbort: true,
    });
    record(log, "pipe", piped);
    destination.hold();
    source.push(message(1));
    await settle();
    source.push(message(2)); // not read: the destination wants nothing while the write waits
    abort.abort("hung up");
    await settle();
    assert.deepEqual(log, [], "the pipe waits for its write");
    assert.equal(destination.writable.locked, true);
    destination.release();
    await settle();
    assert.deepEqual(log, ["pipe rejected hung up"]);
    assert.deepEqual(destination.events, [], "neither aborted nor closed");
    assert.equal(source.cancelled, 1);
    const writer = destination.writable.getWriter();
    await writer.write(message(3));
    assert.deepEqual(destination.written, [message(1), message(3)]);
  });

  Deno.test(`${kind}: a pipe with preventClose whose source ends while a write waits for room: it resolves once the write is done, the destination open`, async () => {
    const source = makeSource(kind);
    const destination = new Destination(kind);
    const log: string[] = [];
    record(log, "pipe", source.readable.pipeTo(destination.writable, { preventClose: true }));
    destination.hold();
    source.push(message(1));
    await settle();
    source.push(message(2));
    source.end();
    await settle();
    assert.deepEqual(log, [], "the write of 1 waits; 2 is not read yet");
    destination.release();
    await settle();
    assert.deepEqual(log, ["pipe undefined"]);
    assert.deepEqual(destination.written, [message(1), message(2)]);
    assert.deepEqual(destination.events, [], "not closed");
    const writer = destination.writable.getWriter();
    await writer.write(message(3));
    assert.deepEqual(destination.written, [message(1), message(2), message(3)]);
  });

  Deno.test(`${kind}: a pipe stopped by its signal while a write waits for room settles once the sink's abort has`, async () => {
    const source = makeSource(kind);
    const destination = new Destination(kind);
    const abort = new AbortController();
    const log: string[] = [];
    record(log, "pipe", source.readable.pipeTo(destination.writable, { signal: abort.signal }));
    destination.hold();
    destination.holdAbort();
    source.push(message(1));
    await settle();
    abort.abort("hung up");
    destination.release();
    await settle();
    assert.deepEqual(destination.events, ["abort hung up"]);
    assert.deepEqual(log, [], "the sink's abort is under way");
    assert.equal(destination.writable.locked, true);
    destination.endAbort();
    await settle();
    assert.deepEqual(log, ["pipe rejected hung up"]);
    assert.equal(destination.writable.locked, false);
    assert.equal(source.readable.locked, false);
  });
}
