/**
 * Bytes handed to `ws` (Node) as a copy of their own.
 *
 * @module
 */

/** Node's `Buffer`, global there; not imported, so that Hono's Workers bundle takes no `node:`. */
const NodeBuffer = (globalThis as {
  Buffer?: { from(bytes: Uint8Array): Uint8Array };
}).Buffer;

/**
 * `data` for `ws`'s `send`: text as it is, bytes copied. `ws` queues what the kernel does not
 * take at once by reference, where Deno, Bun and workerd copy as they send: bytes reused after
 * `send` returns (a bot's one buffer for every frame, which the transport sends as it is on its
 * real-time path; a background mixer's output buffers) went out as they were later, while the
 * socket was backed up. A copy of a chunk comes from Node's Buffer pool: a few hundred bytes, no
 * `ArrayBuffer` of its own.
 */
export function wsSendable(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  const bytes = data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Buffer.from of a typed array copies, never sharing its memory; so does slice().
  return NodeBuffer !== undefined ? NodeBuffer.from(bytes) : bytes.slice();
}
