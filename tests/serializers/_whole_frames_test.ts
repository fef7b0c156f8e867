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
  frames.resize(2); // a new format drops what was held
  assert.equal(frames.heldBytes, 0);
  assert.deepEqual(frames.push(bytes(5)).map((m) => m.length), [2, 2]);
  assert.deepEqual(frames.pad(0), Uint8Array.of(5, 0));
  assert.equal(frames.pad(0), null);
});

Deno.test("`WholeFrames` clears the partial frame on interruption and says how much it dropped", () => {
  const frames = new WholeFrames(4);
  frames.push(bytes(3));
  assert.equal(frames.clear(), 3);
  assert.equal(frames.pad(0), null);
  assert.deepEqual(frames.push(bytes(4, 9)), [Uint8Array.of(9, 10, 11, 12)]);
});
