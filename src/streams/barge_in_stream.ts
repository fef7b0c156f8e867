/**
 * Barge-in: interrupt the bot when the caller starts talking over it.
 *
 * @module
 */

import type { InterruptResult, SpeakingEvent } from "../playback.ts";
import type { SpeechStartEvent } from "./speech_detector.ts";
import {
  SpeechDetectorStream,
  type SpeechDetectorStreamOptions,
} from "./speech_detector_stream.ts";

/** What a {@linkcode BargeInStream} needs of a transport (a `WebSocketTransport` fits). */
export interface InterruptibleTransport {
  /**
   * Whether bot audio is playing at the far end now, and the response playing (or, if none is,
   * the last one that did).
   */
  readonly playback: { readonly speaking: boolean; readonly responseId?: string | undefined };
  /** Stops the bot's audio; resolves with what the caller heard. */
  interrupt(): Promise<InterruptResult>;
  /**
   * Where "speakingstart" is dispatched: without it, speech caught in a pause between spells of
   * a response cannot interrupt the spell after.
   */
  addEventListener?(type: "speakingstart", listener: EventListener): void;
  /** Stops a listener added with `addEventListener`. */
  removeEventListener?(type: "speakingstart", listener: EventListener): void;
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
 * A response often plays in spells (a sentence, a pause while the next is synthesized, the next
 * sentence). Speech caught while the bot is silent in such a pause is kept: if the same response
 * (the same tagged `responseId`) becomes audible again while the caller is still talking (before
 * the detector's `speechstop`), the bot is interrupted then. Speech caught after a response, or
 * before one, never interrupts the next response. This needs the transport's "speakingstart"
 * events (a `WebSocketTransport` has them) and tagged audio.
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
    const { onBargeIn, minLevelAboveFloorDb = 0, onSpeech, ...detector } = options;
    if (typeof minLevelAboveFloorDb !== "number") {
      throw new TypeError(
        `minLevelAboveFloorDb must be a number, got ${typeof minLevelAboveFloorDb}`,
      );
    }
    if (!Number.isFinite(minLevelAboveFloorDb)) {
      throw new RangeError(`minLevelAboveFloorDb must be finite, got ${minLevelAboveFloorDb}`);
    }
    // deno-lint-ignore prefer-const -- set after super(), which must come first; read later
    let stream: BargeInStream | undefined;
    /** Speech caught in a pause of a response: the response, and the speech. */
    let pending: { responseId: string; speech: SpeechStartEvent } | undefined;
    const interrupt = (speech: SpeechStartEvent) => {
      // Called after the frame has passed: a throw errors the stream rather than escaping as
      // an unhandled rejection, which ends a Deno or Node process and every call in it.
      transport.interrupt().then((result) => onBargeIn?.(result, speech)).catch((error) =>
        stream?.fail(error)
      );
    };
    // Typed as the runtime's own listener: workerd's and Deno's `Event` types differ.
    const resumed: EventListener = (event) => {
      const waiting = pending;
      const { responseId } = event as unknown as SpeakingEvent;
      if (waiting === undefined || responseId !== waiting.responseId) return;
      forget();
      if (stream?.speaking) interrupt(waiting.speech);
    };
    const forget = () => {
      if (pending === undefined) return;
      pending = undefined;
      transport.removeEventListener?.("speakingstart", resumed);
    };
    super({
      ...detector,
      onSpeech(event) {
        onSpeech?.(event);
        if (event.type !== "speechstart") return forget();
        if (event.levelDb - event.noiseFloorDb < minLevelAboveFloorDb) return;
        if (transport.playback.speaking) return interrupt(event);
        // Silent: a pause between spells, or no response at all. Wait for the one that was
        // playing to go on, while this speech lasts.
        const responseId = transport.playback.responseId;
        if (responseId === undefined || transport.addEventListener === undefined) return;
        forget();
        pending = { responseId, speech: event };
        transport.addEventListener("speakingstart", resumed);
      },
    });
    stream = this;
    this.#forget = forget;
  }

  readonly #forget: () => void;

  /** Cancelled or ended: speech caught in a pause no longer waits for its response. */
  protected override stopped(): void {
    this.#forget();
  }
}
