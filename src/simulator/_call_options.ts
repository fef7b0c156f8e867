/**
 * `simulateCall`'s options with every default filled in and every value checked, once, before
 * the call starts.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import type { WebSocketLike } from "../socket.ts";
import { assertSpeechSegments } from "./_speech_segments.ts";
import type { SpeechSegment } from "./caller_audio.ts";
import type { BargeInOptions, SimulateCallOptions } from "./simulate_call.ts";

/** What a progress callback is told, about once per `progressIntervalMs` of the call. */
export interface CallProgress {
  /** Milliseconds since the call started. */
  atMs: number;
  /** Milliseconds of caller audio sent. */
  callerAudioMs: number;
  /** Milliseconds of bot audio the caller has heard. */
  heardMs: number;
  /** Caller utterances so far. */
  utterances: number;
  /** Whether the bot is audibly speaking now. */
  botSpeaking: boolean;
  /** Protocol violations so far. */
  violations: number;
  /** Marks acknowledged so far. */
  marksAcked: number;
}

/** The options as the call uses them. */
export interface ResolvedCallOptions {
  clock: Clock;
  connect: (url: string, protocols?: string[]) => WebSocketLike;
  connectTimeoutMs: number;
  speed: number;
  speechSegments: SpeechSegment[] | undefined;
  speechThresholdDbfs: number;
  dtmf: { atMs: number; digit: string }[];
  hangUpAtMs: number | undefined;
  waitForBotHangUp: boolean;
  lingerMs: number;
  maxDurationMs: number;
  bargeIn: Required<BargeInOptions> | undefined;
  record: boolean;
  maxUnderrunMs: number;
  earlyMs: number;
  progressIntervalMs: number;
  onProgress: ((progress: CallProgress) => void) | undefined;
  signal: AbortSignal | undefined;
}

const DTMF_DIGIT = /^[0-9*#A-D]$/;

function nonNegative(value: number, name: string): number {
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  }
  return value;
}

/**
 * `value` as a speech threshold: a level in dBFS above -100, at most 0. Throws a `RangeError`
 * naming it `name` (the option, or the CLI's flag) and showing `given` (what was typed).
 */
export function speechThreshold(value: number, name: string, given: unknown = value): number {
  if (!(value <= 0 && value > -100)) {
    throw new RangeError(
      `${name} must be a level in dBFS from -100 (exclusive) to 0, got ${given}`,
    );
  }
  return value;
}

/** Fills in defaults; throws a `RangeError`/`TypeError` naming the first bad value. */
export function resolveCallOptions(options: SimulateCallOptions): ResolvedCallOptions {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`speed must be above 0, got ${speed}`);
  if (options.record && speed !== 1) {
    // The recording is the call's own timeline, where both parties' audio plays at its length.
    throw new RangeError(`record needs speed 1 (the call as it was heard), got ${speed}`);
  }
  const dtmf = options.dtmf ?? [];
  for (const press of dtmf) {
    if (!DTMF_DIGIT.test(press.digit)) {
      throw new RangeError(`dtmf digits are 0-9, *, # and A-D, got ${JSON.stringify(press.digit)}`);
    }
    nonNegative(press.atMs, "dtmf atMs");
  }
  assertSpeechSegments(options.speechSegments ?? [], "speechSegments");
  const bargeIn = options.bargeIn;
  if (bargeIn) {
    nonNegative(bargeIn.afterMs, "bargeIn.afterMs");
    if (bargeIn.durationMs !== undefined && !(bargeIn.durationMs > 0)) {
      throw new RangeError(`bargeIn.durationMs must be above 0, got ${bargeIn.durationMs}`);
    }
    if (bargeIn.count !== undefined) nonNegative(bargeIn.count, "bargeIn.count");
  }
  if (options.hangUpAtMs !== undefined) nonNegative(options.hangUpAtMs, "hangUpAtMs");
  const callbacks = { connect: options.connect, onProgress: options.onProgress };
  for (const [name, callback] of Object.entries(callbacks)) {
    if (callback !== undefined && typeof callback !== "function") {
      throw new TypeError(`${name} must be a function, got ${typeof callback}`);
    }
  }
  const progressIntervalMs = nonNegative(options.progressIntervalMs ?? 1000, "progressIntervalMs");
  const speechThresholdDbfs = speechThreshold(
    options.speechThresholdDbfs ?? -45,
    "speechThresholdDbfs",
  );
  return {
    clock: options.clock ?? systemClock,
    connect: options.connect ?? ((url, protocols) => new WebSocket(url, protocols)),
    connectTimeoutMs: nonNegative(options.connectTimeoutMs ?? 10_000, "connectTimeoutMs"),
    speed,
    speechSegments: options.speechSegments,
    speechThresholdDbfs,
    dtmf,
    hangUpAtMs: options.hangUpAtMs,
    waitForBotHangUp: options.waitForBotHangUp ?? false,
    lingerMs: nonNegative(options.lingerMs ?? 3000, "lingerMs"),
    maxDurationMs: nonNegative(options.maxDurationMs ?? 300_000, "maxDurationMs"),
    bargeIn: bargeIn
      ? {
        afterMs: bargeIn.afterMs,
        durationMs: bargeIn.durationMs ?? 1200,
        count: bargeIn.count ?? Infinity,
      }
      : undefined,
    record: options.record ?? false,
    maxUnderrunMs: nonNegative(options.maxUnderrunMs ?? 1000, "maxUnderrunMs"),
    earlyMs: nonNegative(options.earlyMs ?? 1000, "earlyMs"),
    progressIntervalMs,
    onProgress: options.onProgress,
    signal: options.signal,
  };
}
