/**
 * One track given as bytes at an odd offset (a WAV file, bare PCM, an `AudioFrame`'s audio, each
 * inside a larger buffer: they cannot back an `Int16Array` view, so they are decoded into a copy),
 * played by one `BackgroundAudio` and then by three more, each in a session of its own at the
 * track's rate; prints, as JSON, for each case, how many copies of the track's samples the array
 * buffers the process holds grew by with the first and with each of the others: counted in heap
 * snapshots (`heapCensus`), each buffer once however many views share it, exactly, not read off
 * the process's memory use. Run by decoded_copies_test.ts.
 *
 * @module
 */

import { BackgroundAudio, type BackgroundSource } from "../../mod.ts";
import { wrapWav } from "../../src/audio/wav.ts";
import { heapCensus } from "../_collect_garbage.ts";

const RATE = 16000;
/** 10 s of a tone at 16 kHz, as bytes. */
const SAMPLES = RATE * 10;

/** `bytes` copied one byte into a larger buffer: a view at an odd byte offset. */
function atOddOffset(bytes: Uint8Array): Uint8Array {
  const larger = new Uint8Array(bytes.length + 2);
  larger.set(bytes, 1);
  return larger.subarray(1, 1 + bytes.length);
}

function pcm(): Uint8Array {
  const samples = Int16Array.from(
    { length: SAMPLES },
    (_, i) => Math.round(8000 * Math.sin(i / 7)),
  );
  return new Uint8Array(samples.buffer);
}

/** A background of `source` attached to a session at the track's rate, a few chunks played. */
function played(source: BackgroundSource): BackgroundAudio {
  const background = new BackgroundAudio(source, { sampleRate: RATE });
  background.attach({ sampleRate: RATE, channels: 1, chunkMs: 20 }, () => {});
  for (let i = 0; i < 5; i++) background.fill();
  return background;
}

/** Everything made is kept to the end: nothing of one case is let go while another measures. */
const kept: unknown[] = [];
const cases: [string, () => BackgroundSource][] = [
  ["bare PCM", () => atOddOffset(pcm())],
  ["a WAV file", () => atOddOffset(wrapWav(pcm(), { sampleRate: RATE, channels: 1 }))],
  ["an AudioFrame", () => ({
    type: "audio",
    audio: atOddOffset(pcm()),
    sampleRate: RATE,
    channels: 1,
  })],
];
// Made once for the process before any measure: the code's own, first used here.
kept.push(played(cases[0]![1]()));
// And the heap snapshot's machinery, made on its first use (see `heapCensus`).
heapCensus();

const copy = 2 * SAMPLES; // bytes of the track's samples
const report = [];
for (const [name, make] of cases) {
  const source = make();
  kept.push(source);
  const before = heapCensus().bufferBytes;
  kept.push(played(source));
  const one = heapCensus().bufferBytes;
  for (let i = 0; i < 3; i++) kept.push(played(source));
  const four = heapCensus().bufferBytes;
  report.push({
    name,
    first: Math.round(((one - before) / copy) * 100) / 100,
    eachOther: Math.round(((four - one) / 3 / copy) * 100) / 100,
  });
}
console.log(JSON.stringify(report));
if (kept.length !== 16) throw new Error("unreachable: everything is kept to here");
