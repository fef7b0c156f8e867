// Pipes from the transport's readable into the transport's writable, against the streams
// standard: every test runs on `inboundStream` into `frameWritable` (the pipe of `_frame_pipe.ts`)
// and on a plain `ReadableStream` into a plain `WritableStream` over the same sink, so the test and
// the pipe check each other (WHATWG Streams, "ReadableStreamPipeTo").

import assert from "node:assert/strict";
import { frameWritable } from "../src/_frame_writer.ts";
import type { Frame } from "../src/frames.ts";
import {
  Destination,
  message,
  NO_INTERRUPTIONS,
  settle,
  standardSource,
  transportSource,
} from "./_side_by_side_streams.ts";

for (
  const [kind, make] of [["inboundStream", transportSource], ["standard", standardSource]] as const
) {
  Deno.test(`${kind}: a pipe delivers the frames in order, closes the destination at the end, and lets go`, async () => {
    const source = make();
    const destination = new Destination(kind);
    source.push(message(1));
    const piped = source.readable.pipeTo(destination.writable);
    assert.equal(source.readable.locked, true);
    assert.equal(destination.writable.locked, true);
    source.push(message(2));
    source.push(message(3));
    source.end();
    await piped;
    assert.deepEqual(destination.written, [message(1), message(2), message(3)]);
    assert.deepEqual(destination.events, ["close"]);
    assert.equal(source.readable.locked, false);
    assert.equal(destination.writable.locked, false);
  });

  Deno.test(`${kind}: preventClose leaves the destination open`, async () => {
    const source = make();
    const destination = new Destination(kind);
    source.push(message(1));
    source.end();
    await source.readable.pipeTo(destination.writable, { preventClose: true });
    assert.deepEqual(destination.events, []);
    const writer = destination.writable.getWriter();
    await writer.write(message(2));
    assert.deepEqual(destination.written, [message(1), message(2)]);
  });

  Deno.test(`${kind}: the pipe reads only while the destination wants more`, async () => {
    const source = make();
    const destination = new Destination(kind);
    destination.hold();
    const piped = source.readable.pipeTo(destination.writable);
    for (let n = 1; n <= 4; n++) source.push(message(n));
    await settle();
    assert.deepEqual(destination.written, [message(1)], "the rest wait for room");
    assert.equal(source.waiting(), 3, "the rest stay in the source, where overflow can drop audio");
    destination.release();
    source.end();
    await piped;
    assert.deepEqual(destination.written, [1, 2, 3, 4].map(message));
  });

  Deno.test(`${kind}: a destination that fails fails the pipe and cancels the source, unless preventCancel`, async () => {
    for (const preventCancel of [false, true]) {
      const source = make();
      const destination = new Destination(kind);
      destination.failOn = message(2);
      const piped = source.readable.pipeTo(destination.writable, { preventCancel });
      source.push(message(1));
      source.push(destination.failOn);
      await assert.rejects(piped, /the destination failed/);
      assert.equal(source.cancelled, preventCancel ? 0 : 1);
      assert.equal(source.readable.locked, false);
      if (preventCancel) {
        // The source goes on for its next reader.
        source.push(message(3));
        const reader = source.readable.getReader();
        assert.deepEqual(await reader.read(), { value: message(3), done: false });
      }
    }
  });

  Deno.test(`${kind}: an abort signal aborts the destination and cancels the source, as each prevent says`, async () => {
    for (
      const [preventAbort, preventCancel] of [[false, false], [true, false], [false, true]] as const
    ) {
      const source = make();
      const destination = new Destination(kind);
      const abort = new AbortController();
      const piped = source.readable.pipeTo(destination.writable, {
        signal: abort.signal,
        preventAbort,
        preventCancel,
      });
      source.push(message(1));
      await settle();
      abort.abort("hung up");
      await assert.rejects(piped, (reason) => reason === "hung up");
      assert.deepEqual(destination.written, [message(1)]);
      assert.deepEqual(destination.events, preventAbort ? [] : ["abort hung up"]);
      assert.equal(source.cancelled, preventCancel ? 0 : 1);
      assert.equal(source.readable.locked, false);
      assert.equal(destination.writable.locked, false);
    }
  });

  Deno.test(`${kind}: a pipe stopped by its signal during a write lets that write finish, then aborts`, async () => {
    // WHATWG Streams, ReadableStreamPipeTo, "shutdown with an action": every chunk read is
    // written, and the pipe waits for those writes to settle, before it aborts the destination.
    // A transport's write settles once the outbound queue has room: what was written is queued
    // and plays until then, as a plain sink's write in flight would finish.
    const source = make();
    const destination = new Destination(kind);
    const abort = new AbortController();
    const piped = source.readable.pipeTo(destination.writable, { signal: abort.signal });
    let settled = false;
    piped.catch(() => {}).finally(() => settled = true);
    destination.hold();
    source.push(message(1));
    await settle();
    source.push(message(2)); // not read: the destination wants nothing while the write waits
    abort.abort("hung up");
    await settle();
    assert.deepEqual(destination.events, [], "no abort while the write is in flight");
    assert.equal(settled, false);
    destination.release();
    await assert.rejects(piped, (reason) => reason === "hung up");
    assert.deepEqual(destination.written, [message(1)]);
    assert.deepEqual(destination.events, ["abort hung up"]);
    assert.equal(source.cancelled, 1);
  });

  Deno.test(`${kind}: a pipe stopped while it waits for a frame leaves later frames to the next reader`, async () => {
    const source = make();
    const destination = new Destination(kind);
    const abort = new AbortController();
    const piped = source.readable.pipeTo(destination.writable, {
      signal: abort.signal,
      preventCancel: true,
    });
    await settle(); // the pipe waits for a frame
    abort.abort("stop");
    await assert.rejects(piped, (reason) => reason === "stop");
    source.push(message(1));
    const reader = source.readable.getReader();
    assert.deepEqual(await reader.read(), { value: message(1), done: false });
    assert.deepEqual(destination.written, []);
  });

  Deno.test(`${kind}: a signal already aborted ends the pipe before any frame`, async () => {
    const source = make();
    const destination = new Destination(kind);
    source.push(message(1));
    await assert.rejects(
      source.readable.pipeTo(destination.writable, { signal: AbortSignal.abort("no") }),
      (reason) => reason === "no",
    );
    assert.deepEqual(destination.written, []);
    assert.deepEqual(destination.events, ["abort no"]);
    assert.equal(source.cancelled, 1);
  });

  Deno.test(`${kind}: a destination closed before the pipe cancels the source`, async () => {
    const source = make();
    const destination = new Destination(kind);
    await destination.writable.close();
    await assert.rejects(source.readable.pipeTo(destination.writable), TypeError);
    assert.equal(source.cancelled, 1);
  });

  Deno.test(`${kind}: a locked source or destination is refused`, async () => {
    const source = make();
    const destination = new Destination(kind);
    const writer = destination.writable.getWriter();
    await assert.rejects(source.readable.pipeTo(destination.writable), TypeError);
    assert.throws(
      () =>
        source.readable.pipeThrough({ writable: destination.writable, readable: source.readable }),
      TypeError,
    );
    writer.releaseLock();
    const reader = source.readable.getReader();
    await assert.rejects(source.readable.pipeTo(destination.writable), TypeError);
    reader.releaseLock();
    assert.equal(source.cancelled, 0);
  });

  // WebIDL §3.2.17 ("dictionary"): the standard's `pipeTo(destination, optional StreamPipeOptions
  // options = {})` converts its options before it looks at anything else; a value that is neither
  // undefined, null nor an object cannot be converted: a TypeError, the promise rejected.
  Deno.test(`${kind}: options that are no dictionary reject the pipe with a TypeError, nothing read or locked`, async () => {
    for (const options of [true, 5, "x", Symbol("s")]) {
      const source = make();
      const destination = new Destination(kind);
      source.push(message(1));
      source.end();
      const piped = source.readable.pipeTo(
        destination.writable,
        options as unknown as StreamPipeOptions,
      );
      await assert.rejects(piped, TypeError, `options ${String(options)}`);
      assert.deepEqual([destination.written, destination.events], [[], []]);
      assert.equal(source.readable.locked, false);
      assert.equal(destination.writable.locked, false);
      assert.equal(source.cancelled, 0);
    }
    // null is none, as undefined is.
    const source = make();
    const destination = new Destination(kind);
    source.end();
    await source.readable.pipeTo(destination.writable, null as unknown as StreamPipeOptions);
    assert.deepEqual(destination.events, ["close"]);
  });

  Deno.test(`${kind}: options are read once each, in the dictionary's order, the prevents by ToBoolean`, async () => {
    // WebIDL: a dictionary's members are read in lexicographic order; a boolean member is
    // ToBoolean of its value, so "no" and 1 are true.
    const source = make();
    const destination = new Destination(kind);
    const read: string[] = [];
    const options = {};
    for (
      const [name, value] of [
        ["preventClose", "no"],
        ["signal", undefined],
        ["preventAbort", 0],
        ["preventCancel", 1],
      ] as const
    ) {
      Object.defineProperty(options, name, { get: () => (read.push(name), value) });
    }
    source.push(message(1));
    source.end();
    await source.readable.pipeTo(destination.writable, options);
    assert.deepEqual(read, ["preventAbort", "preventCancel", "preventClose", "signal"]);
    assert.deepEqual(destination.events, [], '"no" prevents the close');
    assert.deepEqual(destination.written, [message(1)]);
  });

  Deno.test(`${kind}: an options getter that throws rejects the pipe with its error, nothing locked`, async () => {
    const source = make();
    const destination = new Destination(kind);
    const failure = new Error("no options today");
    const options = {
      get preventClose(): boolean {
        throw failure;
      },
    };
    let piped: Promise<void> | undefined;
    assert.doesNotThrow(() => piped = source.readable.pipeTo(destination.writable, options));
    await assert.rejects(piped!, (reason) => reason === failure);
    assert.equal(source.readable.locked, false);
    assert.equal(destination.writable.locked, false);
  });

  Deno.test(`${kind}: a signal that is no AbortSignal rejects the pipe with a TypeError, nothing locked`, async () => {
    for (const signal of [null, {}, "x", false]) {
      const source = make();
      const destination = new Destination(kind);
      source.push(message(1));
      const options = { signal } as unknown as StreamPipeOptions;
      await assert.rejects(source.readable.pipeTo(destination.writable, options), TypeError);
      assert.deepEqual(destination.written, []);
      assert.equal(source.readable.locked, false);
      assert.equal(destination.writable.locked, false);
      assert.equal(source.cancelled, 0);
    }
  });

  Deno.test(`${kind}: pipeThrough with options that are no dictionary throws a TypeError`, () => {
    const source = make();
    const transform = new TransformStream<Frame, Frame>();
    assert.throws(
      () => source.readable.pipeThrough(transform, true as unknown as StreamPipeOptions),
      TypeError,
    );
    assert.equal(source.readable.locked, false);
  });

  Deno.test(`${kind}: values() reads its options as the standard does: no dictionary throws, "no" prevents the cancel`, async () => {
    const source = make();
    assert.throws(
      () => source.readable.values(true as unknown as ReadableStreamIteratorOptions),
      TypeError,
    );
    assert.equal(source.readable.locked, false);
    // preventCancel "no" is true: leaving the loop lets go of the stream without cancelling it.
    source.push(message(1));
    source.push(message(2));
    const options = { preventCancel: "no" } as unknown as ReadableStreamIteratorOptions;
    for await (const frame of source.readable.values(options)) {
      assert.deepEqual(frame, message(1));
      break;
    }
    assert.equal(source.cancelled, 0);
    assert.equal(source.readable.locked, false);
    const reader = source.readable.getReader();
    assert.deepEqual(await reader.read(), { value: message(2), done: false });
  });

  Deno.test(`${kind}: pipeThrough a transform, then on`, async () => {
    const source = make();
    const destination = new Destination(kind);
    const double = new TransformStream<Frame, Frame>({
      transform: (frame, controller) => {
        controller.enqueue(frame);
        controller.enqueue(frame);
      },
    });
    const piped = source.readable.pipeThrough(double).pipeTo(destination.writable);
    source.push(message(1));
    source.push(message(2));
    source.end();
    await piped;
    assert.deepEqual(destination.written, [1, 1, 2, 2].map(message));
    assert.deepEqual(destination.events, ["close"]);
  });
}

Deno.test("inboundStream piped into frameWritable: frames go straight through, in order, and the end closes it", async () => {
  const source = transportSource();
  const sent: Frame[] = [];
  const events: string[] = [];
  const writable = frameWritable({
    send: (frame) => void sent.push(frame),
    close: () => Promise.resolve(void events.push("close")),
    abort: () => Promise.resolve(void events.push("abort")),
    ...NO_INTERRUPTIONS,
  });
  const piped = source.readable.pipeTo(writable);
  for (let n = 1; n <= 3; n++) source.push(message(n));
  await settle();
  assert.deepEqual(sent, [1, 2, 3].map(message), "each sent as it came");
  source.end();
  await piped;
  assert.deepEqual(events, ["close"]);
});
