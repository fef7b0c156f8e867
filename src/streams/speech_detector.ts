/**
 * The push-style core of {@linkcode SpeechDetectorStream}: tells when someone starts and stops
 * talking in inbound PCM16 audio, from its short-term energy against an adaptive noise floor.
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";
import { KeypadTones } from "./_keypad_tones.ts";
import { ROUNDING_MS, SpeechRun } from "./_speech_run.ts";
import { assertAudioBytes } from "./_audio_bytes.ts";
import { checkSpeechFormat, resolveSpeechOptions } from "./_speech_detector_options.ts";

/** Speech began: `atMs` is where, on the audio's own timeline (samples pushed, not wall time). */
export interface SpeechStartEvent {
  /** Discriminant. */
  type: "speechstart";
  /** Where the speech began, in ms of audio since the first sample pushed. */
  atMs: number;
  /** The loudest analysis window so far, in dBFS. */
  levelDb: number;
  /** The noise floor the speech stood out from, in dBFS. */
  noiseFloorDb: number;
}

/** Speech ended: `atMs` is where the silence that ended it began. */
export interface SpeechStopEvent {
  /** Discriminant. */
  type: "speechstop";
  /** Where the speech ended, in ms of audio since the first sample pushed. */
  atMs: number;
  /** How long the speech lasted: `atMs` minus the start's `atMs`. */
  durationMs: number;
  /** The loudest analysis window of the speech, in dBFS. */
  levelDb: number;
  /** The noise floor at the end, in dBFS. */
  noiseFloorDb: number;
}

/** What {@linkcode SpeechDetector} reports. */
export type SpeechEvent = SpeechStartEvent | SpeechStopEvent;

/** Options for {@linkcode SpeechDetector}. */
export interface SpeechDetectorOptions {
  /**
   * The sample rate of audio pushed as bare bytes (an audio frame brings its own): an integer
   * up to 384,000, as any frame's.
   *
   * @default {16000} the transport's default inbound rate.
   */
  sampleRate?: number;
  /**
   * The channel count of audio pushed as bare bytes (all channels are measured together): up to
   * 32, as any frame's.
   *
   * @default {1}
   */
  channels?: number;
  /**
   * The analysis window, in ms: energy is measured per window, and event times are exact to one.
   * Keypad tones are told from speech in windows of 8 ms and more, a digit up to 1.5 % off its
   * frequency (ITU-T Q.24) too, and most up to 2 % off: in a shorter one speech reads as the
   * keypad's tones, so they are not tested there and start speech as any sound does.
   *
   * From 1 to 1,000.
   *
   * @default {10} fine enough to time a barge-in, long enough for a steady estimate (80 samples
   * at 8 kHz).
   */
  windowMs?: number;
  /**
   * How far above the noise floor a window must be to begin speech, in dB.
   *
   * @default {12} speech stands 15 to 30 dB above a line's noise; noise itself wanders by 1 to 2.
   */
  startDb?: number;
  /**
   * How far above the noise floor a window must stay for speech to go on, in dB (the hysteresis:
   * below `startDb`, so trailing syllables do not cut an utterance in pieces). At most `startDb`:
   * a `startDb` under 6 needs a `stopDb` given with it (the default does not follow it down).
   *
   * @default {6}
   */
  stopDb?: number;
  /**
   * How long speech must last before `speechstart` is reported (its `atMs` is still where it
   * began): sound that began `startDb` over the floor, `stopDb` over it for at least 70 % of that
   * time (the rest: the dips of consonants and short pauses between words).
   *
   * From 0 to 10,000: until speech starts, every window of 1.5 times this is kept (each may be
   * where speech began), so it is bounded, as memory must be.
   *
   * @default {200} pipecat's VAD default start time: clicks, pops and shorter noises stay below
   * (a short cough too; a loud cough of 250 ms or more on a quiet line sounds long enough).
   */
  minSpeechMs?: number;
  /**
   * How long a silence must last before `speechstop` is reported.
   *
   * @default {500} longer than the pauses between words, so one utterance is one start and stop.
   */
  minSilenceMs?: number;
  /**
   * How fast the noise floor may rise, in dB per second (it falls at once to a level `stopDb`
   * quieter that has held for 30 ms, and follows smaller changes of the line's mean power within
   * about 300 ms).
   *
   * @default {3} follows a fan or a car speeding up; a second of speech lifts it by 3 dB at most,
   * well under `startDb`.
   */
  noiseFloorRiseDbPerSecond?: number;
  /**
   * The lowest the noise floor goes, in dBFS: a line that begins in digital silence, or a very
   * quiet one, would otherwise pull it to nothing and make the faintest hiss speech.
   *
   * @default {-60} speech must then reach -48 dBFS; telephone speech sits near -20 to -30.
   */
  minNoiseFloorDb?: number;
  /**
   * Called with each analysis window as it is judged: its level and the noise floor it was judged
   * against, in dBFS (`-Infinity` for digital silence), and where it began and how long it is, in
   * ms of audio. For a level meter, or a test of your own while speech goes on (a
   * `BargeInStream` with `minLevelAboveFloorDb` uses it to hear a caller grow louder than the
   * bot's echo). An exception thrown here escapes `push`, as one in `emit` does (once the audio
   * pushed is measured: see {@linkcode SpeechDetector.push}).
   *
   * @default {undefined}
   */
  onLevel?: (levelDb: number, noiseFloorDb: number, atMs: number, durationMs: number) => void;
}

