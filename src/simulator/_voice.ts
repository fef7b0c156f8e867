/**
 * A voice-like test signal: a 140 Hz buzz rich in harmonics (as vocal cords make), its level
 * rising and falling four times a second (as syllables do). Energy detectors and VADs that key
 * on speech-band energy take it for speech; it needs no recording shipped with the module.
 *
 * @module
 */

const FUNDAMENTAL_HZ = 140;
const HARMONICS = 12;
const SYLLABLES_HZ = 4;

/**
 * Adds `count` samples of the voice at `sampleRate` to `out` at `offset`: samples `phase` to
 * `phase + count` of an utterance `total` samples long, at `peak` (0..1 of full scale).
 */
export function addVoice(
  out: Int16Array,
  offset: number,
  count: number,
  sampleRate: number,
  utterance: { phase: number; total: number; peak: number },
): void {
  const { phase, total, peak } = utterance;
  const fadeSamples = sampleRate * 0.005;
  const nyquist = sampleRate / 2;
  for (let i = 0; i < count; i++) {
    const t = (phase + i) / sampleRate;
    let value = 0;
    for (let h = 1; h <= HARMONICS && h * FUNDAMENTAL_HZ < nyquist; h++) {
      value += Math.sin(2 * Math.PI * FUNDAMENTAL_HZ * h * t) / h;
    }
    // Syllables: never quite silent inside an utterance, so it stays one talk spurt.
    const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * SYLLABLES_HZ * t);
    // 5 ms fades at both ends keep the edges free of clicks.
    const fade = Math.min(1, (phase + i) / fadeSamples, (total - phase - i) / fadeSamples);
    const sample = out[offset + i]! + value * envelope * fade * peak * 32767 * 0.55;
    out[offset + i] = Math.max(-32768, Math.min(32767, Math.round(sample)));
  }
}
