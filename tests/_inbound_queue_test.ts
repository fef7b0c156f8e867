import assert from "node:assert/strict";
import type { Frame } from "../src/frames.ts";
import { audio, message, queue } from "./_inbound_fixtures.ts";

Deno.test("`InboundQueue` hands frames that waited to a handler first, then each as it comes", () => {
  const { q } = queue();
  q.push(message(1));
  q.push(message(2));
  const got: Frame[] = [];
  q.receive((f) => got.push(f));
  q.push(message(3));
  assert.deepEqual(got, [message(1), message(2), message(3)]);
  assert.equal(q.size, 0);
});

Deno.test("`InboundQueue` drops the oldest audio for a slow reader, never messages", () => {
  const { q, events } = queue(3);
  for (const f of [audio(1), message(1), audio(2), audio(3), audio(4), message(2)]) q.push(f);
  const got: Frame[] = [];
  q.receive((f) => got.push(f));
  // Each push past three frames drops the oldest audio still waiting.
  assert.deepEqual(got, [message(1), audio(4), message(2)]);
  assert.deepEqual(events, ["drop first", "drop", "drop"]);
});

Deno.test("`InboundQueue` says overflow once four times maxFrames messages wait", () => {
  const { q, events } = queue(2);
  for (let i = 0; i < 8; i++) q.push(message(i));
  assert.deepEqual(events, []);
  q.push(message(8));
  assert.deepEqual(events, ["overflow"]);
});

Deno.test("`InboundQueue` gives frames to one reader only", () => {
  const { q } = queue();
  q.claim("readable");
  assert.throws(() => q.receive(() => {}), /already go to readable/);
  const other = queue().q;
  other.receive(() => {});
  assert.throws(() => other.claim("readable"), /already go to a receive\(\) handler/);
});

Deno.test("`InboundQueue.discard` drops what waits, says how many, and takes no more frames", () => {
  const { q, events } = queue();
  q.claim("readable");
  for (const f of [message(1), audio(2), message(3)]) q.push(f);
  assert.equal(q.discard(), 3, "the frames the reader leaves unread, for the count");
  assert.equal(q.size, 0);
  assert.equal(q.ended, true);
  q.push(message(4));
  assert.equal(q.size, 0, "a frame after it goes nowhere");
  assert.equal(q.discard(), 0, "none twice");
  assert.deepEqual(events, []);
});

/** Pushes `count` message frames as one socket message's, numbered from `from`. */
function pushMessage(q: ReturnType<typeof queue>["q"], count: number, from = 0): void {
  for (let i = 0; i < count; i++) q.push(message(from + i), i);
}

Deno.test("`InboundQueue` lets the frames of the message arriving past the stuck-reader bound: one message of 100 frames is not a stuck reader (maxFrames 1)", () => {
  const { q, events } = queue(1); // more than 4 frames of earlier messages waiting: stuck
  q.claim("readable");
  pushMessage(q, 100);
  assert.equal(q.size, 100);
  assert.deepEqual(events, [], "all 100 came before the reader could take one");
  for (let i = 0; i < 97; i++) assert.deepEqual(q.take(), message(i));
  pushMessage(q, 100, 100); // with 3 of the first waiting, its first frame makes 4: within
  assert.deepEqual(events, []);
  assert.equal(q.size, 103);
});

Deno.test("`InboundQueue` takes a reader that stopped to be stuck at the next message's first frame, however many frames that one makes", () => {
  const { q, events } = queue(1);
  q.claim("readable");
  pushMessage(q, 100); // took none of it
  q.push(message(100), 0); // 100 of earlier messages wait, over 4
  assert.deepEqual(events, ["overflow"]);
  // One-frame messages are judged as before: the fifth waiting is one too many.
  const small = queue(1);
  small.q.claim("readable");
  for (let i = 0; i < 4; i++) small.q.push(message(i));
  assert.deepEqual(small.events, []);
  pushMessage(small.q, 10, 4); // its first frame makes 5: the 4 before are the reader's
  assert.equal(small.events[0], "overflow");
});
