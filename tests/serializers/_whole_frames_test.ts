import assert from "node:assert/strict";
import { WholeFrames } from "../../src/serializers/_whole_frames.ts";

const bytes = (length: number, from = 1) => Uint8Array.from({ length }, (_, i) => (from + i) % 256);

Deno.test("`WholeFrames` joins whole frames up to maxMessageBytes and keeps the partial frame", () => {
  const frames = new WholeFrames(4, 9);
  const out = frames.push(bytes(19));
  assert.deepEqual(out.map((m) => m.length), [8, 8]);
  assert.equal(frames.heldBytes, 3);
  assert.deepEqual(frames.push(bytes(1, 20)), [Uint8Array.of(17, 18, 19, 20)]);
  assert.equal(frames.heldBytes, 0);
});

Deno.test("`WholeFrames` without maxMessageBytes sends each frame alone, across a resize", () => {
  const frames = new WholeFrames(4);
  frames.push(bytes(2));
  const out = frames.push(bytes(11, 3));
  assert.deepEqual(out, [
    Uint8Array.of(1, 2, 3, 4),
    Uint8Array.of(5, 6, 7, 8),
    Uint8Array.of(9, 10, 11, 12),
  ]);
  assert.equal(frames.heldBytes, 1);
  // A new format: what was held (in the old one) is handed back, not kept.
  assert.deepEqual(frames.resize(2), Uint8Array.of(13));
  assert.equal(frames.heldBytes, 0);
  assert.deepEqual(frames.push(bytes(5)).map((m) => m.length), [2, 2]);
  assert.deepEqual(frames.pad(0), [Uint8Array.of(5, 0)]);
  assert.deepEqual(frames.pad(0), []);
});

Deno.test("`WholeFrames` clears the partial frame on interruption and says how much it dropped", () => {
  const frames = new WholeFrames(4);
  frames.push(bytes(3));
  assert.equal(frames.clear(), 3);
  assert.deepEqual(frames.pad(0), []);
  assert.deepEqual(frames.push(bytes(4, 9)), [Uint8Array.of(9, 10, 11, 12)]);
});

Deno.test("`WholeFrames` carries converted audio in front of the next", () => {
  const frames = new WholeFrames(4);
  frames.push(bytes(3));
  assert.deepEqual(frames.resize(6), Uint8Array.of(1, 2, 3));
  assert.deepEqual(frames.resize(4), new Uint8Array(0), "nothing held, nothing handed back");
  frames.carry(Uint8Array.of(7, 8));
  assert.deepEqual(frames.push(bytes(3, 20)), [Uint8Array.of(7, 8, 20, 21)]);
  assert.deepEqual(frames.pad(0), [Uint8Array.of(22, 0, 0, 0)]);
  frames.carry(Uint8Array.of(1, 2, 3, 4)); // a whole frame leaves with the next push or pad
  assert.deepEqual(frames.pad(0), [Uint8Array.of(1, 2, 3, 4)]);
});

Deno.test("`WholeFrames` carries more than a frame: the whole ones leave first, none lost", () => {
  // A rate change carries the partial frame plus what the old resampler still held: at the new
  // rate that can pass a frame.
  const frames = new WholeFrames(4);
  frames.push(bytes(3));
  frames.carry(bytes(6, 10)); // beside 3 held: 9 bytes, two whole frames and one byte
  assert.equal(frames.heldBytes, 9);
  assert.deepEqual(frames.push(new Uint8Array(0)), [
    Uint8Array.of(1, 2, 3, 10),
    Uint8Array.of(11, 12, 13, 14),
  ]);
  assert.equal(frames.heldBytes, 1);
  assert.deepEqual(frames.push(bytes(5, 20)), [Uint8Array.of(15, 20, 21, 22)]);
  assert.deepEqual(frames.pad(0), [Uint8Array.of(23, 24, 0, 0)]);
  // Padding sends every frame carried, each a message of its own without maxMessageBytes ...
  frames.carry(bytes(6));
  assert.deepEqual(frames.pad(0), [Uint8Array.of(1, 2, 3, 4), Uint8Array.of(5, 6, 0, 0)]);
  // ... joined up to it with one.
  const joined = new WholeFrames(4, 8);
  joined.carry(bytes(10));
  assert.deepEqual(joined.pad(0), [
    Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    Uint8Array.of(9, 10, 0, 0),
  ]);
  joined.carry(bytes(9));
  assert.deepEqual(joined.push(bytes(3, 20)).map((m) => m.length), [8, 4]);
  assert.equal(joined.heldBytes, 0);
});

