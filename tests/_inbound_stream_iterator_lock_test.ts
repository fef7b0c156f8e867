// The transport's readable iterated, beside a plain `ReadableStream` (`_side_by_side_streams.ts`):
// the standard's async iterator lets go of the stream's lock as one of its reads gets the close
// (WHATWG Streams, "ReadableStream" async iterator, "get the next iteration result": the read
// request's close steps release the reader), not as the stream closes: an iterator that has no
// `next()` waiting then holds the stream until it asks, so nobody else may read or cancel it.

import assert from "node:assert/strict";
import { makeSource, message, type StreamKind } from "./_side_by_side_streams.ts";

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: an iterator with no next() waiting as the stream closes keeps the lock until its next next()`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values();
    source.end();
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Was (the transport's): false, let go of as the stream closed, so another reader could take it.
    assert.equal(source.readable.locked, true);
    assert.throws(() => source.readable.getReader(), TypeError);
    await assert.rejects(source.readable.cancel("mine"), TypeError);
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
    assert.equal(source.readable.locked, false);
    assert.equal(source.cancelled, 0);
  });

  Deno.test(`${kind}: an iterator that took the last frame of a closed stream keeps the lock until a next() gets the close`, async () => {
    const source = makeSource(kind);
    source.push(message(1));
    source.end();
    const iterator = source.readable.values();
    assert.deepEqual(await iterator.next(), { value: message(1), done: false });
    // Was (the transport's): false, let go of as the last frame was taken.
    assert.equal(source.readable.locked, true);
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
    assert.equal(source.readable.locked, false);
  });

  Deno.test(`${kind}: an iterator whose next() waits as the stream closes gets the close and lets go`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values();
    const waiting = iterator.next();
    source.end();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    assert.equal(source.readable.locked, false);
  });
}
