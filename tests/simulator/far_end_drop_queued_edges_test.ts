// The call's `FarEndContext.dropQueued` (far_end.ts) at its edges: marks exactly where the span
// begins and ends, what the call's recording shows the caller heard, and a drop while the buffer
// has run dry. The raw far end plays the bot's 16 kHz PCM16 as it comes (far_ends/raw_pcm.ts);
// each of the bot's chunks is at its own level, so the recording tells which one was heard.
import assert from "node:assert/strict";
import { callWithDrops } from "./_raw_far_end_with_drops.ts";

/** A recorded call of the raw far end with drops (_raw_far_end_with_drops.ts). */
const call = (bot: Parameters<typeof callWithDrops>[0]) => callWithDrops(bot, { record: true });

/** `ms` of the bot's 16 kHz PCM16, every sample `level`. */
function audio(ms: number, level: number): Uint8Array {
  const samples = new Int16Array(ms * 16).fill(level);
  return new Uint8Array(samples.buffer);
}

/** The right channel (what the caller heard) of a stereo 16 kHz recording, as runs of levels. */
function heard(wav: Uint8Array): [level: number, ms: number][] {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  assert.equal(view.getUint32(24, true), 16000);
  const runs: [number, number][] = [];
  for (let at = 44; at + 4 <= wav.length; at += 4) {
    const level = view.getInt16(at + 2, true);
    const last = runs.at(-1);
    if (last && last[0] === level) last[1] += 1 / 16;
    else runs.push([level, 1 / 16]);
  }
  return runs.map(([level, ms]) => [level, Math.round(ms)]);
}

Deno.test("dropQueued: marks exactly at the span's edges are reached when the audio before it has played", async () => {
  const { report, acks, drops } = await call((pair) => {
    pair.server.send(audio(200, 1000));
    pair.server.send("mark:from"); // where the span begins
    pair.server.send(audio(200, 2000));
    pair.server.send("mark:to"); // where it ends
    pair.server.send(audio(200, 3000));
    pair.server.send("mark:end");
    pair.server.send("drop:200:400"); // the second chunk, whole
  });
  assert.deepEqual(report.violations, []);
  const at = drops[0]!;
  // Nothing is left between the two edges: both are reached when the first chunk has played.
  assert.deepEqual(
    { from: acks.from! - at, to: acks.to! - at, end: acks.end! - at },
    { from: 200, to: 200, end: 400 },
  );
  assert.equal(report.marks.ackedOnClear, 0);
  // The recording: the first chunk, then the third, without a gap; the second never heard.
  const runs = heard(report.recording!);
  const speech = runs.filter(([level]) => level !== 0);
  assert.deepEqual(speech, [[1000, 200], [3000, 200]]);
  const first = runs.findIndex(([level]) => level === 1000);
  assert.equal(runs[first + 1]![0], 3000, "no silence between them");
  const { playedMs, clearedMs, underruns, lateChunks } = report.audio;
  assert.deepEqual({ playedMs, clearedMs, underruns, lateChunks }, {
    playedMs: 400,
    clearedMs: 200,
    underruns: 0,
    lateChunks: 0,
  });
});

Deno.test("dropQueued while the buffer has run dry drops nothing, and the next reply plays whole", async () => {
  const { report, acks } = await call(async (pair, clock) => {
    pair.server.send(audio(100, 1000));
    await clock.tick(300); // played out: the buffer is dry
    pair.server.send("drop:0:500");
    pair.server.send(audio(100, 2000));
    pair.server.send("mark:after");
  });
  assert.deepEqual(report.violations, []);
  assert.ok(acks.after !== undefined, "the mark after the next reply is answered");
  const speech = heard(report.recording!).filter(([level]) => level !== 0);
  assert.deepEqual(speech, [[1000, 100], [2000, 100]]);
  assert.equal(report.audio.clearedMs, 0);
  assert.equal(report.audio.playedMs, 200);
});
