/**
 * Barge-in: interrupt the bot when the caller starts talking over it.
 *
 * @module
 */

import { reportError } from "../_guarded_listeners.ts";
import { thrownText } from "../_thrown_text.ts";
import { TransportError } from "../errors.ts";
import type { InterruptResult, SpeakingEvent } from "../playback.ts";
import { SpeechRun } from "./_speech_run.ts";
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
  /**
   * Ends the session with `code`: a barge-in that fails after its stream ended ends it with 1011
   * (a `WebSocketTransport` has it).
   */
  close?(code?: number, reason?: string): Promise<void>;
}

/** Options for {@linkcode BargeInStream}: the speech detector's, and what to do on a barge-in. */
export interface BargeInStreamOptions extends SpeechDetectorStreamOptions {
  /**
   * How far above the noise floor, in dB, the caller's speech must be to interrupt the bot: its
   * loudest window in its first `minSpeechMs`, or, speech that began under the bar, later sound
   * that rises over it and holds as speech does (`minSpeechMs`, at least 70 % of that time within
   * `startDb - stopDb` under the bar, keypad tones counted as quiet: a caller talking over the
   * bot's echo, not one typing a PIN over it; a lone short word over the echo, a "Stop!" whose soft
   * start and end are as loud as the echo, is too short for that, and the caller barges in at the
   * words after it). On a phone line (a hybrid, a speakerphone) the bot's own voice can come back
   * as a quieter echo; a bar just over the echo's loudest lets the echo be while a caller louder
   * than it still interrupts. It is a level, not an echo canceller: it cannot tell the bot's echo
   * from a caller in general. The echo's level follows the bot's (a loud word, a louder line), and
   * a caller quieter than the echo, or as loud, never interrupts. The real answer is echo
   * cancellation (AEC) at the far end, or a voice detector behind it.
   *
   * @default {0} no bar of its own: any speech the detector finds (which already stands
   * `startDb`, 12 dB by default, over the floor where it begins), the bot's echo included.
   */
  minLevelAboveFloorDb?: number;
  /**
   * Called with what the caller heard, each time the caller interrupted the bot. An exception
   * thrown here errors the stream, as one in `onSpeech` does; once the stream has ended (its
   * input done, or its reader cancelled) it is reported on the transport instead, as a listener's
   * is (a fatal "application" error, close code 1011). So is a rejection of `interrupt()`. Only
   * the first failure is reported, as only a listener's first is.
   */
  onBargeIn?: (result: InterruptResult, speech: SpeechStartEvent) => void;
}

