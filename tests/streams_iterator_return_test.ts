// The transport's readable's async iterator at `return()` beside the standard's (WebIDL,
// "asynchronous iterator prototype object": `next()` and `return()` each run after the ongoing
// promise; WHATWG Streams, "ReadableStream" async iteration: the return steps cancel the stream,
// or let go of it with preventCancel; a read that meets the close lets go of the reader). Each
// case runs on the transport's readable and on a plain one (`_side_by_side_streams.ts`).

import assert from "node:assert/strict";
import { makeSource, message, record, settle, type StreamKind } from "./_side_by_side_streams.ts";

const DONE = { value: undefined, done: true };

for (const kind of ["inboundStream", "standard"] as const satisfies StreamKind[]) {
  Deno.test(`${kind}: return() behind several waiting next()s settles after the last has its frame; a next() after it is done`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values();
    const log: string[] = [];
    record(log, "next 1", iterator.next());
    record(log, "next 2", iterator.next());
    await settle();
    record(log, "return", iterator.return!("left"));
    record(log, "next 3", iterator.next());
    source.push(message(1));
    await settle();
    assert.deepEqual(log, [`next 1 ${JSON.stringify({ value: message(1), done: false })}`]);
    assert.equal(source.cancelled, 0, "the return waits for the last next()");
    source.push(message(2));
    await settle();
    assert.deepEqual(log.slice(1), [
      `next 2 ${JSON.stringify({ value: message(2), done: false })}`,
      `return {"value":"left","done":true}`,
      `next 3 {"done":true}`,
    ]);
    assert.equal(source.cancelled, 1);
    assert.equal(source.readable.locked, false);
  });

  Deno.test(`${kind}: return() twice while a next() waits: one cancel, each answered in turn with its value`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values();
    const log: string[] = [];
    record(log, "next", iterator.next());
    await settle();
    record(log, "return a", iterator.return!("a"));
    record(log, "return b", iterator.return!("b"));
    source.push(message(1));
    await settle();
    assert.deepEqual(log, [
      `next ${JSON.stringify({ value: message(1), done: false })}`,
      `return a {"value":"a","done":true}`,
      `return b {"value":"b","done":true}`,
    ]);
    assert.equal(source.cancelled, 1);
  });

  // A frame that answers the waiting next() and the frames pushed after it in the same turn (one
  // socket message decoded into several): the return comes a turn later, never inside the push.
  Deno.test(`${kind}: a return() waiting on a next() answered mid-push: the frames pushed after it are cancelled with the stream, or stay with preventCancel`, async () => {
    for (const preventCancel of [false, true]) {
      const source = makeSource(kind);
      const iterator = source.readable.values({ preventCancel });
      const next = iterator.next();
      await settle();
      const returned = iterator.return!();
      source.push(message(1));
      source.push(message(2));
      source.push(message(3));
      assert.deepEqual(await next, { value: message(1), done: false });
      assert.deepEqual(await returned, DONE);
      assert.equal(source.readable.locked, false);
      assert.equal(source.cancelled, preventCancel ? 0 : 1);
      const reader = source.readable.getReader();
      if (preventCancel) {
        assert.deepEqual(await reader.read(), { value: message(2), done: false });
        assert.deepEqual(await reader.read(), { value: message(3), done: false });
      } else {
        assert.deepEqual(await reader.read(), DONE);
      }
      reader.releaseLock();
    }
  });

  // The close lets go of the lock at once (the read's close steps), though the return waiting
  // on that read settles later: an iteration begun in between is the stream's own.
  Deno.test(`${kind}: an iteration begun as the stream closes under a waiting return() lets go when it reads the end`, async () => {
    const source = makeSource(kind);
    const first = source.readable.values();
    const next = first.next();
    await settle();
    const returned = first.return!("left");
    source.end();
    assert.equal(source.readable.locked, false, "the close let go");
    const second = source.readable.values();
    assert.deepEqual(await next, DONE);
    assert.deepEqual(await returned, { value: "left", done: true });
    // Was (the transport's): the first's return took the second's release, and it kept the lock.
    assert.deepEqual(await second.next(), DONE);
    assert.equal(source.readable.locked, false);
  });

  Deno.test(`${kind}: [Symbol.asyncDispose] while a next() waits: the next() has its frame, then the stream is cancelled`, async () => {
    const source = makeSource(kind);
    const iterator = source.readable.values() as AsyncIterableIterator<unknown> & AsyncDisposable;
    const next = iterator.next();
    await settle();
    const disposed = iterator[Symbol.asyncDispose]();
    await settle();
    assert.equal(source.cancelled, 0);
    source.push(message(1));
    assert.deepEqual(await next, { value: message(1), done: false });
    assert.equal(await disposed, undefined);
    assert.equal(source.cancelled, 1);
    assert.equal(source.readable.locked, false);
  });

  Deno.test(`${kind}: for await that breaks in the middle of a burst cancels once, the frames after it gone`, async () => {
    const source = makeSource(kind);
    const got: unknown[] = [];
    const reading = (async () => {
      for await (const frame of source.readable) {
        got.push(frame);
        if (got.length === 2) break;
      }
    })();
    await settle();
    source.push(message(1));
    source.push(message(2));
    source.push(message(3));
    await reading;
    assert.deepEqual(got, [message(1), message(2)]);
    assert.equal(source.cancelled, 1);
    assert.equal(source.readable.locked, false);
  });
}
