import assert from "node:assert/strict";
import { OutboundQueue } from "../src/_outbound_queue.ts";
import type { AudioFrame } from "../src/frames.ts";

const chunk = (audio: Uint8Array): AudioFrame => ({
  type: "audio",
  audio,
  sampleRate: 8000,
  channels: 1,
});

Deno.test("`OutboundQueue` asks writers to wait past maxQueuedMs, all on one promise", async () => {
  const q = new OutboundQueue(40);
  q.pushAudio(chunk(new Uint8Array(320)), 20);
  q.pushAudio(chunk(new Uint8Array(320)), 20);
  assert.equal(q.room(), undefined);
  q.pushAudio(chunk(new Uint8Array(320)), 20);
  const first = q.room();
  const second = q.room();
  assert.ok(first instanceof Promise);
  assert.equal(first, second);
  q.shift();
  await first;
  assert.equal(q.room(), undefined);
});

Deno.test("`OutboundQueue.clear` drops audio, keeps frames in order, and counts the bytes", () => {
  const q = new OutboundQueue(1000);
  q.pushAudio(chunk(new Uint8Array(320)), 20);
  q.pushFrame({ type: "mark", name: "a" });
  q.pushAudio(chunk(new Uint8Array(160)), 10);
  q.pushFrame({ type: "mark", name: "b" });
  assert.equal(q.clear(), 480);
  assert.equal(q.size, 2);
  assert.deepEqual(q.peek(), { kind: "frame", frame: { type: "mark", name: "a" } });
});

Deno.test("`OutboundQueue.ownAudio` copies the caller's queued bytes once, leaving others", () => {
  const q = new OutboundQueue(1000);
  const earlier = new Uint8Array(4).fill(7);
  q.pushAudio(chunk(earlier), 1);
  const caller = new Uint8Array(8).fill(1);
  q.pushAudio(chunk(caller.subarray(0, 4)), 1);
  q.pushAudio(chunk(caller.subarray(4, 8)), 1);
  q.ownAudio(caller.buffer);
  caller.fill(9);
  const items = [q.peek()];
  q.shift();
  items.push(q.peek());
  q.shift();
  items.push(q.peek());
  const bytes = items.map((i) => i?.kind === "audio" ? [...i.chunk.audio] : []);
  assert.deepEqual(bytes, [[7, 7, 7, 7], [1, 1, 1, 1], [1, 1, 1, 1]]);
  const [, a, b] = items.map((i) => i?.kind === "audio" ? i.chunk.audio : undefined);
  assert.equal(a!.buffer, b!.buffer, "one copy for both chunks");
  assert.notEqual(a!.buffer, caller.buffer);
  assert.equal(
    (items[0] as { chunk: AudioFrame }).chunk.audio,
    earlier,
    "not the caller's: untouched",
  );
});

Deno.test("`OutboundQueue.drained` settles on wakeDrained or when its signal aborts", async () => {
  const q = new OutboundQueue(1000);
  q.pushFrame({ type: "mark", name: "a" });
  const done: string[] = [];
  const abort = new AbortController();
  const byWake = q.drained(new AbortController().signal).then(() => done.push("wake"));
  const byAbort = q.drained(abort.signal).then(() => done.push("abort"));
  abort.abort();
  await byAbort;
  q.shift();
  q.wakeDrained();
  await byWake;
  assert.deepEqual(done, ["abort", "wake"]);
});

Deno.test("`OutboundQueue` that never empties keeps its order and size through compaction", () => {
  // A bot that stays ahead through a long answer: items go in and out, the queue never drains, and
  // the consumed slots in front are reclaimed (every 1024 or so) without losing or reordering one.
  const q = new OutboundQueue(1e9);
  let next = 0;
  let expected = 0;
  const push = () => q.pushFrame({ type: "mark", name: String(next++) });
  for (let i = 0; i < 3; i++) push();
  for (let i = 0; i < 5000; i++) {
    push();
    const item = q.peek();
    assert.ok(item?.kind === "frame" && item.frame.type === "mark");
    assert.equal(item.frame.name, String(expected++));
    q.shift();
    assert.equal(q.size, 3);
  }
  // Drained, then used again: the same order from the start.
  while (q.size > 0) q.shift();
  assert.equal(q.peek(), undefined);
  push();
  const item = q.peek();
  assert.ok(item?.kind === "frame" && item.frame.type === "mark");
  assert.equal(item.frame.name, String(next - 1));
});

Deno.test("`OutboundQueue` keeps when each chunk was written, where it was read (NaN where not)", () => {
  const q = new OutboundQueue(1000);
  q.pushAudio(chunk(new Uint8Array(320)), 20);
  q.pushAudio(chunk(new Uint8Array(320)), 20, 1234.5);
  const written: number[] = [];
  for (let item = q.peek(); item !== undefined; q.shift(), item = q.peek()) {
    if (item.kind === "audio") written.push(item.queuedAt);
  }
  assert.deepEqual(written, [NaN, 1234.5]);
});
