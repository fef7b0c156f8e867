/**
 * `simulateCall`'s options with every default filled in and every value checked, once, before
 * the call starts.
 *
 * @module
 */

import { kindOf, shownValue } from "../_kind_of.ts";
import { isKeypadDigit } from "../_keypad_digits.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { WebSocketLike } from "../socket.ts";
import { expectMethods } from "../transport_options.ts";
import { type GateNames, OPTION_NAMES } from "./_gate_names.ts";
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
  /** What the call's words (its ending's detail) call these options: as given, or as flags. */
  names: GateNames;
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`${name} must be a non-negative number, got ${shownValue(value)}`);
  }
  return value;
}

/**
 * A whole number, 0 or more, or `Infinity` (no bound); throws a `RangeError` naming it `name`.
 * A fraction is refused: taken, it counted as the next whole number up (`count: 1.5` barged in
 * twice).
 */
function wholeCount(value: number, name: string): number {
  if (
    typeof value !== "number" || !((Number.isInteger(value) && value >= 0) || value === Infinity)
  ) {
    throw new RangeError(
      `${name} must be a whole number (0 or more) or Infinity, got ${shownValue(value)}`,
    );
  }
  return value;
}

/** Above 0 (`Infinity` too); throws a `RangeError` naming it `name`. */
function aboveZero(value: number, name: string): number {
  if (typeof value !== "number" || !(value > 0)) {
    throw new RangeError(`${name} must be above 0, got ${shownValue(value)}`);
  }
  return value;
}

/**
 * `value` or, absent, `fallback`; throws a `TypeError` naming it `name` unless it is a boolean:
 * `"false"` or `0` would otherwise pass for true or false by whether they are truthy.
 */
function flag(value: boolean | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(`${name} must be true or false, got ${kindOf(value)}`);
  }
  return value;
}

/** Throws a `TypeError` naming it `name` unless `value` is absent or an object (no array). */
function expectObject(value: unknown, name: string, what: string): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be ${what}, got ${kindOf(value)}`);
  }
}

/** The platform's details that go into its messages as text, ids first. */
const PLATFORM_TEXTS = [
  "callId",
  "streamId",
  "from",
  "to",
  "encoding",
  "playbackEncoding",
] as const;

/**
 * `platform`: an object whose texts are strings (ids not empty), whose `dtmfDetection` and
 * `inputVariables` are true or false and whose custom parameters are an object of strings. A
 * number went into the platform's messages as a number, a string of custom parameters was spread
 * into one parameter per character, and an encoding that is no string failed as "toUpperCase is
 * not a function". Which rates and encodings are taken is the far end's to judge: it knows the
 * platform's.
 */
function checkPlatform(platform: unknown): void {
  expectObject(platform, "platform", "an object of the platform's details");
  if (platform === undefined) return;
  const details = platform as Record<string, unknown>;
  for (const key of PLATFORM_TEXTS) {
    const value = details[key];
    if (value === undefined) continue;
    const id = key === "callId" || key === "streamId";
    const what = id ? "a non-empty string" : "a string";
    if (typeof value !== "string") {
      throw new TypeError(`platform.${key} must be ${what}, got ${kindOf(value)}`);
    }
    // An empty id would go out as the call's or stream's id, which no platform sends.
    if (id && value === "") throw new RangeError(`platform.${key} must be ${what}, got ""`);
  }
  // The string "false" (from a config file, say) would have left keypresses on, without a word.
  flag(details.dtmfDetection as boolean | undefined, "platform.dtmfDetection", true);
  // Likewise "false" would have sent them.
  flag(details.inputVariables as boolean | undefined, "platform.inputVariables", true);
  const parameters = details.customParameters;
  expectObject(parameters, "platform.customParameters", "an object of strings");
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (typeof value !== "string") {
      throw new TypeError(
        `platform.customParameters.${name} must be a string, got ${kindOf(value)}`,
      );
    }
  }
}

/** `audio`: a WAV file's bytes, or PCM16 (bytes or a stream of them) with its rate. */
function checkAudio(audio: unknown): void {
  if (audio === undefined || audio instanceof Uint8Array) return;
  const pcm = (audio as { pcm?: unknown } | null)?.pcm;
  if (!(pcm instanceof Uint8Array) && typeof (pcm as ReadableStream)?.getReader !== "function") {
    throw new TypeError(
      `audio must be a WAV file's bytes (a Uint8Array) or { pcm, sampleRate }, got ${
        kindOf(audio)
      }`,
    );
  }
}

/** `dtmf`: an array of presses, each a digit of the keypad at a time of the caller's audio. */
function checkDtmf(dtmf: unknown): { atMs: number; digit: string }[] {
  if (!Array.isArray(dtmf)) {
    throw new TypeError(`dtmf must be an array of { atMs, digit }, got ${kindOf(dtmf)}`);
  }
  dtmf.forEach((press: unknown, i) => {
    expectObject(press ?? null, `dtmf[${i}]`, "an object { atMs, digit }");
    const { atMs, digit } = press as { atMs: unknown; digit: unknown };
    // A number is no keypad digit, though its text may be one: it would go to the far end as one.
    if (typeof digit !== "string" || !isKeypadDigit(digit)) {
      const got = typeof digit === "string" ? JSON.stringify(digit) : kindOf(digit);
      throw new RangeError(`dtmf digits are 0-9, *, # and A-D, got ${got}`);
    }
    nonNegative(atMs as number, "dtmf atMs");
  });
  return dtmf;
}

