/**
 * The speech detector's options checked and resolved to values, each refused by the name the user
 * wrote it under: `minSpeechMs` given to a `SpeechDetector`, `speech.minSpeechMs` given as
 * `SessionMetrics`' `speech` option (its `path`). Internal to `speech_detector.ts` and the metrics.
 *
 * @module
 */

import { shownValue } from "../_kind_of.ts";
import { MAX_CHANNELS, MAX_SAMPLE_RATE } from "../audio/_frame_limits.ts";
import type { SpeechDetectorOptions } from "./speech_detector.ts";

/** The shortest and the longest analysis window (`windowMs`), in ms. */
const MIN_WINDOW_MS = 1;
const MAX_WINDOW_MS = 1000;
/**
 * The longest `minSpeechMs`, in ms. Until speech starts, the run that may become it keeps every
 * window of 1.5 × `minSpeechMs` (each may be where it begins: see `_speech_run.ts`), so a
 * `minSpeechMs` of days kept every window after the first loud one, 9 MB per hour of a call,
 * growing without limit. 10 s is far over any wait for speech (pipecat's is 0.2 s) and bounds a
 * run at 30,002 windows (750 kB at the shortest window, 75 kB at the default one).
 */
export const MAX_MIN_SPEECH_MS = 10_000;

/** {@linkcode SpeechDetectorOptions} with every default filled in. */
export type ResolvedSpeechOptions =
  & Required<Omit<SpeechDetectorOptions, "onLevel">>
  & { onLevel: SpeechDetectorOptions["onLevel"] | undefined };

/**
 * `options` checked, with their defaults; a `RangeError` (a `TypeError` for `onLevel`) names the
 * first one wrong as `path` + its name.
 */
export function resolveSpeechOptions(
  options: SpeechDetectorOptions,
  path = "",
): ResolvedSpeechOptions {
  const {
    sampleRate = 16000,
    channels = 1,
    windowMs = 10,
    startDb = 12,
    stopDb = 6,
    minSpeechMs = 200,
    minSilenceMs = 500,
    noiseFloorRiseDbPerSecond = 3,
    minNoiseFloorDb = -60,
    onLevel,
  } = options;
  checkSpeechFormat(sampleRate, channels, path);
  // Bounded: a window under a millisecond sized the quiet hold's ring in billions (the
  // allocator's error, naming nothing), and one of seconds asked a buffer as large at the first
  // push; neither measures speech, whose syllables last tens of milliseconds.
  const inRange = windowMs >= MIN_WINDOW_MS && windowMs <= MAX_WINDOW_MS;
  if (typeof windowMs !== "number" || !inRange) {
    throw new RangeError(
      `${path}windowMs must be from ${MIN_WINDOW_MS} to ${MAX_WINDOW_MS}, got ` +
        shownValue(windowMs),
    );
  }
  positive(`${path}startDb`, startDb);
  positive(`${path}stopDb`, stopDb);
  if (stopDb > startDb) throw thresholdsCrossed(options, path, startDb, stopDb);
  atLeastZero(`${path}minSpeechMs`, minSpeechMs);
  if (minSpeechMs > MAX_MIN_SPEECH_MS) {
    throw new RangeError(
      `${path}minSpeechMs must be at most ${MAX_MIN_SPEECH_MS}, got ${shownValue(minSpeechMs)}`,
    );
  }
  atLeastZero(`${path}minSilenceMs`, minSilenceMs);
  atLeastZero(`${path}noiseFloorRiseDbPerSecond`, noiseFloorRiseDbPerSecond);
  if (!Number.isFinite(minNoiseFloorDb)) {
    throw new RangeError(
      `${path}minNoiseFloorDb must be a finite number, got ${shownValue(minNoiseFloorDb)}`,
    );
  }
  if (onLevel !== undefined && typeof onLevel !== "function") {
    throw new TypeError(`${path}onLevel must be a function, got ${typeof onLevel}`);
  }
  return {
    sampleRate,
    channels,
    windowMs,
    startDb,
    stopDb,
    minSpeechMs,
    minSilenceMs,
    noiseFloorRiseDbPerSecond,
    minNoiseFloorDb,
    onLevel,
  };
}

/** The format of audio pushed to a detector: at its construction, and as a frame brings its own. */
export function checkSpeechFormat(sampleRate: number, channels: number, path = ""): void {
  // An integer, as every other entry of a format asks (`assertPcmFormat`) and the transport's
  // frames always are: a fractional rate is a slip of units or arithmetic, not a real stream.
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(
      `${path}sampleRate must be a positive integer, got ${shownValue(sampleRate)}`,
    );
  }
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new RangeError(`${path}channels must be a positive integer, got ${shownValue(channels)}`);
  }
  // Bounded as every frame is (`_frame_limits.ts`): the window's buffers are sized from the
  // format, so a rate or channel count of 2^40 failed in the runtime's allocator, naming nothing.
  if (sampleRate > MAX_SAMPLE_RATE) {
    throw new RangeError(`${path}sampleRate must be at most ${MAX_SAMPLE_RATE}, got ${sampleRate}`);
  }
  if (channels > MAX_CHANNELS) {
    throw new RangeError(`${path}channels must be at most ${MAX_CHANNELS}, got ${channels}`);
  }
}

/**
 * `stopDb` over `startDb`, told by the one the user set: a `startDb` of 5 alone is under the
 * default `stopDb` (6), and an error about a `stopDb` the user never gave did not say what to do.
 * The default does not follow a lowered `startDb`: `BargeInStream` reads the two as given (their
 * defaults its own) for its hysteresis, and the README promises 12 and 6.
 */
function thresholdsCrossed(
  options: SpeechDetectorOptions,
  path: string,
  startDb: number,
  stopDb: number,
): RangeError {
  if (options.stopDb === undefined) {
    return new RangeError(
      `${path}startDb must be at least the default ${path}stopDb (${stopDb}), got ` +
        `${shownValue(startDb)}: give a ${path}stopDb of at most ${startDb} with it`,
    );
  }
  if (options.startDb === undefined) {
    return new RangeError(
      `${path}stopDb must not exceed the default ${path}startDb (${startDb}), got ` +
        `${shownValue(stopDb)}: give a ${path}startDb of at least ${stopDb} with it`,
    );
  }
  return new RangeError(
    `${path}stopDb must not exceed ${path}startDb (${startDb}), got ${shownValue(stopDb)}`,
  );
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${shownValue(value)}`);
  }
}

function atLeastZero(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number of at least 0, got ${shownValue(value)}`);
  }
}