/**
 * A {@linkcode SpeechDetectorStream} that calls `transport.interrupt()` when the caller starts
 * talking while the bot is audible at the far end (`transport.playback.speaking`), so the bot
 * stops within the detector's `minSpeechMs` plus one chunk. Frames pass through untouched.
 *
 * It hears sound, not whose it is: the bot's own voice coming back as echo is speech to it, and
 * interrupts the bot. `minLevelAboveFloorDb` raised just over the echo's level keeps the echo
 * out while a louder caller still barges in, even one who starts while the echo is under way;
 * nothing tells a caller from an echo as loud (see the option). Speech that began while the bot
 * was audible may be the bot's own echo: answer it only if it barged in (`onBargeIn`), stood over
 * the bar where it began (its `speechstart`'s `levelDb` minus `noiseFloorDb`), or went on past
 * where the echo ends (its `speechstop` more than the line's echo delay after the bot was last
 * audible: note that in `onLevel`, whose times are the events'). Not by whether the bot is audible
 * as the `speechstart` comes, `minSpeechMs` after the speech began: the echo of a reply shorter
 * than that ("Sure.") is reported once the bot is silent, and a caller who answers as the bot ends
 * talks on in the echo's speech, with no `speechstart` of their own and no barge-in.
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
    const { onBargeIn, minLevelAboveFloorDb = 0, onSpeech, onLevel, ...detector } = options;
    if (typeof minLevelAboveFloorDb !== "number") {
      throw new TypeError(
        `minLevelAboveFloorDb must be a number, got ${typeof minLevelAboveFloorDb}`,
      );
    }
    if (!Number.isFinite(minLevelAboveFloorDb)) {
      throw new RangeError(`minLevelAboveFloorDb must be finite, got ${minLevelAboveFloorDb}`);
    }
    // Each is called from a callback of the stream's own (onLevel and onSpeech wrapped, passing
    // the detector's checks; onBargeIn once the bot was interrupted): a wrong one would error the
    // stream mid-call there. Refused here, as the detector refuses its own.
    const callbacks = { onLevel, onSpeech, onBargeIn };
    for (const [name, callback] of Object.entries(callbacks)) {
      if (callback !== undefined && typeof callback !== "function") {
        throw new TypeError(`${name} must be a function, got ${typeof callback}`);
      }
    }
    // deno-lint-ignore prefer-const -- set after super(), which must come first; read later
    let stream: BargeInStream | undefined;
    /** Speech caught in a pause of a response: the response, and the speech. */
    let pending: { responseId: string; speech: SpeechStartEvent } | undefined;
    /** The stream is done: an error can no longer reach its reader. */
    let ended = false;
    /**
     * A barge-in failed, and was reported: only the first is, as a listener's (the stream's error
     * or the session's end is the report; another would end the call a second time).
     */
    let failed = false;
    const interrupt = (speech: SpeechStartEvent) => {
      // An interrupt() that throws where it is called (a plain function checking its state
      // first) fails as one that rejects: out of the "speakingstart" listener, where a paused
      // response's barge-in runs, it escaped into the transport's dispatch, the stream going on.
      let interrupting: Promise<InterruptResult>;
      try {
        interrupting = transport.interrupt();
      } catch (error) {
        interrupting = Promise.reject(error);
      }
      // Called after the frame has passed: a throw errors the stream rather than escaping as
      // an unhandled rejection, which ends a Deno or Node process and every call in it.
      interrupting.then((result) => onBargeIn?.(result, speech)).catch((error) => {
        if (failed) return;
        failed = true;
        if (ended) reportAfterEnd(transport, error);
        else stream?.fail(error);
      });
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
    const heard = (speech: SpeechStartEvent) => {
      if (transport.playback.speaking) return interrupt(speech);
      // Silent: a pause between spells, or no response at all. Wait for the one that was
      // playing to go on, while this speech lasts.
      const responseId = transport.playback.responseId;
      if (responseId === undefined || transport.addEventListener === undefined) return;
      forget();
      pending = { responseId, speech };
      transport.addEventListener("speakingstart", resumed);
    };
    const minSpeechMs = detector.minSpeechMs ?? 200;
    const hysteresisDb = (detector.startDb ?? 12) - (detector.stopDb ?? 6);
    /**
     * Speech that began under the bar (the bot's echo, say) is watched for sound over it, with the
     * detector's own test for speech (the bar for startDb): sound that rose over the bar and has
     * lasted minSpeechMs, at least 70 % of that time within the detector's hysteresis under the
     * bar (the rest: consonants and pauses). As in the detector, what is older than the span is
     * dropped from the front of the run, which then begins at its next window over the bar: a
     * swell of the echo just before a word does not take the word's start with it. And a keypad
     * tone counts as quiet, as it does there: a PIN typed over the echo is no caller talking.
     */
    let watching = false;
    // The run asks it only of a sounding window that may begin or go on a start, while speech
    // under the bar is watched: never without a bar (all speech clears a bar of 0).
    const keypadTone = () => stream?.windowIsKeypadTone() ?? false;
    // Made after super(), once the detector has checked minSpeechMs and windowMs; read later.
    // deno-lint-ignore prefer-const -- set after super(), which must come first; read later
    let over!: SpeechRun;
    super({
      ...detector,
      onSpeech(event) {
        onSpeech?.(event);
        watching = false;
        over.clear();
        if (event.type !== "speechstart") return forget();
        if (event.levelDb - event.noiseFloorDb >= minLevelAboveFloorDb) return heard(event);
        watching = true;
      },
      onLevel(levelDb, noiseFloorDb, atMs, durationMs) {
        onLevel?.(levelDb, noiseFloorDb, atMs, durationMs);
        if (!watching) return;
        const aboveFloorDb = levelDb - noiseFloorDb;
        const kind = aboveFloorDb >= minLevelAboveFloorDb
          ? 2
          : aboveFloorDb >= minLevelAboveFloorDb - hysteresisDb
          ? 1
          : 0;
        if (!over.push(atMs, durationMs, levelDb, kind, keypadTone)) return;
        watching = false;
        const speech: SpeechStartEvent = {
          type: "speechstart",
          atMs: over.startMs,
          levelDb: over.peakDb,
          noiseFloorDb,
        };
        over.clear();
        heard(speech);
      },
    });
    over = new SpeechRun(minSpeechMs, detector.windowMs ?? 10);
    stream = this;
    this.#end = () => {
      ended = true;
      forget();
    };
  }

  readonly #end: () => void;

  /**
   * Cancelled or ended: speech caught in a pause no longer waits for its response, and a barge-in
   * under way that fails is reported on the transport.
   */
  protected override stopped(): void {
    this.#end();
  }
}

/**
 * A barge-in failed after its stream was done: erroring the stream would reach no one (an error
 * on an ended stream is dropped), so it is reported on the transport as a listener's failure is:
 * a fatal "application" error, close code 1011, as an "error" event (on a `WebSocketTransport`,
 * held until an "error" listener hears it), and the session closed, as it is when the stream's
 * error aborts the pipe into `transport.writable`. A transport that is no `EventTarget` has no
 * "error" event: the failure is logged with `console.error`, as an adapter logs a session
 * callback's; never reported as uncaught, which would end a Deno process and every call in it.
 */
function reportAfterEnd(transport: InterruptibleTransport, cause: unknown): void {
  const message = `a barge-in failed after its stream ended: ${thrownText(cause)}`;
  const error = new TransportError("application", message, { cause, closeCode: 1011, fatal: true });
  if (transport instanceof EventTarget) reportError(transport, error);
  else console.error(error);
  void transport.close?.(1011, "barge-in failed");
}
