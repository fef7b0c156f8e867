/**
 * `simulateCall`: call a bot's WebSocket as a telephony platform (or a pipecat client) would,
 * without a phone.
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import type { WebSocketLike } from "../socket.ts";
import type { CallProgress } from "./_call_options.ts";
import { OPTION_NAMES } from "./_gate_names.ts";
import { simulateCallNaming } from "./_simulate_call.ts";
import type { CallerAudioSource, SpeechSegment } from "./caller_audio.ts";
import type { FarEndFactory, FarEndOptions } from "./far_end.ts";
import type { CallReport } from "./report.ts";

export type { CallProgress } from "./_call_options.ts";
// With the types `Clock` names (its `timer`): the entry point's own doc lint
// (`deno doc --lint src/simulator/mod.ts`) found them private, as nothing here exported them.
export type { Clock, ClockTimer, ClockTimerOptions } from "../clock.ts";
export type { WebSocketLike } from "../socket.ts";

/** The caller speaking over the bot. */
export interface BargeInOptions {
  /** How far into each of the bot's answers (after it starts playing) the caller cuts in, in ms. */
  afterMs: number;
  /**
   * How long the caller then speaks, in ms.
   *
   * @default {1200}
   */
  durationMs?: number;
  /**
   * Barge in on this many answers at most (a whole number, or `Infinity`). The bot's answer to a
   * barge-in (its first sound after it, no utterance of the caller's between) is not barged in on:
   * the caller listens to it. Nor is a barge-in started over the caller's own words, nor, where
   * its speech is known (segments), into its next ones (with speech only detected, what comes
   * next is not known).
   *
   * @default {Infinity}
   */
  count?: number;
}

/** A keypad press. */
export interface DtmfPress {
  /** When, in ms of the caller's audio. */
  atMs: number;
  /** `0`-`9`, `*`, `#` or `A`-`D`. */
  digit: string;
}

/**
 * The part of a `SessionMetricsSnapshot` that {@linkcode SimulateCallOptions.sessionMetrics}
 * needs: a whole snapshot fits.
 */
export interface SessionUnderrunFigures {
  /** The bot's side of the session. */
  outbound: { underruns: number; underrunMs: number };
}

