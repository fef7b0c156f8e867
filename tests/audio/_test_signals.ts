// Signals for the audio tests that compare samples exactly: seeded broadband noise (every sample
// of a misalignment shows) and sample runs joined end to end.

/** `count` samples of seeded broadband noise (±6000), the same for the same `seed`. */
export function noise(count: number, seed = 7): Int16Array {
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    samples[i] = Math.round(12000 * (seed / 0x7fffffff - 0.5));
  }
  return samples;
}

/** `parts` one after another, as one run of samples. */
export function concatSamples(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
