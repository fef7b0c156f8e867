/**
 * A `TransformStream` that gives every audio frame its own WAV header.
 *
 * @module
 */

import type { Frame } from "../frames.ts";
import { assertPcmFormat } from "../audio/pcm.ts";
import { wrapWav } from "../audio/wav.ts";
import { assertAudioBytes } from "./_audio_bytes.ts";

/**
 * Prefixes every audio frame's bytes with a 44-byte RIFF/WAVE header (PCM, 16-bit, the frame's
 * own sample rate and channel count), byte for byte what pipecat's `add_wav_header` (Python's
 * `wave` module) writes, for clients that decode each message as a self-contained WAV file.
 * Other frames pass through untouched, in order.
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
 */
export class WavEncoderStream extends TransformStream<Frame, Frame> {
  /** Makes a WAV-wrapping stream. */
  constructor() {
    super({
      transform(frame, controller) {
        if (frame.type !== "audio") {
          controller.enqueue(frame);
          return;
        }
        assertAudioBytes(frame);
        // A bad rate would write a header that lies about the audio; refuse it instead.
        assertPcmFormat(frame, "frame");
        // The frame's other fields (its responseId) go on with it, as the transport's header does.
        controller.enqueue({ ...frame, audio: wrapWav(frame.audio, frame) });
      },
    });
  }
}
