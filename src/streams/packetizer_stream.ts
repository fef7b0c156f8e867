/**
 * A `TransformStream` that cuts audio into packets of one fixed byte size.
 *
 * @module
 */

import type { Frame } from "../frames.ts";
import { type LastPacketPolicy, Packetizer } from "./packetizer.ts";
import { assertPcmFormat } from "../audio/pcm.ts";
import { assertAudioBytes } from "./_audio_bytes.ts";

/** Options for {@linkcode PacketizerStream}. */
export interface PacketizerStreamOptions {
  /** The size of every audio packet, in bytes (e.g. 640: 20 ms of 16 kHz mono PCM16). */
  packetSize: number;
  /**
   * What to do with the last, partial packet at the end of the stream (or before an `end` frame):
   * `"pad"` fills it up with `padByte`, `"short"` sends it as it is, `"drop"` discards it (counted
   * in {@linkcode PacketizerStream.droppedBytes}).
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
 * Cuts the bytes of audio frames into audio frames of exactly `packetSize` bytes, for media
 * endpoints that insist on strict framing (pipecat's `fixed_audio_packet_size`). The remainder is
 * kept across writes. The bytes of each write are copied once, and the packets cut from them are
 * views of that copy: packets wait in the readable (and in whatever reads it) after the write has
 * returned, when a writer may reuse its buffer.
 *
 * Only audio is cut: every other frame passes through untouched and in order, so a text or
 * control message is never split (pipecat's packetizer would cut a serialized protobuf message).
 * An `interruption` or `cancel` frame drops the remainder (counted in
 * {@linkcode PacketizerStream.droppedBytes}) and passes on; so does the stream cancelled (its
 * readable cancelled, its writable aborted) or errored by a frame it refuses, where nothing passes
 * on. At the end of the stream, before an `end` frame and when the sample rate or channel count
 * changes, the partial packet follows the `lastPacket` policy.
 *
 * Packets carry the format of the audio they were cut from, not its `responseId`: they are the
 * wire's framing, as the transport's own packets (`fixedAudioPacketSize`) are, and one may hold
 * the end of one response and the start of the next. Put the stream after anything that reads
 * responses, never in front of the transport's `writable`.
 *
 * @example 1000 bytes, then 300, in packets of 640: the last one padded
 * ```ts
 * import { type Frame, PacketizerStream } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const frames: Frame[] = [
 *   { type: "audio", audio: new Uint8Array(1000).fill(1), sampleRate: 16000, channels: 1 },
 *   { type: "audio", audio: new Uint8Array(300).fill(1), sampleRate: 16000, channels: 1 },
 * ];
 * const out = await Array.fromAsync(
 *   ReadableStream.from(frames).pipeThrough(new PacketizerStream({ packetSize: 640 })),
 * );
 * assert.deepEqual(out.map((f) => f.type === "audio" && f.audio.length), [640, 640, 640]);
 * const last = out[2];
 * assert.ok(last?.type === "audio");
 * assert.equal(last.audio[19], 1);
 * assert.equal(last.audio[20], 0); // padding
 * ```
 */
export class PacketizerStream extends TransformStream<Frame, Frame> {
  #droppedBytes = 0;

  /** Makes a packetizing stream; `packetSize` must be a positive integer. */
  constructor(options: PacketizerStreamOptions) {
    const packetizer = new Packetizer(options);
    let controller!: TransformStreamDefaultController<Frame>;
    // The packets carry the format of the audio they were cut from; a format change flushes the
    // partial packet first, so no packet mixes two formats.
    let sampleRate = 0;
    let channels = 0;
    const emit = (audio: Uint8Array) =>
      controller.enqueue({ type: "audio", audio, sampleRate, channels });
    const flush = () => {
      this.#droppedBytes += packetizer.flush(emit);
    };
    /** One frame through: audio cut into packets, other frames passed on. */
    const pass = (frame: Frame): void => {
      switch (frame.type) {
        case "audio":
          assertAudioBytes(frame);
          if (frame.sampleRate !== sampleRate || frame.channels !== channels) {
            // Checked on a format change only, as the other streams do: the packets would carry
            // a format no reader can time (a NaN or infinite duration downstream).
            assertPcmFormat(frame, "frame");
            flush();
            sampleRate = frame.sampleRate;
            channels = frame.channels;
          }
          // Deliberate copy, one per write: views of the writer's bytes would change under the
          // reader when the writer reuses its buffer, and packets are read after the write.
          packetizer.push(frame.audio.slice(), emit);
          return;
        case "interruption":
        case "cancel":
          this.#droppedBytes += packetizer.clear();
          break;
        case "end":
          flush();
          break;
      }
      controller.enqueue(frame);
    };
    super({
      start(c) {
        controller = c;
      },
      transform: (frame) => {
        try {
          pass(frame);
        } catch (error) {
          // A frame refused (audio that is no bytes, a bad format) errors the stream, and no
          // flush or cancel comes after: the partial packet never goes out, so it is counted here.
          this.#droppedBytes += packetizer.clear();
          throw error;
        }
      },
      flush,
      // The readable cancelled or the writable aborted: the partial packet will never go out.
      cancel: () => {
        this.#droppedBytes += packetizer.clear();
      },
    });
  }

  /**
   * Audio bytes dropped: the remainder held when an `interruption` or `cancel` frame arrived or
   * the stream was cancelled (its readable cancelled, its writable aborted) or errored by a frame
   * it refused, and partial packets discarded by the `"drop"` policy.
   */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }
}