/** Options for {@linkcode simulateCall}. */
export interface SimulateCallOptions {
  /**
   * The platform to be: a name from {@linkcode FAR_ENDS} (`"twilio"`, `"telnyx"`, `"plivo"`,
   * `"exotel"`, `"vonage"`, `"genesys"`, `"pipecat"`, `"raw"`) or a factory of your own.
   */
  protocol: string | FarEndFactory;
  /**
   * The platform's details: call and stream ids, custom parameters, numbers, rate, encoding.
   *
   * @default {{}}
   */
  platform?: FarEndOptions;
  /**
   * What the caller says: a WAV file's bytes, or PCM16 (whole or streamed).
   *
   * @default {syntheticCaller()}
   */
  audio?: CallerAudioSource;
  /**
   * Where the speech is in `audio`, in ms of the audio; found by an energy detector when not
   * given (and not given with the audio). Each segment is one utterance: segments that overlap,
   * or one that ends after audio of known length (a WAV file, whole PCM), are refused with a
   * `RangeError`.
   *
   * @default {undefined}
   */
  speechSegments?: SpeechSegment[];
  /**
   * Audio (and sound from the bot) above this RMS level about its mean (a DC offset, such as
   * μ-law zero bytes, is silence), in dBFS, for 20 ms in a row, counts as speech. A bot that
   * plays background audio (ambience, hold music) under its speech needs this above the
   * background's level, else the bot counts as talking all the time: no answer is told from the
   * background, and the caller never hears the silence it waits for to hang up. ConversationRelay's
   * simulated speech recognizer hears the caller's speech by it too.
   *
   * @default {-45}
   */
  speechThresholdDbfs?: number;
  /**
   * How fast the caller's audio is sent: 1 is real time; 2 twice as fast (for CI); `Infinity`
   * as fast as the socket takes it. The far end still plays the bot's audio at its real rate, and
   * the silence after the caller's audio goes in real time. At `Infinity` all of the caller's
   * utterances end at the call's start, so their response latencies and which answer belongs to
   * which mean nothing, and the report gives none: use it to load a bot, a finite speed to time
   * one.
   *
   * @default {1}
   */
  speed?: number;
  /**
   * Keypad presses, at times of the caller's audio.
   *
   * @default {[]}
   */
  dtmf?: DtmfPress[];
  /**
   * The caller hangs up at this time of the caller's audio, to the millisecond: a frame the
   * hang-up falls within is not sent (a platform sends whole frames), so the audio sent may end
   * up to a frame before it.
   *
   * @default {undefined}
   */
  hangUpAtMs?: number;
  /**
   * Never hang up: wait for the bot to end the call (bounded by `maxDurationMs`).
   *
   * @default {false}
   */
  waitForBotHangUp?: boolean;
  /**
   * Without `hangUpAtMs`: once the caller's audio has ended, hang up after the bot has been
   * silent this long, counted from the end of the audio or of the bot's last sound, whichever is
   * later (so the bot always has this long to answer the caller's last words).
   *
   * @default {3000}
   */
  lingerMs?: number;
  /**
   * The longest the call may last; the caller hangs up then.
   *
   * @default {300000}
   */
  maxDurationMs?: number;
  /**
   * Make the caller speak over the bot `afterMs` into each of its answers (not into its answer to
   * a barge-in: see {@linkcode BargeInOptions.count}).
   *
   * @default {undefined}
   */
  bargeIn?: BargeInOptions;
  /**
   * Record the call: the report's `recording` is then a stereo WAV (left: the caller, right:
   * what the caller heard), once the socket has opened. Only at `speed` 1: the recording is the
   * call's own timeline.
   *
   * @default {false}
   */
  record?: boolean;
  /**
   * The far end's buffer running dry and refilled within this long is an underrun, a gap the
   * caller heard inside the bot's reply; a longer silence ends the reply, as does a clear or the
   * caller beginning to speak (what follows answers them). The platform's side sees no reply
   * boundaries, only audio, clears and marks (placed wherever the bot chose), so silence and the
   * caller's turns are what tell a reply's end from a gap.
   *
   * @default {1000}
   */
  maxUnderrunMs?: number;
  /**
   * The bot's own metrics, for a bot on this package's transport in this process (a test): a
   * function called once, when the call is over, that returns its session's
   * `SessionMetrics.snapshot()` (or `undefined` when it has none, e.g. `() => metrics?.snapshot()`).
   * The report gives its underruns, by the transport's playout estimate, beside those the far end
   * heard (`transportUnderruns`); the wire does not carry them, so without it they are `null`.
   * One that throws, or returns figures that are not numbers of 0 or more, rejects the call with a
   * `TypeError`.
   *
   * @default {undefined}
   */
  sessionMetrics?: () => SessionUnderrunFigures | undefined;
  /**
   * Bot audio arriving more than this far ahead of its playing time counts as early.
   *
   * @default {1000}
   */
  earlyMs?: number;
  /**
   * How long the WebSocket may take to open; never longer than `maxDurationMs`, which bounds the
   * whole call.
   *
   * @default {10000}
   */
  connectTimeoutMs?: number;
  /**
   * Makes the WebSocket, offering the platform's subprotocols (Asterisk `media`, jambonz
   * `audio.jambonz.org`, …) where it has any; the standard `WebSocket` by default. Give one to
   * add headers, use another client, or count messages in a test. A bot that never answers the
   * caller's close is dropped after 2 s by the socket's `terminate()`, or on Deno by closing the
   * standard `WebSocket`'s connection; a socket with neither stays open until the bot lets go.
   *
   * @default {(url, protocols) => new WebSocket(url, protocols)}
   */
  connect?: (url: string, protocols?: string[]) => WebSocketLike;
  /**
   * The time source (tests inject a `FakeClock` shared with the bot).
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Called about once per `progressIntervalMs` of the call with how it is going.
   *
   * @default {undefined}
   */
  onProgress?: (progress: CallProgress) => void;
  /**
   * How often `onProgress` is called, in ms of the call.
   *
   * @default {1000}
   */
  progressIntervalMs?: number;
  /**
   * Aborting it hangs up at once; the report says so.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * Calls the bot at `url` as the chosen platform does and reports what the caller lived: it
 * connects, sends the platform's opening messages (Twilio's `connected` and `start`, Genesys's
 * `open`, the pipecat client's `client-ready`, …), then the caller's audio encoded and framed as
 * the platform does (20 ms μ-law for Twilio, 100 ms PCM for Exotel, 200 ms PCMU for Genesys, …)
 * in real time (or faster), with keypad presses and barge-ins when asked. The bot's audio plays
 * into a simulated far-end buffer at the platform's rate: clears empty it at once, marks are
 * acknowledged when the audio before them has played, and the platform's documented limits are
 * enforced and reported. The call ends when the caller hangs up (at `hangUpAtMs`, or after the
 * audio and `lingerMs` of quiet), when the bot hangs up, or at `maxDurationMs`.
 *
 * The returned {@linkcode CallReport} has the time to first bot audio, each utterance's response
 * latency (and, when the bot ended the call first, the utterances the caller never got to say:
 * `notReached`), each barge-in's stop latency and stale audio, the underruns the caller heard (beside
 * the bot transport's own count, given `sessionMetrics`), late or early chunks, violations, marks
 * and how the call ended; `formatReport` prints it. The promise rejects only for bad options
 * (`RangeError`, `TypeError`); a bot that cannot be reached gives a report whose `ended.by` is
 * `"error"`. `url` is a WebSocket URL, as the command line takes it: `ws://` or `wss://`, with no
 * `#fragment`; another (`http://…`, one the URL parser refuses) is a bad option, a `RangeError`,
 * unless `connect` is your own, which dials whatever it is given. An ending's detail names the option that ended the call, where one did
 * (`the call reached maxDurationMs (3000 ms)`); the CLI's names its flag (`--max-duration`).
 *
 * @example A Twilio call to a bot that beeps once it has heard half a second
 * ```ts
 * import { simulateCall, syntheticCaller } from "@x/ws-transport/simulator";
 * import { upgrade } from "@x/ws-transport/deno";
 * import { TwilioSerializer } from "@x/ws-transport/twilio";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
 *   const { transport, response } = await upgrade(request, { serializer: new TwilioSerializer() });
 *   if (!transport) return response;
 *   (async () => {
 *     const writer = transport.writable.getWriter();
 *     let heard = 0;
 *     for await (const frame of transport.readable) {
 *       if (frame.type !== "audio" || heard >= 16000 || (heard += frame.audio.length) < 16000) continue;
 *       const beep = new Int16Array(4800).map((_, i) => 8000 * Math.sin(i / 5.8)); // 300 ms
 *       await writer.write({ type: "audio", audio: new Uint8Array(beep.buffer), sampleRate: 16000, channels: 1 });
 *     }
 *   })().catch(() => {});
 *   return response;
 * });
 *
 * const report = await simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
 *   protocol: "twilio",
 *   audio: syntheticCaller({ utterancesMs: [400], pauseMs: 200 }),
 *   hangUpAtMs: 1200,
 * });
 * assert.equal(report.ended.by, "caller");
 * assert.deepEqual(report.violations, []);
 * assert.ok(report.firstAudibleMs! >= 500); // the beep, after half a second of caller audio
 * await server.shutdown();
 * ```
 */
export function simulateCall(
  url: string | URL,
  options: SimulateCallOptions,
): Promise<CallReport> {
  return simulateCallNaming(url, options, OPTION_NAMES);
}