Deno.test("`WholeFrames` says how much silence its last pad or end added, which plays after the audio", () => {
  const frames = new WholeFrames(4);
  frames.push(bytes(5));
  assert.deepEqual(frames.end(bytes(1, 6), 0), [Uint8Array.of(5, 6, 0, 0)]);
  assert.equal(frames.paddedBytes, 2);
  assert.equal(frames.end(null, 0), null, "nothing held");
  assert.equal(frames.paddedBytes, 0, "nothing padded");
  frames.push(bytes(4));
  assert.deepEqual(frames.pad(0), [], "a whole frame left with its push: nothing to pad");
  assert.equal(frames.paddedBytes, 0);
  frames.push(bytes(1));
  frames.pad(0);
  assert.equal(frames.paddedBytes, 3);
});

Deno.test("`WholeFrames` drops at a stretch's end a partial frame that holds only what runs beyond the audio", () => {
  // A rate change carries a resampler's held-back end as speech (Vonage's), though its stream
  // began with that much silence: the stream runs that far beyond its audio, wherever frames cut
  // it, until a frame is padded, dropped, or the stretch ends.
  const frames = new WholeFrames(4);
  frames.carry(bytes(3)); // the audio held at the change ...
  frames.carry(bytes(2, 10)); // ... and the old filter's end, beyond it
  frames.runsBeyond(2);
  assert.equal(frames.spareBytes, 2);
  assert.deepEqual(frames.push(bytes(9, 20)), [
    Uint8Array.of(1, 2, 3, 10),
    Uint8Array.of(11, 20, 21, 22),
    Uint8Array.of(23, 24, 25, 26),
  ]);
  // Two bytes held: the stream's last, beyond the audio, which ended with the frames sent.
  assert.equal(frames.heldBytes, 2);
  assert.equal(frames.roomBytes, 0, "no room for a resampler's end: nothing of the audio to end");
  // Dropped with the tail given, not padded to a frame of their own: nothing sent, nothing added.
  assert.equal(frames.end(bytes(1, 40), 0), null);
  assert.equal(frames.heldBytes, 0);
  assert.equal(frames.endExtraBytes, 0);
  assert.equal(frames.spareBytes, 0, "the next stretch runs no further than its audio");
  // Beyond a whole frame carried, only the partial one is dropped.
  frames.carry(bytes(5));
  frames.runsBeyond(1);
  assert.deepEqual(frames.end(null, 0), [Uint8Array.of(1, 2, 3, 4)]);
  // A partial frame holding audio goes padded, its room ended by the tail.
  frames.carry(bytes(2));
  frames.runsBeyond(1);
  assert.equal(frames.roomBytes, 2);
  assert.deepEqual(frames.end(bytes(1, 9), 0), [Uint8Array.of(1, 2, 9, 0)]);
  assert.equal(frames.endExtraBytes, 2);
});

Deno.test("`WholeFrames` forgets what ran beyond the audio once a frame is padded, cleared or resized", () => {
  const frames = new WholeFrames(4);
  frames.carry(bytes(2));
  frames.runsBeyond(1);
  assert.deepEqual(frames.pad(0), [Uint8Array.of(1, 2, 0, 0)], "a bot's mark pads the audio held");
  assert.equal(frames.spareBytes, 0);
  frames.carry(bytes(1));
  frames.runsBeyond(1);
  assert.equal(frames.clear(), 1);
  assert.equal(frames.spareBytes, 0);
  frames.carry(bytes(1));
  frames.runsBeyond(1);
  assert.deepEqual(frames.resize(2), Uint8Array.of(1), "handed back, its spare end with it");
  assert.equal(frames.spareBytes, 0);
  frames.push(bytes(1));
  assert.deepEqual(frames.end(null, 0), [Uint8Array.of(1, 0)], "audio again: padded as ever");
});

Deno.test("`WholeFrames` drops at a pad (a bot's mark) a partial frame that holds only what runs beyond the audio", () => {
  // Padded, it would go as a frame of its own, nearly all silence, after the audio or in the
  // middle of it (a bot's mark mid-reply).
  const frames = new WholeFrames(4);
  frames.carry(bytes(5));
  frames.runsBeyond(1);
  assert.deepEqual(
    frames.pad(0),
    [Uint8Array.of(1, 2, 3, 4)],
    "the whole frame goes, not the spare byte",
  );
  assert.equal(frames.paddedBytes, 0, "no silence sent");
  assert.equal(frames.heldBytes, 0);
  assert.equal(frames.spareBytes, 0);
  frames.carry(bytes(1));
  frames.runsBeyond(1);
  assert.deepEqual(frames.pad(0), [], "nothing of the audio held: nothing sent");
  assert.equal(frames.heldBytes, 0);
  // The audio goes on after it, as a stream of its own: padded as ever.
  frames.push(bytes(1));
  assert.deepEqual(frames.pad(0), [Uint8Array.of(1, 0, 0, 0)]);
  assert.equal(frames.paddedBytes, 3);
});
