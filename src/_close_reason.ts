/**
 * Close reasons within the limit of a close frame.
 *
 * @module
 */

/** A close frame's reason is at most 123 UTF-8 bytes (RFC 6455: 125 minus the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Cuts `reason` to what a close frame can carry, never splitting a character: runtimes throw
 * (workerd: `SyntaxError`) for a longer one, which would leave the socket open.
 *
 * Only the head of a long reason is encoded: a reason may be a thrown error's message (a failing
 * listener's, passed on as the close reason), of any size, and encoding it whole to keep 123 bytes
 * would cost up to three times its size at once (a Worker's isolate has 128 MB).
 */
export function capCloseReason(reason: string): string {
  if (reason.length * 3 <= MAX_CLOSE_REASON_BYTES) return reason; // short enough in any script
  // Each UTF-16 unit is at least one byte, so 124 units hold the first 124 bytes: the 123 kept and
  // the one after them, which says whether the cut falls inside a character. A pair cut in two
  // there is a lone surrogate, encoded as U+FFFD: a lead byte where the pair's would be, at byte
  // 123 or later, so the cut is where the whole reason's would be.
  const head = reason.length > MAX_CLOSE_REASON_BYTES
    ? reason.slice(0, MAX_CLOSE_REASON_BYTES + 1)
    : reason;
  const bytes = new TextEncoder().encode(head);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason; // only when the head is all of it
  let end = MAX_CLOSE_REASON_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
