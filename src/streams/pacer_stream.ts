/**
 * A `TransformStream` that releases audio in real time, as a sound card would consume it.
 *
 * @module
 */

import type { AudioFrame, Frame } from "../frames.ts";
import { type Clock, systemClock } from "../clock.ts";
import { assertPcmFormat, durationMs } from "../audio/pcm.ts";
import { Pacer, type PacerOptions } from "./pacer.ts";
import { assertAudioBytes } from "./_audio_bytes.ts";

/**
 * An audio frame as it leaves: a copy of it and its bytes (deliberate), since it is read after
 * the write has returned, when a writer may reuse its buffer. An empty one has no bytes to lose.
 */
function handedOn(frame: AudioFrame): AudioFrame {
  return frame.audio.length === 0 ? frame : { ...frame, audio: frame.audio.slice() };
}

/** Options for {@linkcode PacerStream}. */
export interface PacerStreamOptions {
  /**
   * How far ahead of its playback time an audio frame may leave, in milliseconds: the far end's
   * jitter buffer. Unset, each frame may leave one frame ahead: the longest frame paced since
   * the timeline began (an idle spell or an `interruption` begins a new one), itself included,
   * so real-time input passes with no added wait whatever its frame sizes, and a short frame
   * (a sentence's last) holds no frame after it past its slot. Set it for a fixed lead.
   *
   * @default {the longest frame on the current timeline}
   */
  sendAheadMs?: number;
  /**
   * The time source; inject a `FakeClock` to test pacing exactly.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * Releases each audio frame at its deadline on a fixed timeline: the first frame after an idle
 * spell anchors it, and frame n may leave `sendAheadMs` before `anchor + duration of frames
 * 0..n-1`. Durations come from the true byte rate (rate × channels × 2 bytes), so stereo and
 * 8 kHz audio pace right. Deadlines never drift with timer lateness, a late frame is sent at once
 * without a catch-up burst after it, and after an underrun the next frame starts a new timeline.
 *
 * The wait is the injected clock's cancellable `sleep`, never a busy loop, so it works where the
 * clock moves only across timers and I/O (Cloudflare Workers); a frame that may leave now leaves
 * without any timer, and an empty audio frame (it plays for nothing) with the frame before it
 * (with a `sendAheadMs` set, it keeps its place in the timeline: it leaves at the slot of the
 * frame after it). An audio frame leaves as a copy, its bytes too: it is read after its write has
 * returned, when a writer may reuse its buffer. Other frames pass through untouched, in order; an
 * `interruption` frame resets the timeline, so the audio after it leaves at once. Cancelling the
 * readable ends a pending sleep at once, and the frame that was waiting in it is dropped, counted
 * in {@linkcode PacerStream.droppedBytes}. Aborting the writable does not reach the sleep: the
 * streams standard lets the write in flight finish first, and shows a transformer no signal for
 * the abort, so the frame in flight leaves at the end of its wait (about one frame's duration)
 * and the abort settles then. Either way no timer outlives the stream.
 *
 * This stream paces frames in the order they were written: an `interruption` frame takes effect
 * behind the audio written before it. Dropping queued audio at once is the transport's
 * `interrupt()`.
 *
 * @example Five 20 ms frames written at once leave over 60 ms
 * ```ts
 * import { type Frame, PacerStream } from "@x/ws-transport";
 * import { FakeClock } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * const frames: Frame[] = Array.from({ length: 5 }, () => ({
 *   type: "audio",
 *   audio: new Uint8Array(640), // 20 ms at 16 kHz mono
 *   sampleRate: 16000,
 *   channels: 1,
 * }));
 * const left: number[] = [];
 * const done = ReadableStream.from(frames)
 *   .pipeThrough(new PacerStream({ clock, sendAheadMs: 20 }))
 *   .pipeTo(new WritableStream({ write: () => void left.push(clock.now()) }));
 * await clock.runAll();
 * await done;
 * assert.deepEqual(left, [0, 0, 20, 40, 60]);
 * ```
 */
export class PacerStream extends TransformStream<Frame, Frame> {
  #droppedBytes = 0;

  /** Makes a pacing stream; `sendAheadMs`, when given, must be zero or more. */
  constructor(options: PacerStreamOptions = {}) {
    const clock = options.clock ?? systemClock;
    const pacerOptions: PacerOptions = { clock };
    if (options.sendAheadMs !== undefined) pacerOptions.sendAheadMs = options.sendAheadMs;
    const pacer = new Pacer(pacerOptions);
    // Aborted by cancel(): the readable cancelled clears the pending sleep, so no timer outlives
    // the stream (the writable aborted calls it only once the write in flight is done).
    const abort = new AbortController();
    /** The frame waiting in the pacing sleep for its deadline, if one is. */
    let waiting: AudioFrame | undefined;
    let sampleRate = 0;
    let channels = 0;
    super({
      transform(frame, controller) {
        if (frame.type === "audio") {
          assertAudioBytes(frame);
          if (frame.sampleRate !== sampleRate || frame.channels !== channels) {
            // A bad format would make the duration NaN or infinite and stall the timeline.
            assertPcmFormat(frame, "frame");
            sampleRate = frame.sampleRate;
            channels = frame.channels;
          }
          const wait = pacer.reserve(durationMs(frame.audio.length, frame));
          // Not an async function: a frame that may leave now costs no promise and no timer.
          if (wait > 0) {
            waiting = frame;
            return clock.sleep(wait, abort.signal).then(() => {
              waiting = undefined;
              controller.enqueue(handedOn(frame));
            });
          }
          controller.enqueue(handedOn(frame));
          return undefined;
        } else if (frame.type === "interruption") {
          pacer.reset();
        }
        controller.enqueue(frame);
        return undefined;
      },
      cancel: (reason) => {
        // Counted here, not where the sleep rejects: the count is right once the cancel has
        // settled, and a sleep that ended just before the cancel (its frame not yet enqueued, and
        // now never) is counted too.
        if (waiting !== undefined) this.#droppedBytes += waiting.audio.length;
        waiting = undefined;
        abort.abort(reason);
      },
    });
  }

  /**
   * Audio bytes dropped: the frame waiting in the pacing sleep when the stream was cancelled (its
   * readable cancelled; an aborted writable lets that frame leave at its deadline first).
   */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }
}
