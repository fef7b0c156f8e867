/**
 * Bytes for the streams' tests: a counting ramp whose every byte tells where it came from, and
 * parts joined back into one run, to compare what went in with what came out.
 *
 * @module
 */

/** `length` bytes counting up from `start`, modulo 256. */
export function ramp(length: number, start = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
}

/** `parts` one after the other, in one new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
