/**
 * Base64 ⇄ bytes for the telephony serializers, whose audio travels as base64 inside JSON.
 *
 * Uses the runtime's native `Uint8Array.fromBase64` / `Uint8Array.prototype.toBase64` when it
 * has them (recent V8: Deno, Chromium, workerd). Measured in `tests/bench/serializers_bench.ts`
 * on 320-byte payloads: native `toBase64` encodes 20× faster than building a binary string for
 * `btoa`; for decoding, `atob` plus a copy loop is as fast as native `fromBase64`. Where there is
 * no native codec (Node 20, older runtimes), encoding goes through a table that emits two
 * characters per lookup (1.6× faster than `btoa`), decoding through `atob`.
 *
 * @module
 */

import { decodeBase64Portable, encodeBase64Portable } from "./_base64_portable.ts";

interface NativeBase64 {
  fromBase64?: (text: string) => Uint8Array<ArrayBuffer>;
}
interface NativeToBase64 {
  toBase64?: () => string;
}

const nativeFrom = (Uint8Array as unknown as NativeBase64).fromBase64;
const nativeTo = (Uint8Array.prototype as unknown as NativeToBase64).toBase64;

/**
 * Decodes standard base64 (with or without `=` padding) into bytes. Throws a `SyntaxError`
 * naming the problem when `text` is not base64.
 *
 * @example Decoding a μ-law payload
 * ```ts
 * import { decodeBase64 } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...decodeBase64("/38A")], [0xff, 0x7f, 0x00]);
 * assert.throws(() => decodeBase64("%%%"), SyntaxError);
 * ```
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (nativeFrom !== undefined) return nativeFrom.call(Uint8Array, text);
  return decodeBase64Portable(text);
}

/**
 * Encodes bytes as standard, padded base64.
 *
 * @example Encoding a μ-law payload
 * ```ts
 * import { encodeBase64 } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeBase64(new Uint8Array([0xff, 0x7f, 0x00])), "/38A");
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  if (nativeTo !== undefined) return nativeTo.call(bytes);
  return encodeBase64Portable(bytes);
}
