/**
 * Joining byte chunks that arrive in pieces (a stream's WAV header, a caller's PCM).
 *
 * @module
 */

/** `a` then `b` in new bytes; `b` itself when `a` is empty (no copy for nothing to join). */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