const FULL_SCALE_SQUARED = 32768 * 32768;
const DB_PER_NEPER = 10 / Math.LN10;
const SILENT_DB = -120;
const EMPTY = new Uint8Array(0);
/**
 * How long a level `stopDb` quieter must hold, in consecutive windows of sound, before the floor
 * falls to it at once (and how long, in a silence, sound must be loud on average to go on with
 * the speech). A lost packet resampled to the inbound rate is not all zeros: the filter rings
 * down through a window or two (20 ms of loss at 8 kHz heard at 16 kHz: windows 15 and 26 dB
 * under the line's noise), which must not count; a real drop of noise must be followed at once,
 * even by speech whose first pause (40 ms between syllables) comes right after it.
 */
const QUIET_HOLD_MS = 30;
/**
 * How long the floor the first window set stays a guess that a pause of digital silence may
 * replace with `minNoiseFloorDb`, in ms from that window. A sound at the first sample, then exact
 * zeros, is either speech whose pauses are digital silence (a trimmed TTS file, a μ-law or DTX
 * line) or a line's noise cut by a loss or a mute: energy alone cannot tell them apart. Read as
 * noise, speech is never heard (its level is the floor and the floor never falls: the whole call
 * lost); read as speech, the noise is heard as speech for a few seconds once, as after a silent
 * start. So early on a pause of zeros is taken for speech's (a line muted or cut that early is
 * taken as one that began muted); later the floor has followed the line long enough that zeros say
 * nothing of it (a line muted at 2 s keeps its floor). Speech from the first sample whose first
 * pause of zeros comes later still is heard only from a pause that is not zeros.
 */
const FIRST_GUESS_MS = 1500;
/**
 * How long the floor takes to follow the line's mean power when it changes by less than `stopDb`,
 * in ms: long enough that a rough noise's dips and swells average out (its 10 ms windows spread
 * over 12 dB), short enough to follow a fan speeding up or slowing down.
 */
