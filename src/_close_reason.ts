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
 */
export function capCloseReason(reason: string): string {
  if (reason.length * 3 <= MAX_CLOSE_REASON_BYTES) return reason; // short enough in any script
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
