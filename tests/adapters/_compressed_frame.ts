/**
 * The client side of per-message compression (RFC 7692) for the Workers compression tests: the
 * offer a browser makes, a message compressed as a client sends it, and what a 101 agreed.
 *
 * @module
 */

import { constants, deflateRawSync } from "node:zlib";

/**
 * An offer as browsers make it (RFC 7692, 5: the extension offered in `Sec-WebSocket-Extensions`;
 * 7.1.2.2: `client_max_window_bits` with no value, the client taking a window the server names).
 */
export const OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";

/** A text or binary frame's opcode (RFC 6455, 5.2). */
export const TEXT = 0x1;
export const BINARY = 0x2;

/**
 * `message` compressed as RFC 7692 says (7.2.1: DEFLATE, flushed, the final 0x00 0x00 0xff 0xff
 * taken off; 6: RSV1 set on its first frame), in one masked frame (RFC 6455, 5.2; all-zero mask)
 * of `opcode`, with a 7- or 16-bit length.
 */
export function compressedFrame(message: string | Uint8Array, opcode: number): Uint8Array {
  const flushed = deflateRawSync(message, { finishFlush: constants.Z_SYNC_FLUSH });
  const tail = [...flushed.subarray(-4)].join(",");
  if (tail !== "0,0,255,255") throw new Error(`a flushed DEFLATE stream ends 0 0 ff ff: ${tail}`);
  const payload = flushed.subarray(0, flushed.length - 4);
  if (payload.length >= 65536) throw new Error(`${payload.length} bytes need a 64-bit length`);
  const FIN_RSV1 = 0x80 | 0x40;
  const MASKED = 0x80;
  const length = payload.length < 126
    ? [MASKED | payload.length]
    : [MASKED | 126, payload.length >> 8, payload.length & 0xff];
  const head = [FIN_RSV1 | opcode, ...length, 0, 0, 0, 0];
  const frame = new Uint8Array(head.length + payload.length);
  frame.set(head);
  frame.set(payload, head.length);
  return frame;
}

/** The extensions a 101 agreed (its `Sec-WebSocket-Extensions`), `undefined` for none. */
export function agreed(answer: string): string | undefined {
  const line = answer.split("\r\n").find((l) => /^sec-websocket-extensions:/i.test(l));
  return line?.slice(line.indexOf(":") + 1).trim();
}
