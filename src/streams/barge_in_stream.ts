/**
 * Barge-in: interrupt the bot when the caller starts talking over it.
 *
 * @module
 */

import type { InterruptResult } from "../playback.ts";
import type { SpeechStartEvent } from "./speech_detector.ts";
import {
  SpeechDetectorStream,
  type SpeechDetectorStreamOptions,
} from "./speech_detector_stream.ts";

/** What a {@linkcode BargeInStream} needs of a transport (a `WebSocketTransport` fits). */
export interface InterruptibleTransport {
  /** Whether bot audio is playing at the far end now. */
  readonly playback: { readonly speaking: boolean };
  /** Stops the bot's audio; resolves with what the caller heard. */
  interrupt(): Promise<InterruptResult>;
}

/** Options for {@linkcode BargeInStream}: the speech detector's, and what to do on a barge-in. */
export interface BargeInStreamOptions extends SpeechDetectorStreamOptions {
  /**
   * How far above the noise floor, in dB, the caller's speech must be to interrupt the bot. On a
   * phone line the bot's own voice can come back as a quieter echo; raise this if echo
   * interrupts the bot.
   *
   * @default {0} no bar of its own: any speech the detector finds (which already stands
   * `startDb`, 12 dB by default, over the floor where it begins).
   */
  minLevelAboveFloorDb?: number;
  /**
   * Called with what the caller heard, each time the caller interrupted the bot. An exception
   * thrown here errors the stream, as one in `onSpeech` does.
   */
  onBargeIn?: (result: InterruptResult, speech: SpeechStartEvent) => void;
}

/**
 * A {@linkcode SpeechDetectorStream} that calls `transport.interrupt()` when the caller starts
 * talking while the bot is audible at the far end (`transport.playback.speaking`), so the bot
 * stops within the detector's `minSpeechMs` plus one chunk. Frames pass through untouched.
 *
 * @example
 * ```ts ignore
 * import { BargeInStream } from "@x/ws-transport";
 *
 * const bargeIn = new BargeInStream(transport, {
 *   minSpeechMs: 150,
 *   onBargeIn: ({ responseId, heardMs }) => truncateReply(responseId, heardMs),
 * });
 * transport.readable.pipeThrough(bargeIn).pipeThrough(bot).pipeTo(transport.writable);
 * ```
 */
export class BargeInStream extends SpeechDetectorStream {
  /** Makes a barge-in stream for `transport`. */
  constructor(transport: InterruptibleTransport, options: BargeInStreamOptions = {}) {
    const { onBargeIn, minLevelAboveFloorDb, onSpeech, ...detector } = options;
    // deno-lint-ignore prefer-const -- set after super(), which must come first; read later
    let stream: BargeInStream | undefined;
    super({
      ...detector,
      onSpeech(event) {
        onSpeech?.(event);
        if (event.type !== "speechstart" || !transport.playback.speaking) return;
        if (event.levelDb - event.noiseFloorDb < (minLevelAboveFloorDb ?? 0)) return;
        // Called after the frame has passed: a throw errors the stream rather than escaping as
        // an unhandled rejection, which ends a Deno or Node process and every call in it.
        transport.interrupt().then((result) => onBargeIn?.(result, event)).catch((error) =>
          stream?.fail(error)
        );
      },
    });
    stream = this;
  }
}
