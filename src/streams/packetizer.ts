/**
 * The push-style core of {@linkcode PacketizerStream}: cuts serialized audio payloads into packets
 * of one fixed size, for media endpoints that insist on strict framing.
 *
 * @module
 */

import { FixedSizeCutter } from "./_fixed_size_cutter.ts";
import { assertBytes } from "./_audio_bytes.ts";

/**
 * What to do with the last, partial packet when the stream ends:
 * `"pad"` fills it up with `padByte`, `"short"` sends it as it is, `"drop"` discards it (counted).
 */
export type LastPacketPolicy = "pad" | "short" | "drop";

/** Throws a `RangeError` naming `policy` unless it is a {@linkcode LastPacketPolicy}. */
function assertPolicy(policy: LastPacketPolicy): void {
  if (policy === "pad" || policy === "short" || policy === "drop") return;
  throw new RangeError(`lastPacket must be "pad", "short" or "drop", got ${String(policy)}`);
}

/** Options for {@linkcode Packetizer}. */
export interface PacketizerOptions {
  /** The size of every packet, in bytes. */
  packetSize: number;
  /**
   * What `flush` does with a partial last packet.
   *
   * @default {"pad"}
   */
  lastPacket?: LastPacketPolicy;
  /**
   * The byte `"pad"` fills with: 0 is silence for PCM, 0xFF for μ-law, 0xD5 for A-law.
   *
   * @default {0}
   */
  padByte?: number;
}

/**
 * Accumulates bytes and emits packets of exactly `packetSize` bytes, keeping the remainder for
 * the next push. Whole packets inside one push are emitted as `subarray` views of it (whoever
 * keeps one past the push copies it); a packet that straddles two pushes, and the remainder held
 * between pushes, live in buffers of the packetizer's own. The remainder's buffer grows with the
 * bytes held, so a large `packetSize` costs memory only as bytes come (and, padded, as the last
 * packet goes out).
 *
 * @example 1000 bytes in, then 300: two packets of 640, 20 bytes held
 * ```ts
 * import { Packetizer } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const packetizer = new Packetizer({ packetSize: 640 });
 * const sizes: number[] = [];
 * packetizer.push(new Uint8Array(1000), (p) => sizes.push(p.length));
 * packetizer.push(new Uint8Array(300), (p) => sizes.push(p.length));
 * assert.deepEqual(sizes, [640, 640]);
 * assert.equal(packetizer.pendingBytes, 20);
 * ```
 */
export class Packetizer {
  readonly #size: number;
  readonly #lastPacket: LastPacketPolicy;
  readonly #padByte: number;
  readonly #cutter = new FixedSizeCutter();

  /** Makes a packetizer; `packetSize` must be a positive integer. */
  constructor(options: PacketizerOptions) {
    const { packetSize, lastPacket = "pad", padByte = 0 } = options;
    if (!Number.isInteger(packetSize) || packetSize <= 0) {
      throw new RangeError(`packetSize must be a positive integer, got ${packetSize}`);
    }
    assertPolicy(lastPacket);
    if (!Number.isInteger(padByte) || padByte < 0 || padByte > 255) {
      throw new RangeError(`padByte must be an integer from 0 to 255, got ${padByte}`);
    }
    this.#size = packetSize;
    this.#lastPacket = lastPacket;
    this.#padByte = padByte;
  }

  /** What {@linkcode flush} does with a partial last packet. */
  get lastPacket(): LastPacketPolicy {
    return this.#lastPacket;
  }

  /** Bytes held back, waiting for the rest of their packet. */
  get pendingBytes(): number {
    return this.#cutter.pendingBytes;
  }

  /**
   * Adds bytes; calls `emit` for every whole packet now available. Throws a `TypeError` naming
   * `bytes` when they are not a `Uint8Array` (an `ArrayBuffer` has no `length`: it was taken for
   * no bytes, silently), before anything is emitted or held.
   */
  push(bytes: Uint8Array, emit: (packet: Uint8Array) => void): void {
    assertBytes(bytes, "Packetizer.push: bytes");
    this.#cutter.push(bytes, this.#size, emit);
  }

  /**
   * Ends the stream: applies the last-packet policy (or `policy`, for this flush alone) to the
   * remainder. Returns the number of bytes dropped (non-zero only with `"drop"`), so the caller
   * can count them. Throws a `RangeError` for a `policy` that is none of the three, keeping the
   * remainder: one from plain JavaScript took it and did nothing with it (lost, uncounted).
   */
  flush(emit: (packet: Uint8Array) => void, policy: LastPacketPolicy = this.#lastPacket): number {
    assertPolicy(policy);
    const rest = this.#cutter.take();
    if (rest === null) return 0;
    switch (policy) {
      case "pad": {
        // A large packet's remainder sits in a buffer the size of what was held (it grows as
        // bytes come): the padded packet is made whole only now, when it goes out.
        const packet = rest.buffer.length === this.#size ? rest.buffer : new Uint8Array(this.#size);
        if (packet !== rest.buffer) packet.set(rest.buffer.subarray(0, rest.bytes));
        packet.fill(this.#padByte, rest.bytes);
        emit(packet);
        return 0;
      }
      case "short":
        emit(rest.buffer.subarray(0, rest.bytes));
        return 0;
      case "drop":
        return rest.bytes;
    }
  }

  /** Drops the remainder (on interruption); returns how many bytes were dropped. */
  clear(): number {
    return this.#cutter.take()?.bytes ?? 0;
  }
}
