import assert from "node:assert/strict";
import { PhraseBuffer } from "../../examples/demo/_phrase_buffer.ts";

/** `ms` of 16 kHz PCM16 whose samples count up from `first`: every sample says where it was. */
function numbered(first: number, ms: number): Uint8Array {
  const samples = new Int16Array(ms * 16).map((_, i) => (first + i) & 0x7fff);
  return new Uint8Array(samples.buffer);
}

function firstSample(bytes: Uint8Array): number {
  return bytes[0]! | (bytes[1]! << 8);
}

Deno.test("`PhraseBuffer` slices whole blocks of the audio pushed, across pushes and the ring's wrap", () => {
  const buffer = new PhraseBuffer(16000, 1000);
  // 2.5 s in odd pieces: the ring (1 s) wraps twice, and a sample is split across two pushes.
  const all = numbered(0, 2500);
  for (const [from, to] of [[0, 333], [333, 40001], [40001, 79999], [79999, 80000]]) {
    buffer.push(all.subarray(from, to));
  }
  assert.equal(buffer.timeMs, 2500);
  const slice = buffer.slice(1700, 2230, 20);
  // 530 ms asked, 520 ms given (whole 20 ms blocks), from 1.7 s on: sample 27200.
  assert.equal(slice.length, 520 * 32);
  assert.deepEqual(slice, all.subarray(1700 * 32, 2220 * 32));
  assert.equal(firstSample(slice), 27200);
});

Deno.test("`PhraseBuffer` gives only what it still keeps, and nothing for a span it has lost", () => {
  const buffer = new PhraseBuffer(16000, 1000);
  buffer.push(numbered(0, 1500));
  // Asked from 0.2 s, it has kept only from 0.5 s on.
  const kept = buffer.slice(200, 1500, 20);
  assert.equal(kept.length, 1000 * 32);
  assert.equal(firstSample(kept), 8000);
  assert.equal(buffer.slice(0, 400, 20).length, 0);
  // A span past the end is cut at the end; less than a block is nothing.
  assert.equal(buffer.slice(1490, 1600, 20).length, 0);
  assert.equal(buffer.slice(1480, 1600, 20).length, 20 * 32);
});

Deno.test("`PhraseBuffer` keeps the newest ring's worth of one push longer than the ring", () => {
  const buffer = new PhraseBuffer(16000, 100);
  buffer.push(numbered(0, 250));
  assert.equal(buffer.timeMs, 250);
  assert.deepEqual(buffer.slice(150, 250, 20), numbered(150 * 16, 100));
});
