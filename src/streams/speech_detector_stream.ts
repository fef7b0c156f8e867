/**
 * A `TransformStream` that passes frames through and tells when the caller starts and stops
 * talking in the inbound audio.
 *
 * @module
 */

import type { Frame } from "../frames.ts";
import { SpeechDetector, type SpeechDetectorOptions, type SpeechEvent } from "./speech_detector.ts";

/** Options for {@linkcode SpeechDetectorStream}: the detector's, less the format frames carry. */
export interface SpeechDetectorStreamOptions
  extends Omit<SpeechDetectorOptions, "sampleRate" | "channels"> {
  /**
   * Called with each detection, synchronously, while the audio frame that completed it passes
   * (before that frame is enqueued). An exception thrown here errors the stream.
   *
   * @default {undefined} detections are only visible through {@linkcode SpeechDetectorStream.speaking}.
   */
  onSpeech?: (event: SpeechEvent) => void;
}

/**
 * Watches inbound audio for speech with a {@linkcode SpeechDetector} and passes every frame on
 * untouched, in order, with no copy. Detections go to the `onSpeech` callback rather than into the
 * stream as message frames: a bot that pipes `readable` into `writable` would otherwise send them
 * to the caller, and a callback can act at once (e.g. call `transport.interrupt()`). Times are on
 * the audio's timeline, from the first audio frame. An `end` frame, and the end of the stream, stop
 * speech still under way.
 *
 * @example Barge-in: interrupt the bot when the caller talks over it
 * ```ts ignore
 * import { SpeechDetectorStream } from "@x/ws-transport";
 *
 * let botSpeaking = false; // from the transport's speakingstart / speakingstop events
 * const detector = new SpeechDetectorStream({
 *   onSpeech(event) {
 *     if (event.type === "speechstart" && botSpeaking) void transport.interrupt();
 *   },
 * });
 * transport.readable.pipeThrough(detector).pipeThrough(bot).pipeTo(transport.writable);
 * ```
 *
 * @example Detections in a tone burst, frames passed on as they were
 * ```ts
 * import { type Frame, SpeechDetectorStream, type SpeechEvent } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * // 20 ms frames of 16 kHz mono: 200 ms of silence, 400 ms of a loud tone, 800 ms of silence.
 * const frames: Frame[] = Array.from({ length: 70 }, (_, n) => {
 *   const samples = new Int16Array(320).map((_, i) =>
 *     n >= 10 && n < 30 ? 8000 * Math.sin((n * 320 + i) / 4) : 0
 *   );
 *   return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate: 16000, channels: 1 };
 * });
 * const events: SpeechEvent[] = [];
 * const detector = new SpeechDetectorStream({ onSpeech: (event) => events.push(event) });
 * const out = await Array.fromAsync(ReadableStream.from(frames).pipeThrough(detector));
 * assert.equal(out.length, 70);
 * assert.equal(out[15], frames[15]);
 * assert.deepEqual(events.map((e) => [e.type, e.atMs]), [["speechstart", 200], ["speechstop", 600]]);
 * ```
 */
export class SpeechDetectorStream extends TransformStream<Frame, Frame> {
  readonly #detector: SpeechDetector;
  readonly #controller: TransformStreamDefaultController<Frame>;

  /** Makes a detecting stream; see {@linkcode SpeechDetectorStreamOptions}. */
  constructor(options: SpeechDetectorStreamOptions = {}) {
    const { onSpeech, ...detectorOptions } = options;
    // Called at the first detection: it would error the stream mid-call there.
    if (onSpeech !== undefined && typeof onSpeech !== "function") {
      throw new TypeError(`onSpeech must be a function, got ${typeof onSpeech}`);
    }
    const detector = new SpeechDetector(detectorOptions);
    const emit = onSpeech ?? (() => {});
    let started!: TransformStreamDefaultController<Frame>;
    // deno-lint-ignore prefer-const -- set after super(), which must come first; read later
    let stream: SpeechDetectorStream | undefined;
    super({
      start(controller) {
        started = controller;
      },
      transform(frame, controller) {
        try {
          if (frame.type === "audio") detector.push(frame, emit);
          else if (frame.type === "end") detector.flush(emit);
        } catch (error) {
          // The stream errors, with no flush or cancel to come: it is done.
          stream?.stopped();
          throw error;
        }
        controller.enqueue(frame);
      },
      flush() {
        try {
          detector.flush(emit);
        } finally {
          stream?.stopped();
        }
      },
      // The reader cancelled or the writer aborted (a pipe stopped): no speechstop will come.
      cancel() {
        stream?.stopped();
      },
    });
    stream = this;
    this.#detector = detector;
    this.#controller = started;
  }

  /**
   * Errors the stream with `error`, as an exception thrown in `onSpeech` does: for work that
   * `onSpeech` starts and that fails later, where no exception can reach the stream by itself.
   */
  protected fail(error: unknown): void {
    this.#controller.error(error);
    this.stopped();
  }

  /**
   * The stream is done (its input ended, it was cancelled, or it errored): for work waiting on
   * speech.
   */
  protected stopped(): void {}

  /**
   * Whether the window `onLevel` is being told of is a keypad tone: for a test of its own in
   * `onLevel` (see {@linkcode SpeechDetector.windowIsKeypadTone}).
   */
  protected windowIsKeypadTone(): boolean {
    return this.#detector.windowIsKeypadTone();
  }

  /** Whether the caller is talking (between a `speechstart` and its `speechstop`). */
  get speaking(): boolean {
    return this.#detector.speaking;
  }
}
