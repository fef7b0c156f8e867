// The talk-spurt detector behind every figure of the simulator's report (who spoke when, each
// answer's latency, how much the bot talked over the caller) at its edges. Its level is a 10 ms
// block's RMS against full scale, the convention of SoX's `stat` ("RMS amplitude", 1.0 = full
// scale): a 440 Hz sine SoX measures at -44.01 dB (`sox -n -r 16000 -b 16 t.wav synth 1 sine 440
// vol -41dB; sox t.wav -n stats`: "RMS lev dB -44.01") is speech against the default -45 dBFS,
// one at -46.01 is not. A silence exactly as long as the hangover ends a spurt; a block shorter
// does not.
import assert from "node:assert/strict";
import { TalkSpurtDetector } from "../../src/simulator/_talk_spurts.ts";

const RATE = 16000;

/** `ms` of a 440 Hz sine whose peak is `peakDb` below full scale (SoX's `vol -NdB`). */
function sine(ms: number, peakDb: number): Int16Array {
  const amplitude = 32767 * 10 ** (peakDb / 20);
  const samples = new Int16Array((RATE * ms) / 1000);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / RATE));
  }
  return samples;
}

const detector = () =>
  new TalkSpurtDetector({ sampleRate: RATE, thresholdDbfs: -45, hangoverMs: 250, originMs: 0 });

Deno.test("a sine 1 dB over the threshold by its RMS is speech, 1 dB under is not", () => {
  for (const [peakDb, spurts] of [[-41, [{ startMs: 500, endMs: 1500 }]], [-43, []]] as const) {
    const d = detector();
    d.pushSilence(RATE / 2);
    d.push(sine(1000, peakDb));
    d.pushSilence(RATE / 2);
    d.finish();
    assert.deepEqual(d.spurts, spurts, `peak ${peakDb} dB (RMS ${peakDb - 3.01} dB)`);
  }
});

Deno.test("a pause as long as the hangover ends a spurt; one a block shorter does not", () => {
  for (
    const [pauseMs, spurts] of [
      [250, [{ startMs: 0, endMs: 300 }, { startMs: 550, endMs: 850 }]],
      [240, [{ startMs: 0, endMs: 840 }]],
    ] as const
  ) {
    const d = detector();
    d.push(sine(300, -20));
    d.pushSilence((RATE * pauseMs) / 1000);
    d.push(sine(300, -20));
    d.finish();
    assert.deepEqual(d.spurts, spurts, `a pause of ${pauseMs} ms`);
  }
});

Deno.test("a spurt's figures are the blocks' own: audible ms, the silence after, audible at", () => {
  const d = detector();
  d.pushSilence(RATE / 10); // 0–100 ms
  d.push(sine(400, -20)); // 100–500 ms
  d.pushSilence(RATE / 2); // 500–1000 ms
  d.finish();
  assert.equal(d.audibleMs(0, 1000), 400);
  assert.equal(d.audibleMs(300, 1000), 200, "blocks that start within the span");
  assert.equal(d.silenceAfter(300, 250), 500);
  assert.equal(d.silenceAfter(600, 250), 600, "already silent");
  assert.equal(d.audibleAt(99.99), false);
  assert.equal(d.audibleAt(100), true);
  assert.equal(d.audibleAt(500), false);
});
