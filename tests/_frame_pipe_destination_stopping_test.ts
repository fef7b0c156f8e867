// Pipes from the transport's readable into the transport's writable while that writable is
// stopping (its close in flight, or an abort under way), beside a plain `ReadableStream` into a
// plain `WritableStream` over the same sink (`_side_by_side_streams.ts`), as the standard's pipe
// goes (WHATWG Streams, "ReadableStreamPipeTo"): it aborts the destination only "if dest.[[state]]
// is "writable"" (an erroring one is left to its own abort), it lets go of the source only as it
// finalizes, after every action has settled, and it looks at a source closed already before it
// reads: with `preventClose`, "shutdown" at once, resolved, unless the destination had errored.

import assert from "node:assert/strict";
import {
  Destination,
  makeSource,
  message,
  record,
  settle,
  type StreamKind,
} from "./_side_by_side_streams.ts";

/** A destination whose writer's close is in flight (the sink's close held), the writer let go. */
async function closeInFlight(kind: StreamKind) {
  const destination = new Destination(kind);
  const writer = destination.writable.getWriter();
  await settle();
  destination.holdClose();
  const log: string[] = [];
  record(log, "close", writer.close());
  await settle();
  return { destination, writer, log };
}

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: a pipe stopped by its signal, into a destination whose close is in flight, keeps the source locked until it is over`, async () => {
    const { destination, writer, log } = await closeInFlight(kind);
    writer.releaseLock();
    const source = makeSource(kind);
    const signal = AbortSignal.abort("stop");
    record(log, "pipe", source.readable.pipeTo(destination.writable, { signal }));
    await settle();
    // The destination's abort waits for its close in flight; the source is cancelled meanwhile.
    assert.deepEqual(log, []);
    assert.equal(source.cancelled, 1);
    // Was (the transport's): false, the source let go of as it was cancelled.
    assert.equal(source.readable.locked, true, "held until the pipe finalizes");
    assert.equal(destination.writable.locked, true);
    destination.failClose("close failed");
    await settle();
    assert.deepEqual(log, ["close rejected close failed", "pipe rejected close failed"]);
    assert.equal(source.readable.locked, false);
    assert.equal(destination.writable.locked, false);
  });

  Deno.test(`${kind}: a pipe stopped by its signal, into a destination aborted while its close is in flight, ends at once without a second abort`, async () => {
    const { destination, writer, log } = await closeInFlight(kind);
    destination.holdAbort();
    record(log, "abort", writer.abort("gone"));
    await settle();
    writer.releaseLock();
    const source = makeSource(kind);
    const signal = AbortSignal.abort("stop");
    record(log, "pipe", source.readable.pipeTo(destination.writable, { signal }));
    await settle();
    // Was (the transport's): the pipe waited on the pending abort, locked, for as long as that
    // close took (on a session, its close handshake).
    assert.deepEqual(log, ["pipe rejected stop"]);
    assert.equal(source.cancelled, 1);
    assert.equal(destination.writable.locked, false);
    destination.failClose("close failed");
    await settle();
    assert.deepEqual(log.slice(1), ["close rejected close failed", "abort rejected close failed"]);
  });

  Deno.test(`${kind}: a pipe of an ended source with preventClose, into a destination aborted while a write waits for room, resolves`, async () => {
    const destination = new Destination(kind);
    const writer = destination.writable.getWriter();
    await settle();
    const log: string[] = [];
    destination.hold();
    record(log, "write", writer.write(message(1)));
    await settle();
    destination.holdAbort();
    record(log, "abort", writer.abort("gone"));
    writer.releaseLock();
    const source = makeSource(kind);
    source.end();
    record(log, "pipe", source.readable.pipeTo(destination.writable, { preventClose: true }));
    await settle();
    // Was (the transport's): pending while the abort was under way, then rejected with "gone".
    assert.deepEqual(log, ["pipe undefined"]);
    destination.release();
    await settle(); // the standard asks the sink's abort once the write is done
    destination.endAbort();
    await settle();
    assert.deepEqual(log.slice(1), ["write undefined", "abort undefined"]);
    assert.equal(source.cancelled, 0);
    assert.deepEqual(destination.written, [message(1)]);
  });
}
