/**
 * A client's WebSocket frame written byte for byte (RFC 6455 §5.2), for what a `WebSocket` client
 * will not send: a message announced larger than the server takes, streamed at the test's pace, or
 * messages from a client that will then stay silent to the server's close.
 *
 * @module
 */

/**
 * A client's binary frame head announcing `length` payload bytes (a 64-bit length), masked
 * (§5.3) with a zero key, so that the payload goes as it is.
 */
export function binaryHead(length: number): Uint8Array {
  const head = new Uint8Array(14);
  head[0] = 0x82; // FIN, binary
  head[1] = 0x80 | 127; // masked, 64-bit length
  new DataView(head.buffer).setBigUint64(2, BigInt(length)); // network byte order
  return head; // bytes 10–13: the zero masking key
}

/** A client's whole text frame (a 7- or 16-bit length), masked (§5.3) with a zero key. */
export function clientText(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  if (payload.length >= 65536) throw new RangeError("text frames under 64 KiB only");
  const head = payload.length < 126
    ? [0x81, 0x80 | payload.length, 0, 0, 0, 0]
    : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff, 0, 0, 0, 0];
  const frame = new Uint8Array(head.length + payload.length);
  frame.set(head);
  frame.set(payload, head.length);
  return frame;
}
