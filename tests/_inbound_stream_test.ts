import assert from "node:assert/strict";
import { inboundStream } from "../src/_inbound_stream.ts";
import type { Frame } from "../src/frames.ts";
import { audio, message, queue } from "./_inbound_fixtures.ts";

Deno.test("`inboundStream` streams the frames that waited, then closes after end()", async () => {
  const { q } = queue();
  q.push(message(1));
  q.end();
  q.push(message(2)); // after the end: ignored
  assert.deepEqual(await Array.fromAsync(inboundStream(q, () => {})), [message(1)]);
});

Deno.test("`inboundStream` calls onCancel when the reader cancels, and drops what waited", async () => {
  const { q } = queue();
  let cancelled = 0;
  const stream = inboundStream(q, () => cancelled++);
  q.push(message(1));
  await stream.cancel();
  q.push(message(2));
  assert.equal(cancelled, 1);
  assert.equal(q.size, 0);
});

Deno.test("`inboundStream` iterates frames as they come, holding the lock, and lets go once it closes", async () => {
  const { q } = queue();
  const stream = inboundStream(q, () => {});
  q.push(message(1));
  const got: Frame[] = [];
  const reading = (async () => {
    for await (const frame of stream) got.push(frame);
  })();
  await Promise.resolve();
  assert.equal(stream.locked, true, "an iteration locks the stream");
  assert.throws(() => stream.getReader(), TypeError);
  assert.throws(() => stream.values(), TypeError, "a second iteration is refused, as a reader is");
  q.push(message(2));
  q.push(audio(3));
  q.end();
  await reading;
  assert.deepEqual(got, [message(1), message(2), audio(3)]);
  assert.equal(stream.locked, false);
  assert.deepEqual(await stream.getReader().read(), { value: undefined, done: true });
});

Deno.test("`inboundStream`'s iterator answers next() calls in order, and each ends at the close", async () => {
  const { q } = queue();
  const iterator = inboundStream(q, () => {}).values();
  const calls = [iterator.next(), iterator.next(), iterator.next()];
  q.push(message(1));
  q.push(message(2));
  q.end();
  assert.deepEqual(await Promise.all(calls), [
    { value: message(1), done: false },
    { value: message(2), done: false },
    { value: undefined, done: true },
  ]);
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
});

Deno.test("`inboundStream`: leaving an iteration cancels the stream, but not with preventCancel", async () => {
  const cancelled: string[] = [];
  {
    const { q } = queue();
    const stream = inboundStream(q, () => cancelled.push("cancelled"));
    q.push(message(1));
    q.push(message(2));
    for await (const _ of stream) break;
    assert.deepEqual(cancelled, ["cancelled"], "break cancels, as the standard's iterator does");
    assert.equal(stream.locked, false);
    assert.equal(q.size, 0, "what waited is dropped");
    q.push(message(3));
    assert.deepEqual(await stream.getReader().read(), { value: undefined, done: true });
  }
  {
    const { q } = queue();
    const stream = inboundStream(q, () => cancelled.push("cancelled again"));
    q.push(message(1));
    q.push(message(2));
    for await (const _ of stream.values({ preventCancel: true })) break;
    assert.equal(cancelled.length, 1, "preventCancel keeps the stream");
    assert.equal(stream.locked, false);
    // The next reader goes on where the iteration stopped, through the stream's own reads.
    const reader = stream.getReader();
    assert.deepEqual(await reader.read(), { value: message(2), done: false });
    q.push(message(3));
    assert.deepEqual(await reader.read(), { value: message(3), done: false });
    reader.releaseLock();
    // Read through the stream's reads once: later iterations take that way too, in order.
    const iterator = stream.values();
    q.push(message(4));
    q.end();
    assert.deepEqual(await iterator.next(), { value: message(4), done: false });
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  }
});

Deno.test("`inboundStream`'s iterator still drops the oldest audio for a slow reader", async () => {
  const { q, events } = queue(2);
  const iterator = inboundStream(q, () => {}).values();
  const first = iterator.next();
  q.push(audio(1));
  assert.deepEqual(await first, { value: audio(1), done: false });
  for (let n = 2; n <= 5; n++) q.push(audio(n)); // the reader is busy: 2 and 3 are dropped
  assert.deepEqual(events, ["drop first", "drop"]);
  assert.deepEqual(await iterator.next(), { value: audio(4), done: false });
  assert.deepEqual(await iterator.next(), { value: audio(5), done: false });
});

Deno.test("`inboundStream`'s iterator disposes as the standard's does: it cancels the stream and lets go", async () => {
  const { q } = queue();
  let cancelled = 0;
  const stream = inboundStream(q, () => cancelled++);
  const iterator = stream.values() as AsyncIterableIterator<Frame> & AsyncDisposable;
  await iterator[Symbol.asyncDispose]();
  assert.equal(cancelled, 1);
  assert.equal(stream.locked, false);
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
});