const FOLLOW_MS = 300;
/**
 * A speech detector for PCM16 little-endian audio (any rate, any channel count): short-term
 * energy per window (each channel's mean over the window taken out, so a DC offset is no sound)
 * against an adaptive noise floor, with hysteresis (a start threshold above a stop threshold), a
 * minimum speech duration before `speechstart` and a minimum silence before `speechstop`. Times
 * are on the audio's own timeline, counted in samples, so they do not depend on when the audio
 * arrived.
 *
 * The floor starts at the first window's level: speech that begins with the very first sample is
 * detected from its first pause on (a pause of digital silence counts if it lasts `minSilenceMs`
 * and begins in the first 1.5 s). It follows the line's mean power, not its quietest moments, so
 * that a rough noise (a rumble, a fan, traffic: pink or brown) is judged as fairly as a hiss. A
 * steady noise that appears suddenly reads as speech until the floor has risen to it (about 5 s
 * for a 20 dB step at the default rate, white, pink or brown). It is an energy detector, not a
 * voice model: loud non-speech (music, a door) is speech to it. At the default settings speech is
 * heard reliably 20 dB over the line's noise (its active level against the noise's RMS, white
 * noise in the telephone band); from 7 to 20 dB it depends on the speech: a short phrase with soft
 * consonants is lost first (under 16 to 18 dB), a loud sentence of a few seconds is heard down to
 * 7; in fluent talk the floor creeps up into the speech (it cannot tell a sentence's level from a
 * noise that rose, and the dips between words pull it back only part of the way), so half a minute
 * of it 10 dB over the noise may drop out after 10 s or so. Under 6 dB, nothing is heard.
 *
 * Digital silence (a window whose samples are all exactly zero: a lost packet the transport
 * filled, counted in `stats.inboundMediaGapsFilled`, or a μ-law line muted) is silence that leaves
 * the floor where it was (at a call's start, or as a pause of `minSilenceMs` in its first 1.5 s,
 * it sets it to `minNoiseFloorDb`, so that speech after it stands out), and the floor falls at
 * once only to a quieter level that has held for 30 ms, not to any quieter window: else one lost
 * packet on a noisy line would pull the floor down to `minNoiseFloorDb`, and the line's own noise
 * would read as speech for seconds (a false barge-in). An A-law line muted is not zeros (its idle
 * code decodes to ±8): to the detector it is a very quiet line, and noise coming back after it
 * reads as speech for a few seconds, as any sudden noise does.
 *
 * Keypad tones (DTMF: a caller typing a PIN) are not speech: a window whose energy is nearly all
 * in one tone of the keypad's low group and one of its high group counts as quiet while speech has
 * not begun (a voice no louder than the tones is masked by them where they hold nearly all of a
 * window). Once speech is under way they go on with it, as any sound does. This needs windows of
 * 8 ms and more (`windowMs`, 10 by default; in a shorter one speech reads as the tones) and a rate
 * over twice the keypad's highest filter (3,290.5 Hz); elsewhere the tones are sound like any other.
 *
 * @example A 300 ms tone burst in quiet noise
 * ```ts
 * import { SpeechDetector, type SpeechEvent } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * // One second of 8 kHz mono: noise at about -60 dBFS, a -20 dBFS tone from 400 to 700 ms.
 * const samples = new Int16Array(8000).map((_, i) =>
 *   (Math.random() - 0.5) * 60 + (i >= 3200 && i < 5600 ? 3000 * Math.sin(i / 3) : 0)
 * );
 * const detector = new SpeechDetector({ sampleRate: 8000, minSilenceMs: 200 });
 * const events: SpeechEvent[] = [];
 * detector.push(new Uint8Array(samples.buffer), (event) => events.push(event));
 * assert.deepEqual(events.map((e) => [e.type, e.atMs]), [["speechstart", 400], ["speechstop", 700]]);
 * ```
 */
export class SpeechDetector {
  readonly #byteRate: number;
  readonly #byteChannels: number;
  readonly #windowMs: number;
  readonly #startDb: number;
  readonly #stopDb: number;
  readonly #minSpeechMs: number;
  readonly #minSilenceMs: number;
  readonly #riseDbPerMs: number;
  readonly #minFloorDb: number;
  readonly #onLevel: SpeechDetectorOptions["onLevel"];
  /** The levels of the last windows of sound (QUIET_HOLD_MS of them), a ring. */
  readonly #recentDb: Float64Array;

