/**
 * {@linkcode WrittenBytes}: how many of the bot's PCM16 bytes some encoded audio a serializer
 * holds was made from, so that what it drops is counted in the unit of `transport.stats` (the
 * audio as the bot wrote it), not the wire's. Internal to the serializers.
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";
import type { SerializerAudioSetup, SerializerContext } from "../serializer.ts";
import type { SerializerCounter } from "../transport_stats.ts";

/** The wire format encoded audio is in: bytes per sample (μ-law, A-law 1; PCM16 2) and rate. */
export interface WireFormat {
  bytesPerSample: number;
  sampleRate: number;
}

/**
 * Remembers the format the bot last wrote its audio in (the transport's output format until
 * audio comes), and converts a count of wire bytes back to that format's PCM16 bytes.
 */
export class WrittenBytes {
  #sampleRate = 16000;
  #channels = 1;

  /** The transport's outbound format: what the bot writes until its audio says otherwise. */
  setup(audio: SerializerAudioSetup): void {
    this.#sampleRate = audio.outputSampleRate;
    this.#channels = audio.outputChannels;
  }

  /** An audio frame the bot wrote: its rate and channels are what it writes in now. */
  wrote(frame: AudioFrame): void {
    this.#sampleRate = frame.sampleRate;
    this.#channels = frame.channels;
  }

  /**
   * The bot's PCM16 bytes that `wireBytes` bytes in `wire` were encoded from: resampled back to
   * the bot's rate (to whole samples) and spread over its channels again, as it wrote them.
   */
  of(wireBytes: number, wire: WireFormat): number {
    if (wireBytes === 0) return 0;
    const samples = Math.round(
      (wireBytes / wire.bytesPerSample) * (this.#sampleRate / wire.sampleRate),
    );
    return samples * this.#channels * 2;
  }

  /**
   * Counts `wireBytes` of audio in `wire` that the serializer held and now drops, in `counter`,
   * as the bot's PCM16 bytes: the transport counted them sent when the serializer took them, and
   * moves them out of `audioBytesSent` (`SerializerContext.count`'s `held`).
   */
  dropped(
    context: SerializerContext | undefined,
    counter: SerializerCounter,
    wireBytes: number,
    wire: WireFormat,
  ): void {
    if (wireBytes > 0) context?.count(counter, this.of(wireBytes, wire), true);
  }
}
