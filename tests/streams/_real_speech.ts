/**
 * Real speech for the speech detector's tests: espeak-ng utterances and a sox rumble
 * (tests/streams/fixtures, see its README) on lines of synthesized noise (white or pink, from a
 * seeded PRNG so every run hears the same line).
 *
 * @module
 */

/** A fixture's samples (PCM16 mono) and rate. */
export interface Recording {
  samples: Int16Array;
  rate: number;
}

/** Reads `tests/streams/fixtures/<name>`, a PCM16 mono WAV file. */
export async function recording(name: string): Promise<Recording> {
  const wav = await Deno.readFile(new URL(`./fixtures/${name}`, import.meta.url));
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  let rate = 0;
  for (let at = 12; at + 8 <= wav.length;) {
    const id = new TextDecoder().decode(wav.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      if (view.getUint16(at + 10, true) !== 1 || view.getUint16(at + 22, true) !== 16) {
        throw new Error(`${name}: not PCM16 mono`);
      }
      rate = view.getUint32(at + 12, true);
    }
    if (id === "data") {
      return { samples: new Int16Array(wav.slice(at + 8, at + 8 + size).buffer), rate };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error(`${name}: no data chunk`);
}

/** A deterministic PRNG (mulberry32), so every noise is the same on every run. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kinds of synthesized line noise: a hiss (white), a fan or a room (pink). */
export type NoiseKind = "white" | "pink";

/** The level of the noise at `ms`, in dBFS RMS: a constant, or a function of time (a step). */
type Level = number | ((ms: number) => number);

/** `seconds` of noise at `rate`, scaled to `rmsDb` dBFS RMS. */
export function noise(
  kind: NoiseKind,
  rate: number,
  seconds: number,
  rmsDb: Level,
  seed = 1,
): Int16Array {
  const next = random(seed);
  const out = new Float64Array(Math.round(seconds * rate));
  let [b0, b1, b2] = [0, 0, 0];
  for (let i = 0; i < out.length; i++) {
    const white = next() * 2 - 1;
    if (kind === "white") out[i] = white;
    else {
      // Paul Kellet's economy filter: -3 dB an octave within 0.5 dB over the audio band.
      b0 = 0.99765 * b0 + white * 0.099046;
      b1 = 0.963 * b1 + white * 0.2965164;
      b2 = 0.57 * b2 + white * 1.0526913;
      out[i] = b0 + b1 + b2 + white * 0.1848;
    }
  }
  return scaled(out, rate, rmsDb);
}

/**
 * `seconds` of a recorded noise (a fixture) played in a loop, scaled to `rmsDb` dBFS RMS: a
 * rumble sox makes is rougher than any few lines of synthesis here.
 */
export function looped(noise: Recording, seconds: number, rmsDb: Level): Int16Array {
  const { samples, rate } = noise;
  const out = new Float64Array(Math.round(seconds * rate)).map((_, i) =>
    samples[i % samples.length]!
  );
  return scaled(out, rate, rmsDb);
}

function scaled(signal: Float64Array, rate: number, rmsDb: Level): Int16Array {
  const rms = Math.sqrt(signal.reduce((sum, v) => sum + v * v, 0) / signal.length);
  return new Int16Array(signal.length).map((_, i) => {
    const db = typeof rmsDb === "number" ? rmsDb : rmsDb((i * 1000) / rate);
    return Math.round((signal[i]! * 32768 * 10 ** (db / 20)) / rms);
  });
}

/** `base` with `add` mixed in from `atMs`, `gainDb` louder, clipped. */
export function mix(
  base: Int16Array,
  add: Int16Array,
  rate: number,
  atMs: number,
  gainDb = 0,
): Int16Array {
  const out = Int16Array.from(base);
  const at = Math.round((atMs * rate) / 1000);
  const gain = 10 ** (gainDb / 20);
  for (let i = 0; i < add.length && at + i < out.length; i++) {
    out[at + i] = Math.max(-32768, Math.min(32767, Math.round(out[at + i]! + add[i]! * gain)));
  }
  return out;
}

/** `samples` as audio frames of `ms` each. */
export function frames(samples: Int16Array, rate: number, ms = 20) {
  const per = (rate * ms) / 1000;
  const out = [];
  for (let i = 0; i < samples.length; i += per) {
    const audio = new Uint8Array(samples.slice(i, i + per).buffer);
    out.push({ type: "audio" as const, audio, sampleRate: rate, channels: 1 });
  }
  return out;
}

/** The active speech level, in dBFS: the mean power of the 10 ms windows over -45 dBFS. */
export function activeLevelDb(samples: Int16Array, rate: number): number {
  const window = rate / 100;
  let [sum, count] = [0, 0];
  for (let i = 0; i + window <= samples.length; i += window) {
    let energy = 0;
    for (let j = i; j < i + window; j++) energy += samples[j]! ** 2;
    energy /= window * 32768 ** 2;
    if (energy > 10 ** -4.5) [sum, count] = [sum + energy, count + 1];
  }
  return 10 * Math.log10(sum / count);
}

/** Where `samples` first and last exceed -40 dBFS, in ms. */
export function spokenMs(samples: Int16Array, rate: number): [number, number] {
  const loud = (v: number) => Math.abs(v) > 328;
  const first = samples.findIndex(loud);
  const last = samples.findLastIndex(loud);
  return [(first * 1000) / rate, ((last + 1) * 1000) / rate];
}