/**
 * `value` as a speech threshold: a level in dBFS above -100, at most 0. Throws a `RangeError`
 * naming it `name` (the option, or the CLI's flag) and showing `given` (what was typed).
 */
export function speechThreshold(value: number, name: string, given: unknown = value): number {
  if (typeof value !== "number" || !(value <= 0 && value > -100)) {
    throw new RangeError(
      `${name} must be a level in dBFS from -100 (exclusive) to 0, got ${
        typeof value === "number" ? given : kindOf(value)
      }`,
    );
  }
  return value;
}

/**
 * Fills in defaults; throws a `RangeError`/`TypeError` naming the first bad value. The call's
 * ending names its options as `names` do (the options, or the CLI's flags).
 */
export function resolveCallOptions(
  options: SimulateCallOptions,
  names: GateNames = OPTION_NAMES,
): ResolvedCallOptions {
  // Numbers as numbers: a string such as "2" passed `speed > 0`, then was no finite speed (the
  // caller waited on its stream as at Infinity), and "500" as a barge-in's length was joined to
  // times as text. Booleans as booleans: `waitForBotHangUp: "no"` waited for the bot.
  const speed = aboveZero(options.speed ?? 1, "speed");
  const record = flag(options.record, "record", false);
  if (record && speed !== 1) {
    // The recording is the call's own timeline, where both parties' audio plays at its length.
    throw new RangeError(`record needs speed 1 (the call as it was heard), got ${speed}`);
  }
  const waitForBotHangUp = flag(options.waitForBotHangUp, "waitForBotHangUp", false);
  const dtmf = checkDtmf(options.dtmf ?? []);
  assertSpeechSegments(options.speechSegments ?? [], "speechSegments");
  checkAudio(options.audio);
  checkPlatform(options.platform);
  const bargeIn = options.bargeIn;
  expectObject(bargeIn, "bargeIn", "an object { afterMs, durationMs?, count? }");
  if (bargeIn) {
    nonNegative(bargeIn.afterMs, "bargeIn.afterMs");
    if (bargeIn.durationMs !== undefined) aboveZero(bargeIn.durationMs, "bargeIn.durationMs");
    if (bargeIn.count !== undefined) wholeCount(bargeIn.count, "bargeIn.count");
  }
  // A clock or signal of the wrong kind failed inside the call ("now is not a function").
  expectMethods(options.clock, "clock", ["now", "sleep"], "a Clock");
  expectMethods(
    options.signal,
    "signal",
    ["addEventListener", "removeEventListener"],
    "an AbortSignal",
  );
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
    waitForBotHangUp,
    lingerMs: nonNegative(options.lingerMs ?? 3000, "lingerMs"),
    maxDurationMs: nonNegative(options.maxDurationMs ?? 300_000, "maxDurationMs"),
    bargeIn: bargeIn
      ? {
        afterMs: bargeIn.afterMs,
        durationMs: bargeIn.durationMs ?? 1200,
        count: bargeIn.count ?? Infinity,
      }
      : undefined,
    record,
    maxUnderrunMs: nonNegative(options.maxUnderrunMs ?? 1000, "maxUnderrunMs"),
    earlyMs: nonNegative(options.earlyMs ?? 1000, "earlyMs"),
    progressIntervalMs,
    onProgress: options.onProgress,
    signal: options.signal,
    names,
  };
}
