// The transport's writer once the write waiting for room fails with a close queued behind it,
// beside the standard's (WHATWG Streams, "Writable streams"): that write was the standard stream's
// one operation in flight, so "WritableStreamDealWithRejection" finishes erroring at once, the
// queued close failing with it. From then on the stream answers as an errored one: a write rejects
// with the stored error ("WritableStreamDefaultWriterWrite" looks at "errored" before it looks at a
// close), an abort resolves ("WritableStreamAbort"), a new writer's `closed` is rejected
// ("SetUpWritableStreamDefaultWriter"), and a pipe into it fails with that error
// ("ReadableStreamPipeTo" looks at the destination's error before its close). The runtime's stream
// under ours never saw that write and had its close in flight: it stays erroring until that close's
// step fails, a few microtasks on, and answered a write made meanwhile as a closing stream's.
// Each case runs on the transport's writable and on a plain one (`_side_by_side_streams.ts`).

import assert from "node:assert/strict";
import type { Frame } from "../src/frames.ts";
import {
  Destination,
  makeSource,
  message,
  record,
  settle,
  type StreamKind,
} from "./_side_by_side_streams.ts";

/** A `TypeError`'s text differs between the runtime's stream and ours: the class is what counts. */
const typeErrorsAlike = (log: string[]): string[] =>
  log.map((line) => line.replace(/TypeError.*/, "TypeError"));

/**
 * A writer whose write waits for room with a close queued behind it; `onFailed` runs in the
 * reaction to that write's failure ("boom"), where a bot's `catch` would run.
 */
async function failBehindClose(
  kind: StreamKind,
  onFailed: (
    log: string[],
    writer: WritableStreamDefaultWriter<Frame>,
    destination: Destination,
  ) => void,
) {
  const destination = new Destination(kind);
  const writer = destination.writable.getWriter();
  const log: string[] = [];
  destination.hold();
  const first = writer.write(message(1));
  await settle();
  record(log, "close", writer.close());
  const failed = first.catch((reason) => {
    log.push(`write rejected ${reason}`);
    onFailed(log, writer, destination);
  });
  destination.failHeld("boom");
  await failed;
  return { destination, writer, log };
}

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: the write waiting for room fails with a close queued behind it: a write made in that turn rejects with its error`, async () => {
    const { writer, log } = await failBehindClose(kind, (log, writer) => {
      record(log, "write 2", writer.write(message(2)));
      log.push(`desiredSize ${writer.desiredSize}`);
    });
    await settle();
    // Was (the transport's): "write 2 rejected TypeError", as if the stream were only closing.
    assert.deepEqual(
      typeErrorsAlike(log).filter((line) => !line.startsWith("close")),
      ["write rejected boom", "desiredSize null", "write 2 rejected boom"],
    );
    assert.ok(log.includes("close rejected boom"), "the queued close fails with it");
    await assert.rejects(writer.closed, (reason) => reason === "boom");
  });

  Deno.test(`${kind}: the write waiting for room fails with a close queued behind it: an abort in that turn resolves, a new writer's closed and write reject with its error`, async () => {
    const { destination, log } = await failBehindClose(kind, (log, writer, destination) => {
      record(log, "abort", writer.abort("gone"));
      writer.releaseLock();
      const next = destination.writable.getWriter();
      record(log, "next closed", next.closed);
      record(log, "next write", next.write(message(3)));
    });
    await settle();
    // Was (the transport's): the abort rejected with "boom" as the runtime's close in flight
    // failed; the new writer's write was refused with a TypeError.
    assert.deepEqual(typeErrorsAlike(log).filter((line) => !line.startsWith("close")), [
      "write rejected boom",
      "abort undefined",
      "next closed rejected boom",
      "next write rejected boom",
    ]);
    assert.deepEqual(destination.events, [], "the sink neither closed nor aborted");
    assert.deepEqual(destination.written, [message(1)]);
  });

  Deno.test(`${kind}: the write waiting for room failed with a close queued behind it: a pipe into the stream fails with its error, not as one into a closing stream`, async () => {
    const { destination, writer, log } = await failBehindClose(kind, () => {});
    writer.releaseLock();
    await settle();
    const source = makeSource(kind);
    source.push(message(2));
    record(log, "pipe", source.readable.pipeTo(destination.writable));
    await settle();
    // Was (the transport's): "pipe rejected TypeError", and for a source already ended, resolved.
    assert.deepEqual(typeErrorsAlike(log).at(-1), "pipe rejected boom");
    assert.equal(source.cancelled, 1);
    assert.deepEqual(destination.written, [message(1)]);

    const ended = makeSource(kind);
    ended.end();
    record(log, "pipe of an ended source", ended.readable.pipeTo(destination.writable));
    await settle();
    assert.equal(log.at(-1), "pipe of an ended source rejected boom");
  });
}