  // The format being measured, and the time its first sample stands at.
  #rate = 0;
  #channels = 0;
  #windowSamples = 0;
  #originMs = 0;
  #frames = 0;
  // The window being filled: the sum of its samples' squares, and of its samples per channel (to
  // take each channel's mean out: see #window), allocated once per format.
  #sum = 0;
  #channelSums = new Float64Array(0);
  #samples = 0;
  #carry = -1;
  // Where the window's samples are, for the test of a keypad tone (see #keypadTone): those of
  // earlier pushes (and a sample split across two) kept here, then this push's bytes.
  #held = new Int16Array(0);
  #heldCount = 0;
  #bytes: Uint8Array = EMPTY;
  #bytesFrom = 0;
  #bytesTo = 0;
  /** The test of a keypad tone at this rate and window (see _keypad_tones.ts). */
  #keypad = KeypadTones.NONE;
  /** The window's samples, channels summed, for that test. */
  #mixed = new Float64Array(0);
  /** Whether a window is being judged: its samples are where #keypadTone reads them. */
  #judging = false;
  /** The test of a keypad tone, for the run (made once: it is handed over at every window). */
  readonly #keypadToneTest = () => this.#keypadTone();

  #floorDb: number | undefined;
  /** Until when a pause of digital silence may replace the first window's floor. */
  #guessUntilMs = -Infinity;
  // A run of digital silence, which may be that pause.
  #zerosStartMs = 0;
  #zerosMs = 0;
  #recentCount = 0;
  #recentNext = 0;
  #speaking = false;
  /** The windows since one over startDb that may become speech. */
  readonly #run: SpeechRun;
  // Speech under way, and a silence that may end it.
  #speechStartMs = 0;
  #speechPeakDb = SILENT_DB;
  #silenceStartMs = 0;
  #silenceMs = 0;
  /** The first exception a callback threw in this push or flush, to throw when it is done. */
  #thrown: { error: unknown } | undefined;
  /** `reset` was called from a callback of the window being judged: done once it is judged. */
  #resetAsked = false;

  /** Makes a detector; see {@linkcode SpeechDetectorOptions}. */
  constructor(options: SpeechDetectorOptions = {}) {
    const o = resolveSpeechOptions(options);
    this.#byteRate = o.sampleRate;
    this.#byteChannels = o.channels;
    this.#windowMs = o.windowMs;
    this.#startDb = o.startDb;
    this.#stopDb = o.stopDb;
    this.#minSpeechMs = o.minSpeechMs;
    this.#minSilenceMs = o.minSilenceMs;
    this.#riseDbPerMs = o.noiseFloorRiseDbPerSecond / 1000;
    this.#minFloorDb = o.minNoiseFloorDb;
    this.#onLevel = o.onLevel;
    this.#recentDb = new Float64Array(Math.max(1, Math.round(QUIET_HOLD_MS / o.windowMs)));
    this.#run = new SpeechRun(o.minSpeechMs, o.windowMs);
  }

  /** Whether speech is under way (between a `speechstart` and its `speechstop`). */
  get speaking(): boolean {
    return this.#speaking;
  }

  /**
   * Whether the window `onLevel` is being told of is a keypad tone (DTMF): nearly all its energy in
   * one tone of the keypad's low group and one of its high group. For a test of your own in
   * `onLevel` (a `BargeInStream` with `minLevelAboveFloorDb` counts such a window as quiet, as the
   * detector does before speech begins). It reads the window's samples, so it costs a pass over
   * them: ask only where it matters. `false` outside `onLevel`, and where no window is tested
   * (windows under 8 ms, a rate of 3,290 Hz or less).
   */
  windowIsKeypadTone(): boolean {
    return this.#judging && this.#keypadTone();
  }

  /** The noise floor in dBFS, once the first window has been measured. */
  get noiseFloorDb(): number | undefined {
    return this.#floorDb;
  }

  /** How much audio has been pushed, in ms. */
  get timeMs(): number {
    const frames = this.#frames + (this.#channels === 0 ? 0 : this.#samples / this.#channels);
    return this.#rate === 0 ? this.#originMs : this.#originMs + frames * 1000 / this.#rate;
  }

