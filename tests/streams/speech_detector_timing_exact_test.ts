// `minSpeechMs` and `minSilenceMs` are exact to the window at every rate, also once the timeline
// no longer starts at a whole number of ms (a partial window flushed, a change of format): at 24,
// 44.1 and 48 kHz such a time is no binary fraction, and 50 windows of 10 ms summed from it fell a
// hair short of 500 ms, so `speechstop` came a window (10 ms of audio) late.
import assert from "node:assert/strict";
import { SpeechDetector, type SpeechEvent } from "../../mod.ts";

/** Events, and how much audio had been pushed when each was emitted (ms from `originMs`). */
function detect(rate: number, lead: (detector: SpeechDetector) => void) {
  const detector = new SpeechDetector({ sampleRate: rate });
  lead(detector);
  const originMs = detector.timeMs;
  const events: { type: string; atMs: number; emittedMs: number }[] = [];
  const emit = (event: SpeechEvent) =>
    events.push({
      type: event.type,
      atMs: round(event.atMs - originMs),
      emittedMs: round(detector.timeMs - originMs),
    });
  // 10 ms pushes: 300 ms of digital silence, a loud tone for 500 ms, then silence for 800 ms.
  const window = rate / 100;
  for (let n = 0; n < 160; n++) {
    const loud = n >= 30 && n < 80;
    const samples = new Int16Array(window).map((_, i) => loud ? 8000 * Math.sin(i / 4) : 0);
    detector.push(new Uint8Array(samples.buffer), emit);
  }
  return events;
}

/** To the µs: the times compared are on the timeline, not the float sums' last bits. */
const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Speech from 300 to 800 ms, told once it has lasted 200 ms and once 500 ms of silence passed. */
const EXPECTED = [
  { type: "speechstart", atMs: 300, emittedMs: 500 },
  { type: "speechstop", atMs: 800, emittedMs: 1300 },
];

for (const rate of [8000, 16000, 24000, 44100, 48000]) {
  Deno.test(`\`SpeechDetector\` at ${rate} Hz reports start and stop exactly minSpeechMs and minSilenceMs on, after a partial window flushed`, () => {
    for (let leadSamples = 1; leadSamples < 40; leadSamples += 3) {
      const events = detect(rate, (detector) => {
        detector.push(new Uint8Array(2 * leadSamples), () => {});
        detector.flush(() => {});
      });
      assert.deepEqual(events, EXPECTED, `after ${leadSamples} samples flushed`);
    }
  });

  Deno.test(`\`SpeechDetector\` at ${rate} Hz reports start and stop exactly minSpeechMs and minSilenceMs on, after a change of format`, () => {
    for (let leadSamples = 1; leadSamples < 40; leadSamples += 3) {
      const events = detect(rate, (detector) => {
        const frame = { type: "audio" as const, sampleRate: 11025, channels: 2 };
        detector.push({ ...frame, audio: new Uint8Array(4 * leadSamples) }, () => {});
      });
      assert.deepEqual(events, EXPECTED, `after ${leadSamples} samples at another format`);
    }
  });
}

for (const rate of [24000, 44100, 48000]) {
  Deno.test(`\`SpeechDetector\` at ${rate} Hz reports speechstart exactly minSpeechMs on for any minSpeechMs, after a partial window flushed`, () => {
    for (const minSpeechMs of [100, 150, 250, 300, 400]) {
      for (let leadSamples = 1; leadSamples < 60; leadSamples += 2) {
        const detector = new SpeechDetector({ sampleRate: rate, minSpeechMs });
        detector.push(new Uint8Array(2 * leadSamples), () => {});
        detector.flush(() => {});
        const originMs = detector.timeMs;
        let emittedMs = NaN;
        // 10 ms pushes: 300 ms of digital silence, then a loud tone.
        for (let n = 0; n < 100; n++) {
          const samples = new Int16Array(rate / 100).map((_, i) =>
            n >= 30 ? 8000 * Math.sin(i / 4) : 0
          );
          detector.push(new Uint8Array(samples.buffer), (event) => {
            if (event.type === "speechstart") emittedMs = round(detector.timeMs - originMs);
          });
        }
        assert.equal(emittedMs, 300 + minSpeechMs, `${minSpeechMs} ms, ${leadSamples} flushed`);
      }
    }
  });
}
