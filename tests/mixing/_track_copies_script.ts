/**
 * One track object played looped by one `BackgroundAudio` and once (`loop: false`) by another,
 * each in a session at another rate than the track's, in either order, and at the track's own
 * rate; prints, as JSON, for each case, how many copies of the converted track the array buffers
 * the process holds grew by with the first background and then with the second: counted in heap
 * snapshots (`heapCensus`), each buffer once however many views share it, exactly, not read off
 * the process's memory use (which moved with the runtime's own allocations and a sweeper's
 * timing). Run by track_copies_test.ts.
 *
 * @module
 */

import { BackgroundAudio } from "../../mod.ts";
import { heapCensus } from "../_collect_garbage.ts";

/** 20 s of a tone and a hum at 16 kHz. */
const track = () =>
  Int16Array.from(
    { length: 16000 * 20 },
    (_, i) => Math.round(8000 * Math.sin(i / 7) + 6000 * Math.sin(i / 53)),
  );

/** A background of `source` attached to a session at `rate`, a few chunks played. */
function played(source: Int16Array, loop: boolean, rate: number): BackgroundAudio {
  const background = new BackgroundAudio(source, { sampleRate: 16000, loop });
  background.attach({ sampleRate: rate, channels: 1, chunkMs: 20 }, () => {});
  for (let i = 0; i < 5; i++) background.fill();
  return background;
}

/** Everything made is kept to the end: nothing of one case is let go while another measures. */
const kept: unknown[] = [];
// Made once for the process before any measure: the filters for 16 → 24 kHz, the code's own.
for (const loop of [true, false]) kept.push(played(track(), loop, 24000));
// And the heap snapshot's machinery, made on its first use (see `heapCensus`).
heapCensus();

const report = [];
const cases = [
  ["looped, then once", true, 24000],
  ["once, then looped", false, 24000],
  ["at the track's rate", true, 16000],
] as const;
for (const [name, first, rate] of cases) {
  const source = track();
  kept.push(source);
  const copy = 2 * 20 * rate; // bytes of the converted track
  const before = heapCensus().bufferBytes;
  kept.push(played(source, first, rate));
  const one = heapCensus().bufferBytes;
  kept.push(played(source, !first, rate));
  const two = heapCensus().bufferBytes;
  report.push({
    name,
    first: Math.round(((one - before) / copy) * 100) / 100,
    second: Math.round(((two - one) / copy) * 100) / 100,
  });
}
console.log(JSON.stringify(report));
if (kept.length !== 11) throw new Error("unreachable: everything is kept to here");
