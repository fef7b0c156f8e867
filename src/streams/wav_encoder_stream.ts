/**
 * A `TransformStream` that gives every audio frame its own WAV header.
 *
 * @module
 */

import type { Frame } from "../frames.ts";
import { assertPcmFormat, BYTES_PER_SAMPLE } from "../audio/pcm.ts";
import { WAV_HEADER_BYTES, writeWavHeader } from "../audio/wav.ts";
import { assertAudioBytes } from "./_audio_bytes.ts";

/** What is held when nothing is (every frame of whole samples): shared, never written to. */
const NOTHING = new Uint8Array(0);

/**
 * Prefixes every audio frame's bytes with a 44-byte RIFF/WAVE header (PCM, 16-bit, the frame's
 * own sample rate and channel count), byte for byte what pipecat's `add_wav_header` (Python's
 * `wave` module) writes, for clients that decode each message as a self-contained WAV file.
 * Other frames pass through untouched, in order.
 *
 * The audio written is a stream of bytes that may be cut anywhere (a file or a socket read in odd
 * sizes), but each WAV is read on its own, so each holds whole sample frames (`2 × channels`
 * bytes): a WAV whose data ends in half a sample is malformed, and a player reading the next one
 * from the wrong byte pair would play noise. The bytes of a sample frame cut short at the end of
 * an audio frame go into the next audio frame's WAV, ahead of its own bytes, as they came; every
 * audio frame still gives one WAV (an empty one when the frame completes no sample frame). Where
 * the rest of that sample frame can never come (the stream ends, is cancelled or errors on a frame
 * it refuses, the sample rate, channel count or `responseId` changes, or an `interruption` or
 * `cancel` frame drops the audio before it), its bytes are dropped, counted in
 * {@linkcode WavEncoderStream.droppedBytes}.
 *
 * Each output frame is a new buffer: header and samples must be one contiguous message, so this
 * copy is deliberate. A frame with a non-positive or fractional rate or channel count, or one a
 * WAV header cannot state (see `writeWavHeader`), errors the stream with a `RangeError`; one whose
 * audio is not a `Uint8Array` (an `ArrayBuffer`, a string), with a `TypeError` naming it.
 *
 * @example A 20 ms frame becomes a 684-byte WAV file
 * ```ts
 * import { type Frame, WavEncoderStream } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const frames: Frame[] = [
 *   { type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 },
 *   { type: "text", text: "hi" },
 * ];
 * const [wav, text] = await Array.fromAsync(
 *   ReadableStream.from(frames).pipeThrough(new WavEncoderStream()),
 * );
 * assert.ok(wav?.type === "audio");
 * assert.equal(wav.audio.length, 684);
 * assert.equal(new TextDecoder().decode(wav.audio.subarray(0, 4)), "RIFF");
 * assert.deepEqual(text, { type: "text", text: "hi" });
 * ```
 *
 * @example Reads of odd length make WAVs of whole samples
 * ```ts
 * import { type Frame, WavEncoderStream } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const reads: Frame[] = [5, 3].map((length) => ({
 *   type: "audio",
 *   audio: new Uint8Array(length),
 *   sampleRate: 16000,
 *   channels: 1,
 * }));
 * const wavs = await Array.fromAsync(
 *   ReadableStream.from(reads).pipeThrough(new WavEncoderStream()),
 * );
 * // 4 bytes of data, then the odd byte and the next 3.
 * assert.deepEqual(wavs.map((f) => f.type === "audio" && f.audio.length - 44), [4, 4]);
 * ```
 */
export class WavEncoderStream extends TransformStream<Frame, Frame> {
  #droppedBytes = 0;

  /** Makes a WAV-wrapping stream. */
  constructor() {
    /**
     * The bytes of a sample frame cut short at the end of the last audio frame, copied (the
     * writer may reuse its buffer, as a file reader does), and that frame's format and response
     * (not the frame: its audio would be kept alive with it).
     */
    let cutShort = NOTHING;
    let sampleRate = 0;
    let channels = 0;
    let responseId: string | undefined;
    const drop = (): void => {
      this.#droppedBytes += cutShort.length;
      cutShort = NOTHING;
    };
    /** One frame through: audio as a WAV of whole sample frames, other frames as they are. */
    const pass = (frame: Frame, controller: TransformStreamDefaultController<Frame>): void => {
      if (frame.type !== "audio") {
        // The audio before these is dropped: the rest of a sample cut short will not follow.
        if (frame.type === "interruption" || frame.type === "cancel") drop();
        controller.enqueue(frame);
        return;
      }
      assertAudioBytes(frame);
      if (
        frame.sampleRate !== sampleRate || frame.channels !== channels ||
        frame.responseId !== responseId
      ) {
        // Not the same audio going on: its bytes would make a sample of two different ones.
        drop();
      }
      // A bad rate would write a header that lies about the audio; refuse it instead.
      assertPcmFormat(frame, "frame");
      const sampleFrameBytes = frame.channels * BYTES_PER_SAMPLE;
      const available = cutShort.length + frame.audio.length;
      const dataBytes = available - available % sampleFrameBytes;
      const wav = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
      writeWavHeader(wav, dataBytes, frame);
      const fromFrame = dataBytes - cutShort.length;
      if (fromFrame >= 0) {
        wav.set(cutShort, WAV_HEADER_BYTES);
        wav.set(frame.audio.subarray(0, fromFrame), WAV_HEADER_BYTES + cutShort.length);
        cutShort = fromFrame === frame.audio.length ? NOTHING : frame.audio.slice(fromFrame);
      } else {
        // Still less than one sample frame (a tiny read): all of it waits for the next.
        const joined = new Uint8Array(available);
        joined.set(cutShort);
        joined.set(frame.audio, cutShort.length);
        cutShort = joined;
      }
      ({ sampleRate, channels, responseId } = frame);
      // The frame's other fields (its responseId) go on with it, as the transport's header does.
      controller.enqueue({ ...frame, audio: wav });
    };
    super({
      transform(frame, controller) {
        try {
          pass(frame, controller);
        } catch (error) {
          // A frame refused (audio that is no bytes, a format no header can state) errors the
          // stream, and no flush or cancel comes after: the bytes held never go out.
          drop();
          throw error;
        }
      },
      // The rest of a sample cut short at the end never came.
      flush: drop,
      // The readable cancelled or the writable aborted: what is held will never go out.
      cancel: drop,
    });
  }

  /**
   * Audio bytes dropped: those of a sample frame cut short whose rest never came, because the
   * stream ended, was cancelled (its readable cancelled, its writable aborted) or errored on a
   * frame it refused, the sample rate, channel count or `responseId` changed, or an
   * `interruption` or `cancel` frame came.
   */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }
}
