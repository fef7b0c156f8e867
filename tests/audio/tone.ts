/**
 * Test helpers for audio quality: sine generators and a least-squares tone fit that yields
 * THD+N (everything that is not the tone, relative to the tone).
 *
 * @module
 */

/** A sine of `frequency` Hz, `amplitude` peak, `frames` frames at `rate`, on every channel. */
export function sine(
  frequency: number,
  rate: number,
  frames: number,
  amplitude = 16384,
  channels = 1,
): Int16Array {
  const out = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const value = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
    for (let c = 0; c < channels; c++) out[i * channels + c] = value;
  }
  return out;
}

/** One channel of interleaved samples, as floats. */
export function channel(samples: Int16Array, channels: number, index: number): Float64Array {
  const out = new Float64Array(samples.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = samples[i * channels + index]!;
  return out;
}

/** Root mean square of `x`. */
export function rms(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! ** 2;
  return Math.sqrt(sum / x.length);
}

/** What a least-squares fit of one sinusoid (plus DC) of known frequency leaves. */
export interface ToneFit {
  /** Peak amplitude of the fitted tone. */
  amplitude: number;
  /** RMS of everything else: harmonics, images, aliases, noise. */
  residual: number;
  /** THD+N in dB: residual RMS relative to the tone's RMS. */
  thdnDb: number;
}

/**
 * Fits `a·cos + b·sin + dc` at `frequency` to `x` (sampled at `rate`) by least squares and
 * reports what is left. Works for any number of cycles (no windowing, no leakage).
 */
export function fitTone(x: ArrayLike<number>, rate: number, frequency: number): ToneFit {
  const n = x.length;
  const w = (2 * Math.PI * frequency) / rate;
  // Normal equations of the 3-parameter fit.
  let cc = 0, ss = 0, cs = 0, c1 = 0, s1 = 0, xc = 0, xs = 0, x1 = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.cos(w * i), s = Math.sin(w * i), v = x[i]!;
    cc += c * c;
    ss += s * s;
    cs += c * s;
    c1 += c;
    s1 += s;
    xc += v * c;
    xs += v * s;
    x1 += v;
  }
  const [a, b, d] = solve3([[cc, cs, c1], [cs, ss, s1], [c1, s1, n]], [xc, xs, x1]);
  let residual = 0;
  for (let i = 0; i < n; i++) {
    const e = x[i]! - (a * Math.cos(w * i) + b * Math.sin(w * i) + d);
    residual += e * e;
  }
  residual = Math.sqrt(residual / n);
  const amplitude = Math.hypot(a, b);
  return { amplitude, residual, thdnDb: 20 * Math.log10(residual / (amplitude / Math.SQRT2)) };
}

function solve3(m: number[][], v: number[]): [number, number, number] {
  const det = (q: number[][]) =>
    q[0]![0]! * (q[1]![1]! * q[2]![2]! - q[1]![2]! * q[2]![1]!) -
    q[0]![1]! * (q[1]![0]! * q[2]![2]! - q[1]![2]! * q[2]![0]!) +
    q[0]![2]! * (q[1]![0]! * q[2]![1]! - q[1]![1]! * q[2]![0]!);
  const d = det(m);
  const column = (k: number) => m.map((row, i) => row.map((x, j) => (j === k ? v[i]! : x)));
  return [det(column(0)) / d, det(column(1)) / d, det(column(2)) / d];
}