  /**
   * Measures audio: an audio frame (its own rate and channels) or bare PCM16 bytes (the options'
   * format); calls `emit` for each start or stop this audio completes. A sample split across two
   * pushes is joined.
   *
   * An exception thrown in `emit` or `onLevel` escapes `push` (the first, if more are thrown),
   * but only once all the audio pushed is measured and its events emitted: a detector left
   * halfway through a window would count the wrong time and measure the next window with this
   * one's energy, and one that dropped the rest of the audio would be late by it ever after.
   */
  push(input: AudioFrame | Uint8Array, emit: (event: SpeechEvent) => void): void {
    const frame = !(input instanceof Uint8Array);
    // Else an ArrayBuffer's frame (no `length`) would be measured as nothing, and its time lost.
    if (frame) assertAudioBytes(input);
    const bytes = frame ? input.audio : input;
    const rate = frame ? input.sampleRate : this.#byteRate;
    const channels = frame ? input.channels : this.#byteChannels;
    if (rate !== this.#rate || channels !== this.#channels) this.#format(rate, channels);
    const length = bytes.length;
    const windowSamples = this.#windowSamples;
    const channelSums = this.#channelSums;
    let sum = this.#sum;
    let samples = this.#samples;
    let i = 0;
    if (this.#carry >= 0 && length > 0) {
      // The low byte came at the end of the last push.
      const sample = ((this.#carry | (bytes[0]! << 8)) << 16) >> 16;
      this.#carry = -1;
      sum += sample * sample;
      const channel = samples % channels;
      channelSums[channel] = channelSums[channel]! + sample;
      this.#held[this.#heldCount++] = sample;
      samples++;
      i = 1;
    }
    const whole = i + ((length - i) & ~1);
    this.#bytes = bytes;
    let windowFrom = i;
    for (;;) {
      if (samples === windowSamples) {
        this.#samples = 0;
        this.#bytesFrom = windowFrom;
        this.#bytesTo = i;
        this.#judging = true;
        this.#window(sum, samples, emit);
        this.#judging = false;
        if (this.#resetAsked) this.#forget();
        this.#heldCount = 0;
        windowFrom = i;
        sum = samples = 0;
      }
      if (i >= whole) break;
      // Up to the end of the window or of the bytes, with no test per sample: one strided pass
      // per channel (windows hold whole sample frames, so sample n is of channel n % channels).
      const stop = Math.min(whole, i + 2 * (windowSamples - samples));
      const step = 2 * channels;
      for (let c = 0; c < channels; c++) {
        let channelSum = 0;
        for (
          let j = i + 2 * ((c - samples % channels + channels) % channels);
          j < stop;
          j += step
        ) {
          const sample = ((bytes[j]! | (bytes[j + 1]! << 8)) << 16) >> 16;
          sum += sample * sample;
          channelSum += sample;
        }
        channelSums[c] = channelSums[c]! + channelSum;
      }
      samples += (stop - i) >> 1;
      i = stop;
    }
    if (i < length) this.#carry = bytes[i]!;
    this.#sum = sum;
    this.#samples = samples;
    // The window goes on in the next push: its samples here are kept for it (frames of whole
    // windows, as 20 ms frames are, keep none).
    for (let j = windowFrom; j < whole; j += 2) {
      this.#held[this.#heldCount++] = ((bytes[j]! | (bytes[j + 1]! << 8)) << 16) >> 16;
    }
    this.#bytes = EMPTY;
    this.#rethrow();
  }

  /**
   * Ends the stream: speech still under way stops where its silence began, or at the end of the
   * audio. The partial window is not measured (too short to judge); its time still counts.
   */
  flush(emit: (event: SpeechEvent) => void): void {
    if (this.#channels > 0) this.#frames += Math.floor(this.#samples / this.#channels);
    this.#sum = this.#samples = 0;
    this.#channelSums.fill(0);
    this.#carry = -1;
    this.#heldCount = 0;
    if (this.#speaking) this.#stop(this.#silenceMs > 0 ? this.#silenceStartMs : this.timeMs, emit);
    this.#run.clear();
    this.#rethrow();
  }

  /**
   * Forgets everything: noise floor, speech state and time start afresh. Speech in progress is
   * forgotten too, with no `speechstop`: call {@linkcode flush} first to end it with one.
   *
   * Called from `emit` or `onLevel` in a push (a bot that starts afresh once speech starts), it
   * takes effect once the window being judged is done (`onLevel` is still told of it): the rest of
   * the push is measured as if pushed after the reset, its time counted from 0. Done at once, it
   * would be undone by the rest of that window's judging (its floor, its level remembered) and
   * leave the push's later windows with no format (their times NaN).
   */
  reset(): void {
    if (this.#judging) {
      this.#resetAsked = true;
      return;
    }
    this.#rate = this.#channels = this.#windowSamples = 0;
    this.#forget();
  }

  /** Everything `reset` forgets but the format, which a push under way goes on measuring in. */
  #forget(): void {
    this.#resetAsked = false;
    this.#originMs = this.#frames = 0;
    this.#sum = this.#samples = 0;
    this.#channelSums.fill(0);
    this.#carry = -1;
    this.#heldCount = 0;
    this.#floorDb = undefined;
    this.#guessUntilMs = -Infinity;
    this.#zerosMs = 0;
    this.#recentCount = this.#recentNext = 0;
    this.#speaking = false;
    this.#run.clear();
    this.#silenceMs = 0;
  }

  /** A new format: the partial window of the old one is dropped, its time kept. */
  #format(rate: number, channels: number): void {
    checkSpeechFormat(rate, channels);
    const originMs = this.timeMs;
    this.#sum = this.#samples = this.#frames = 0;
    this.#carry = -1;
    this.#originMs = originMs;
    this.#rate = rate;
    if (channels !== this.#channels) this.#channelSums = new Float64Array(channels);
    else this.#channelSums.fill(0);
    this.#channels = channels;
    this.#windowSamples = Math.max(1, Math.round(rate * this.#windowMs / 1000)) * channels;
    this.#held = new Int16Array(this.#windowSamples);
    this.#heldCount = 0;
    this.#mixed = new Float64Array(this.#windowSamples / channels);
    this.#keypad = new KeypadTones(rate, this.#windowMs);
  }

  /** One analysis window of `samples` samples, their squares summing to `sum`, is complete. */
  #window(sum: number, samples: number, emit: (event: SpeechEvent) => void): void {
    const frames = samples / this.#channels;
    const startMs = this.#originMs + this.#frames * 1000 / this.#rate;
    this.#frames += frames;
    const durationMs = this.#originMs + this.#frames * 1000 / this.#rate - startMs;
    // All zeros (a sum of squares of 0) is digital silence: below any threshold, however low
    // `minNoiseFloorDb` is set.
    const digitalSilence = sum === 0;
    // The window's AC energy: each channel's mean is taken out (Σx² − (Σx)²/n per channel), for a
    // DC offset is no sound (an offset of 3 % of full scale reads -30 dBFS, over a quiet line's
    // noise and speech's start threshold above it). A zero-mean window measures as its bare mean
    // square. Not a high-pass filter: it would change every level, ring at a call's start and at
    // a format change, and cost a multiply and state per sample; the window's mean is exact and
    // costs one add. What else it takes out lies mostly below one cycle per window (100 Hz at
    // 10 ms), where telephone audio has nothing and speech little.
    const channelSums = this.#channelSums;
    const perChannel = samples / channelSums.length;
    let energy = sum;
    for (let c = 0; c < channelSums.length; c++) {
      energy -= channelSums[c]! * channelSums[c]! / perChannel;
      channelSums[c] = 0;
    }
    // Rounding can leave a hair below zero when the window is all offset.
    const meanSquare = Math.max(0, energy) / samples / FULL_SCALE_SQUARED;
    const levelDb = digitalSilence
      ? -Infinity
      : meanSquare > 1e-12
      ? 10 * Math.log10(meanSquare)
      : SILENT_DB;
    const floorDb = this.#floorDb;
    // A filled gap or a muted line says nothing of the line's noise: the floor stays where the
    // sound left it (and the next sound is compared with that).
    if (digitalSilence) {
      this.#recentCount = 0;
      if (this.#zerosMs === 0) this.#zerosStartMs = startMs;
      this.#zerosMs += durationMs;
    } else {
      this.#zerosMs = 0;
    }
    if (floorDb === undefined) {
      // The first window sets it, digital silence included (at minNoiseFloorDb): speech after a
      // silent start must stand out. Noise after one reads as speech for a few seconds, as any
      // sudden noise does.
      this.#floorDb = Math.max(levelDb, this.#minFloorDb);
      if (!digitalSilence) {
        this.#remember(levelDb);
        this.#guessUntilMs = startMs + FIRST_GUESS_MS;
      }
      this.#level(levelDb, this.#floorDb, startMs, durationMs);
      return;
    }
    this.#decide(levelDb, floorDb, startMs, durationMs, emit);
    this.#level(levelDb, floorDb, startMs, durationMs);
    if (digitalSilence) {
      // A sound from the first sample may have been speech: a pause that would end speech, early
      // in the call, takes the floor where a silent start would have (see FIRST_GUESS_MS). Not a
      // shorter run: a lost packet there says nothing of the line's noise. Not below
      // minNoiseFloorDb: after the pause, hiss under it still is no speech.
      if (
        this.#zerosStartMs < this.#guessUntilMs &&
        this.#zerosMs >= this.#minSilenceMs - ROUNDING_MS
      ) {
        this.#floorDb = this.#minFloorDb;
        this.#guessUntilMs = -Infinity;
      }
      return;
    }
    this.#remember(levelDb);
    // Down at once to a level stopDb quieter once it has held for QUIET_HOLD_MS (a dip, a lost
    // packet's ring, does not): speech may follow the drop at once. Else toward the line's mean
    // power, over about FOLLOW_MS, and up no faster than the rise rate, so speech barely moves it
    // while a slowly rising noise is followed. Not to every quieter level that holds 30 ms: a
    // rough noise (a rumble, a fan: brown or pink) dips 5 to 7 dB for that long every second or
    // so, and a floor that fell to its dips sat 7 dB under it, its swells over stopDb: a sentence's
    // end heard seconds late, a noise step heard as speech twice as long as white noise's.
    const heldDb = this.#heldQuietDb();
    if (heldDb <= floorDb - this.#stopDb) {
      this.#floorDb = Math.max(heldDb, this.#minFloorDb);
      return;
    }
    // 10·log10(1 + x) for x = share · (power ratio - 1), as 10/ln 10 · x: exact to 0.003 dB at
    // share 1/30 (a window of 10 ms), and a logarithm a window saved.
    const share = Math.min(1, durationMs / FOLLOW_MS);
    const followedDb = floorDb + DB_PER_NEPER * share * (10 ** ((levelDb - floorDb) / 10) - 1);
    this.#floorDb = Math.max(
      Math.min(followedDb, floorDb + this.#riseDbPerMs * durationMs),
      this.#minFloorDb,
    );
  }

  #remember(levelDb: number): void {
    const recent = this.#recentDb;
    recent[this.#recentNext] = levelDb;
    this.#recentNext = (this.#recentNext + 1) % recent.length;
    if (this.#recentCount < recent.length) this.#recentCount++;
  }

  /**
   * The loudest of the last QUIET_HOLD_MS of consecutive sound windows: the quieter level that has
   * held that long; `Infinity` until that many have come since the last digital silence.
   */
  #heldQuietDb(): number {
    const recent = this.#recentDb;
    if (this.#recentCount < recent.length) return Infinity;
    let loudest = -Infinity;
    for (let i = 0; i < recent.length; i++) if (recent[i]! > loudest) loudest = recent[i]!;
    return loudest;
  }

  /** The mean power, in dB, of the window of `levelDb` and the sound before it: QUIET_HOLD_MS. */
  #recentMeanDb(levelDb: number): number {
    const recent = this.#recentDb;
    const count = Math.min(this.#recentCount, recent.length - 1);
    let power = 10 ** (levelDb / 10);
    for (let i = 1; i <= count; i++) {
      power += 10 ** (recent[(this.#recentNext - i + recent.length) % recent.length]! / 10);
    }
    return 10 * Math.log10(power / (count + 1));
  }

  #decide(
    levelDb: number,
    floorDb: number,
    startMs: number,
    durationMs: number,
    emit: (event: SpeechEvent) => void,
  ): void {
    const aboveStop = levelDb >= floorDb + this.#stopDb;
    if (this.#speaking) {
      // In a silence, a loud window goes on with the speech only if the last QUIET_HOLD_MS are
      // loud on average: a rough noise's swell is a window or two, a syllable longer.
      if (
        aboveStop &&
        (this.#silenceMs === 0 || this.#recentMeanDb(levelDb) >= floorDb + this.#stopDb)
      ) {
        this.#silenceMs = 0;
        if (levelDb > this.#speechPeakDb) this.#speechPeakDb = levelDb;
        return;
      }
      if (this.#silenceMs === 0) this.#silenceStartMs = startMs;
      this.#silenceMs += durationMs;
      if (this.#silenceMs >= this.#minSilenceMs - ROUNDING_MS) {
        this.#stop(this.#silenceStartMs, emit);
      }
      return;
    }
    const kind = levelDb >= floorDb + this.#startDb ? 2 : aboveStop ? 1 : 0;
    const run = this.#run;
    // Speech, from the run's first window over startDb, once it has lasted minSpeechMs sounding
    // 70 % of it; a keypad tone is no sound (tested only where a window may begin or go on one).
    if (!run.push(startMs, durationMs, levelDb, kind, this.#keypadToneTest)) return;
    const atMs = run.startMs;
    const peakDb = run.peakDb;
    run.clear();
    this.#speaking = true;
    this.#speechStartMs = atMs;
    this.#speechPeakDb = peakDb;
    this.#silenceMs = 0;
    this.#emit(emit, { type: "speechstart", atMs, levelDb: peakDb, noiseFloorDb: floorDb });
  }

  /**
   * Whether the window just measured is a keypad tone (see `KeypadTones.holdsDigit`): its samples,
   * channels summed.
   */
  #keypadTone(): boolean {
    const keypad = this.#keypad;
    if (!keypad.tested) return false;
    const mixed = this.#mixed;
    const channels = this.#channels;
    mixed.fill(0);
    const held = this.#held;
    const heldCount = this.#heldCount;
    for (let s = 0; s < heldCount; s++) {
      const k = (s / channels) | 0;
      mixed[k] = mixed[k]! + held[s]!;
    }
    const bytes = this.#bytes;
    for (let j = this.#bytesFrom, s = heldCount; j < this.#bytesTo; j += 2, s++) {
      const k = (s / channels) | 0;
      mixed[k] = mixed[k]! + (((bytes[j]! | (bytes[j + 1]! << 8)) << 16) >> 16);
    }
    return keypad.holdsDigit(mixed);
  }

  #stop(atMs: number, emit: (event: SpeechEvent) => void): void {
    this.#speaking = false;
    this.#run.clear();
    this.#silenceMs = 0;
    this.#emit(emit, {
      type: "speechstop",
      atMs,
      durationMs: atMs - this.#speechStartMs,
      levelDb: this.#speechPeakDb,
      noiseFloorDb: this.#floorDb ?? this.#minFloorDb,
    });
  }

  /** Tells `emit` of `event`; what it throws is kept for the end of the push (see `push`). */
  #emit(emit: (event: SpeechEvent) => void, event: SpeechEvent): void {
    try {
      emit(event);
    } catch (error) {
      this.#thrown ??= { error };
    }
  }

  /** Tells `onLevel` of a window; what it throws is kept for the end of the push. */
  #level(levelDb: number, floorDb: number, startMs: number, durationMs: number): void {
    const onLevel = this.#onLevel;
    if (onLevel === undefined) return;
    try {
      onLevel(levelDb, floorDb, startMs, durationMs);
    } catch (error) {
      this.#thrown ??= { error };
    }
  }

  /** Throws the first exception a callback threw in this push or flush, now it is done. */
  #rethrow(): void {
    const thrown = this.#thrown;
    if (thrown === undefined) return;
    this.#thrown = undefined;
    throw thrown.error;
  }
}
