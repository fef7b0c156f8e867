import assert from "node:assert/strict";
import { SampleRing } from "../../src/recording/_sample_ring.ts";

/** A ring of 8 slots (it wraps quickly) that may grow to 64; `makeRoom` is never needed here. */
const ring = () =>
  new SampleRing(8, 64, () => {
    throw new Error("makeRoom");
  });

/** Reads `bytes` as little-endian PCM16 stereo frames: [left, right] pairs, as a WAV reader does. */
function stereoFrames(bytes: Uint8Array): [number, number][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: [number, number][] = [];
  for (let at = 0; at < bytes.length; at += 4) {
    frames.push([view.getInt16(at, true), view.getInt16(at + 2, true)]);
  }
  return frames;
}

Deno.test("`SampleRing.take` copies across the wrap, silences past the end, and commits", () => {
  const r = ring();
  r.write(0, Int16Array.of(1, 2, 3, 4, 5, 6));
  const first = new Int16Array(6);
  r.take(6, first, 0, 1, false);
  assert.deepEqual([...first], [1, 2, 3, 4, 5, 6]);
  assert.equal(r.base, 6);
  // Slots 6, 7 then 0, 1, 2: the write wraps around the 8-slot buffer.
  r.write(6, Int16Array.of(-7, 8, -9, 10, 11));
  const second = new Int16Array(7).fill(99);
  r.take(7, second, 0, 1, false);
  assert.deepEqual([...second], [-7, 8, -9, 10, 11, 0, 0], "past the end is silence");
  assert.equal(r.base, 13);
  const third = new Int16Array(3).fill(99);
  r.take(3, third, 0, 1, false);
  assert.deepEqual([...third], [0, 0, 0], "taken slots were silenced for reuse");
});

Deno.test("`SampleRing.take` with `add` mixes with saturation", () => {
  const r = ring();
  r.write(0, Int16Array.of(30000, -30000, 5));
  const out = Int16Array.of(10000, -10000, 1, 7);
  r.take(4, out, 0, 1, true);
  assert.deepEqual([...out], [32767, -32768, 6, 7]);
});

Deno.test("`SampleRing.take` with a stride interleaves two rings as little-endian PCM16 frames", () => {
  const left = ring();
  const right = ring();
  // Move both past the wrap point first, so the frames below read wrapped slots.
  left.take(5, new Int16Array(5), 0, 1, false);
  right.take(5, new Int16Array(5), 0, 1, false);
  left.write(5, Int16Array.of(1, -2, 32767, -32768, 5, 6));
  right.write(5, Int16Array.of(-1, 2, -32768));
  const take = (count: number) => {
    const frames = new Int16Array(2 * count).fill(99);
    left.take(count, frames, 0, 2, false);
    right.take(count, frames, 1, 2, false);
    return stereoFrames(new Uint8Array(frames.buffer));
  };
  assert.deepEqual(take(7), [
    [1, -1],
    [-2, 2],
    [32767, -32768],
    [-32768, 0],
    [5, 0],
    [6, 0],
    [0, 0],
  ]);
  assert.deepEqual([left.base, right.base], [12, 12]);
  left.write(12, Int16Array.of(3));
  right.write(12, Int16Array.of(4, -4));
  assert.deepEqual(take(2), [[3, 4], [0, -4]]);
  assert.deepEqual(take(2), [[0, 0], [0, 0]], "taken slots were silenced for reuse");
});
