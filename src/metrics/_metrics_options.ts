/**
 * `SessionMetrics.attach`'s arguments, checked by kind and resolved to their defaults.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import { kindOf, shownValue } from "../_kind_of.ts";
import { SpeechDetector } from "../streams/speech_detector.ts";
import { resolveSpeechOptions } from "../streams/_speech_detector_options.ts";
import { expectMethods } from "../transport_options.ts";
import type { MeteredTransport, SessionMetricsOptions } from "./session_metrics.ts";

/** What `SessionMetrics` is made with: every option resolved to a value. */
export interface ResolvedMetricsOptions {
  /** The speech detector, or `undefined` for none (`speech: false`). */
  detector: SpeechDetector | undefined;
  lateAfterMs: number;
  clock: Clock;
}

/** What a transport must have for `SessionMetrics` to measure it. */
const TRANSPORT_METHODS = ["observe", "addEventListener", "removeEventListener"];
const TRANSPORT = "a WebSocketTransport or another MeteredTransport";

/**
 * Throws a `TypeError` naming the argument or option that is not the kind of thing it must be, a
 * `RangeError` naming a bad number, as `CallRecorder` and the transport's options do. Without a
 * type checker (plain JavaScript, `any`) `options: null` or `clock: {}` failed as a read of null or
 * "clock.now is not a function", naming nothing, and `speech: "yes"` was taken for `true`.
 * Checked before anything is observed: a refused attach leaves the transport untouched.
 */
export function resolveMetricsOptions(
  transport: MeteredTransport,
  options: SessionMetricsOptions,
): ResolvedMetricsOptions {
  // `expectMethods` lets `undefined` through (an option left out): a transport cannot be.
  if (transport === undefined) throw new TypeError(`transport must be ${TRANSPORT}, got undefined`);
  expectMethods(transport, "transport", TRANSPORT_METHODS, TRANSPORT);
  // An array is an object too, and `[]` was taken for no options at all.
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`SessionMetrics options must be an object, got ${kindOf(options)}`);
  }
  // `now` is all the metrics read of a clock (a clock of the transport's kind has more).
  expectMethods(options.clock, "clock", ["now"], "a Clock");
  // A transport of another's making may carry a clock of its own that is none.
  if (options.clock === undefined) {
    expectMethods(transport.clock, "transport.clock", ["now"], "a Clock");
  }
  const { speech = true, lateAfterMs = 5, clock = transport.clock ?? systemClock } = options;
  // An object: a detector's options (checked by the detector itself). A string or a number was
  // taken for `true` (a detector with the defaults), `null` failed inside the detector, and an
  // array was taken for options left out.
  if (
    typeof speech !== "boolean" &&
    (typeof speech !== "object" || speech === null || Array.isArray(speech))
  ) {
    throw new TypeError(
      `speech must be true, false or a speech detector's options, got ${kindOf(speech)}`,
    );
  }
  // `Number.isFinite` takes no string ("5" >= 0 is true): a number of the wrong kind is refused.
  if (!(lateAfterMs >= 0) || !Number.isFinite(lateAfterMs)) {
    throw new RangeError(
      `lateAfterMs must be a finite number >= 0, got ${shownValue(lateAfterMs)}`,
    );
  }
  // Checked here by the path they were given under (`speech.minSpeechMs`): the detector's own
  // checks name its options bare, which under these options could not tell which object was meant.
  const speechOptions = speech === true ? {} : speech;
  if (speechOptions !== false) resolveSpeechOptions(speechOptions, "speech.");
  const detector = speechOptions === false ? undefined : new SpeechDetector(speechOptions);
  return { detector, lateAfterMs, clock };
}
