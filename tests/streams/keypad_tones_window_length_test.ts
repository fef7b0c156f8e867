// A caller's keypad may send its tones as fast as a receiver must take them: tones and gaps of 40
// ms (ITU-T Q.24's shortest), or 40 ms tones with 30 ms gaps (W3C WebRTC, RTCDTMFSender
// insertDTMF(): "duration ... cannot be ... less than 40 ms", an interToneGap of "at least 30 ms").
// In windows near that length, nearly every window holds part of a tone and part of a gap: the
// test judged the tone over the whole window, where it held only the share of it it fills, and
// such a window counted as sound. A PIN typed that fast started speech (a false barge-in) in
// windows of 30 ms and more, though the detector's documentation says keypad tones are told from
// speech in windows of 8 ms and more.
import assert from "node:assert/strict";
import { SpeechDetector, type SpeechEvent } from "../../mod.ts";
import { frames, noise } from "./_real_speech.ts";

// ITU-T Q.23: the keypad's row (low group) and column (high group) frequencies.
const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];

/**
 * Ten digits over `line` from 500 ms on, each `onMs` of a row's and a column's sine (written here
 * from the formula, not by the code under test), `offMs` apart, each tone -20 dBFS RMS, the column
 * `twistDb` louder, both `deviation` off their frequency (Q.24: up to 1.5 % off is a digit).
 */
function typed(
  line: Int16Array,
  rate: number,
  onMs: number,
  offMs: number,
  twistDb: number,
  deviation: number,
): Int16Array {
  const out = Int16Array.from(line);
  const rowPeak = 32768 * 10 ** (-20 / 20) * Math.SQRT2;
  const columnPeak = rowPeak * 10 ** (twistDb / 20);
  let from = Math.round(0.5 * rate);
  for (let digit = 0; digit < 10; digit++) {
    const row = ROWS[digit % 4]! * (1 + deviation);
    const column = COLUMNS[(digit * 3) % 4]! * (1 - deviation);
    const length = Math.round(onMs * rate / 1000);
    for (let i = 0; i < length && from + i < out.length; i++) {
      const t = i / rate;
      const tone = rowPeak * Math.sin(2 * Math.PI * row * t) +
        columnPeak * Math.sin(2 * Math.PI * column * t + 1);
      out[from + i] = Math.max(-32768, Math.min(32767, Math.round(out[from + i]! + tone)));
    }
    from += length + Math.round(offMs * rate / 1000);
  }
  return out;
}

Deno.test("`SpeechDetector` takes no digits typed as fast as Q.24 allows for speech in windows as long as the tones", () => {
  const started: string[] = [];
  for (const rate of [8000, 11025, 16000]) {
    const line = noise("white", rate, 3, -60, 5);
    for (const [onMs, offMs] of [[40, 40], [40, 30], [50, 50], [60, 40]] as const) {
      for (const [twistDb, deviation] of [[0, 0], [8, 0.015], [-4, -0.015]] as const) {
        const samples = typed(line, rate, onMs, offMs, twistDb, deviation);
        for (const windowMs of [10, 20, 30, 32, 40, 50, 60]) {
          const detector = new SpeechDetector({ sampleRate: rate, windowMs });
          const events: SpeechEvent[] = [];
          for (const frame of frames(samples, rate)) {
            detector.push(frame, (event) => events.push(event));
          }
          if (events.length > 0) {
            started.push(
              `${rate} Hz, ${onMs}/${offMs} ms, twist ${twistDb} dB, ${deviation * 100} % off, ` +
                `windowMs ${windowMs}: ${events.map((e) => `${e.type}@${e.atMs}`).join(", ")}`,
            );
          }
        }
      }
    }
  }
  assert.deepEqual(started, []);
});
