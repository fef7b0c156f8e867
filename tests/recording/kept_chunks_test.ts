import assert from "node:assert/strict";
import { KeptChunks } from "../../src/recording/_kept_chunks.ts";

/** 20 ms of mono PCM16 at `sampleRate`. */
const chunk = (sampleRate: number) => ({
  type: "audio" as const,
  audio: new Uint8Array(sampleRate / 25).fill(3),
  sampleRate,
  channels: 1,
});

Deno.test("`KeptChunks` makes nothing per chunk at the recording's rate (a recording that does not resample)", () => {
  // A recording at the bot's rate replays nothing (a join moves its samples themselves): each of
  // its chunks cost a new empty array for the kept list, thrown away at the next.
  const kept = new KeptChunks(16000, 1000);
  const held = kept.chunks;
  for (let n = 0; n < 3; n++) kept.keep(chunk(16000), 20 * n, 20, 320 * n);
  assert.equal(kept.chunks, held, "the same empty list: nothing made for a chunk");
  assert.equal(kept.chunks.length, 0);
});

Deno.test("`KeptChunks` lets go of what it kept when a chunk at the recording's rate comes", () => {
  const kept = new KeptChunks(8000, 1000);
  kept.keep(chunk(16000), 0, 20, 0);
  kept.keep(chunk(16000), 20, 20, 320);
  assert.equal(kept.chunks.length, 2);
  kept.keep(chunk(8000), 40, 20, 0);
  assert.equal(kept.chunks.length, 0);
  assert.equal(kept.covering(0, 40), -1);
});

Deno.test("`KeptChunks` keeps the chunk that follows a break in the positions (a recorder observed again after a detach)", () => {
  // Chunks missed while detached: what was kept is let go, and the chunk after the break begins
  // the list. It was pushed onto the list let go, so a join from it found it missing, and the
  // audio it began was not replayed.
  const kept = new KeptChunks(8000, 1000);
  kept.keep(chunk(16000), 0, 20, 0);
  kept.keep(chunk(16000), 20, 20, 320);
  kept.keep(chunk(16000), 100, 20, 0);
  kept.keep(chunk(16000), 120, 20, 320);
  assert.deepEqual(kept.chunks.map(({ position }) => position), [100, 120]);
  assert.equal(kept.covering(100, 140), 0);
});

Deno.test("`KeptChunks` replays no warm-up from before a stretch that began part-way through a chunk", () => {
  // A move split the audio inside the chunk at 40 ms (its stretch begins there: `taken` NaN) and
  // the chunk after it is on the resampler's grid of the stretch before (320 input frames at
  // 16 kHz: 160 at 8 kHz). The audio up to 150 ms is not replayed from the chunk at 20 ms: that
  // is another stretch's, and the replay began the audio before the gap inside the split.
  const kept = new KeptChunks(8000, 1000);
  for (let n = 0; n < 8; n++) kept.keep(chunk(16000), 20 * n, 20, 320 * n);
  const split = kept.chunks[2]!;
  split.taken = NaN; // as `BotTrack`'s replay marks it
  for (const [n, later] of kept.chunks.slice(3).entries()) later.taken = 160 + 320 * n; // off grid
  assert.equal(kept.warmUpStart(150), -1);
  assert.equal(kept.warmUpStart(30), 0, "before the split, its own stretch's start");
});

Deno.test("`KeptChunks` keeps `holdMs` and 0.6 s more of the bot's chunks, and no more (memory bounded by the hold)", () => {
  // Ten seconds of a 16 kHz reply for an 8 kHz recording that holds 2 s: a move reaches back that
  // far, and a warm-up 0.6 s more. What is older is let go as the reply goes on (one chunk's
  // length of slack: a chunk goes once it ends more than that far back).
  const kept = new KeptChunks(8000, 2000);
  for (let n = 0; n < 500; n++) kept.keep(chunk(16000), 20 * n, 20, 320 * n);
  const positions = kept.chunks.map(({ position }) => position);
  assert.equal(
    positions[0],
    9980 - 2600 - 20,
    "the oldest: it ends 2.6 s before the newest starts",
  );
  assert.equal(positions.length, (9980 - positions[0]!) / 20 + 1, "back to back");
});
