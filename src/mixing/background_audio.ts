/**
 * {@linkcode BackgroundAudio}: office ambience or hold music under the bot's speech, through
 * its silences and interruptions.
 *
 * @module
 */

import {
  BYTES_PER_SAMPLE,
  bytesForDuration,
  durationMs,
  pcm16Bytes,
  pcm16Samples,
} from "../audio/pcm.ts";
import type { AudioFrame } from "../frames.ts";
import type { MixerFormat, OutboundMixer } from "../session_observer.ts";
import { convertLoop, type TrackPieces } from "./_convert.ts";
import { BackgroundGain, mixInto } from "./_gain.ts";
import { type LoopTrack, loopTrack } from "./_loop_track.ts";
import { kindOf, shownValue } from "../_kind_of.ts";
import { StreamTrack } from "./_stream_track.ts";

/** How the background gets out of the way of the bot's speech. */
export interface DuckingOptions {
  /**
   * The background's gain under speech, relative to its volume (0 silences it).
   *
   * @default {0.3}
   */
  gain?: number;
  /**
   * How long the background takes to fall to that gain when speech begins, in ms.
   *
   * @default {50}
   */
  attackMs?: number;
  /**
   * How long it takes to rise back once speech stops, in ms.
   *
   * @default {400}
   */
  releaseMs?: number;
}

/**
 * What {@linkcode BackgroundAudio} plays: a whole track (an audio frame, a WAV file's bytes, or
 * bare PCM16 with `sampleRate` in the options), looped; or a stream of audio frames or PCM16
 * bytes, played until it ends.
 */
export type BackgroundSource =
  | AudioFrame
  | Uint8Array
  | Int16Array
  | ReadableStream<AudioFrame | Uint8Array>;

/** Options for {@linkcode BackgroundAudio}. */
export interface BackgroundAudioOptions {
  /** The sample rate of bare PCM (an `Int16Array`, bytes that are not a WAV file, a byte stream). */
  sampleRate?: number;
  /**
   * The channels of bare PCM.
   *
   * @default {1}
   */
  channels?: number;
  /**
   * The background's level: a linear gain on its samples (1 as recorded).
   *
   * @default {0.3}
   */
  volume?: number;
  /**
   * Play a whole track again from the start when it ends (streams play once). Played once, it
   * ends (`playing` false, `onEnded` told), and {@linkcode BackgroundAudio.start} plays it again
   * from its beginning.
   *
   * @default {true}
   */
  loop?: boolean;
  /**
   * Duck the background under the bot's speech: `true` for the defaults, or how.
   *
   * @default {false}
   */
  ducking?: boolean | DuckingOptions;
  /**
   * How long starting, stopping and volume changes take to fade, in ms.
   *
   * @default {20}
   */
  fadeMs?: number;
  /**
   * Whether it plays from the start of the session (otherwise {@linkcode BackgroundAudio.start}).
   *
   * @default {true}
   */
  playing?: boolean;
  /**
   * With a streamed source: how much audio to read ahead of what plays, in ms.
   *
   * @default {200}
   */
  readAheadMs?: number;
  /**
   * Told when the source fails, or its format cannot be brought to the transport's; the
   * background then falls silent and the session goes on. One that throws is session code that
   * fails: that session ends with 1011 and an "error" event, as when an observer throws.
   *
   * @default {console.error}
   */
  onError?: (error: Error) => void;
  /**
   * Told when the background has played to its end (a stream ended, a track without `loop`:
   * again at each end of a track that `start()` played again), once `playing` is false. One
   * that throws ends the session as `onError`'s does.
   */
  onEnded?: () => void;
}

/**
 * Background audio for a transport (`TransportOptions.background`): a looped track or a stream,
 * mixed under the bot's speech at a set volume and sent on its own while no speech is queued,
 * so the far end hears it through silences — and through interruptions, which clear the speech,
 * not the background. One per session (it keeps the play position): its `attach` declines a
 * session while another plays it, or once it has played in one that ended, and that session goes
 * without it, told by a non-fatal "application" error; sessions that play the same track object
 * share its conversion to their format.
 *
 * - **Mixing** is integer PCM with saturation: loud speech over loud music clips, never wraps.
 * - **Ducking** (optional) lowers it under speech (`attackMs`) and raises it after
 *   (`releaseMs`); every change of level — ducking, {@linkcode start}, {@linkcode stop},
 *   {@linkcode volume} — is a ramp, never a step, so nothing clicks.
 * - **Formats**: the track is resampled and its channels mapped to the transport's output.
 *   What cannot be (a rate the resampler does not know, 3 channels into 2) is refused with a
 *   `RangeError` or `TypeError` naming the mismatch: at once for what the options say, through
 *   `onError` for what only the session reveals. Speech in another format than the transport's
 *   `audioOut` is sent unmixed (reported once).
 * - **Stopping**: {@linkcode stop} fades out and the transport stops sending filler;
 *   {@linkcode start} fades in again and wakes it. Played to its end (a track with `loop: false`,
 *   a stream), it is no longer {@linkcode playing}: `start` then plays a track again from its
 *   beginning, and does nothing for a stream, read once. When the session ends (`detach`), a
 *   streamed source's pending read is cancelled and nothing is left running: no timer, no read.
 *
 * @example Hold music under the bot, ducked while it speaks
 * ```ts
 * import { BackgroundAudio, WebSocketTransport } from "@x/ws-transport";
 * import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * // One second of a 16 kHz tone as the track (a WAV file's bytes work too).
 * const tone = new Int16Array(16000).map((_, i) => Math.round(8000 * Math.sin(i / 5)));
 * const music = new BackgroundAudio(tone, { sampleRate: 16000, volume: 0.5, ducking: true });
 * const clock = new FakeClock();
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, {
 *   audioOut: { sampleRate: 16000, chunkMs: 20 },
 *   background: music,
 *   clock,
 * });
 * let received = 0;
 * client.addEventListener("message", () => received++);
 * await clock.tick(1000); // the bot says nothing: the far end hears the music
 * assert.ok(received >= 49, `${received} chunks of music`);
 * client.close(1000);
 * await transport.closed;
 * assert.equal(clock.pendingTimers, 0, "nothing left running");
 * ```
 */
export class BackgroundAudio implements OutboundMixer {
  readonly #whole: LoopTrack | undefined;
  readonly #stream: StreamTrack | undefined;
  readonly #loop: boolean;
  readonly #duck: Required<DuckingOptions> | undefined;
  readonly #fadeMs: number;
  readonly #readAheadMs: number;
  readonly #onError: (error: Error) => void;
  readonly #onEnded: (() => void) | undefined;
  readonly #gain: BackgroundGain;
  #playing: boolean;
  #format: MixerFormat | undefined;
  #wake: (() => void) | undefined;
  /**
   * The whole track in the output format (in pieces: see `convertLoop`), its length, and where it
   * plays from: the position in it, and the piece and the offset in that piece.
   */
  #track: TrackPieces | undefined;
  #trackLength = 0;
  #position = 0;
  #piece = 0;
  #offset = 0;
  /**
   * The samples of a chunk of background alone: the transport's chunk, as its chunker cuts speech
   * (whole frames, rounded down, at least one). Rounded to nearest instead, a `chunkMs` under half
   * a frame (`0.02`, seconds written for ms) made empty chunks, which took no time on the pacing
   * timeline: the pump filled slot after slot in one turn, and the session hung; and 10 ms at
   * 22.05 kHz made background chunks a frame longer than the speech chunks.
   */
  #chunkSamples = 0;
  /** Two output buffers, used in turn: a chunk stays intact while the next is mixed. */
  #buffers: Int16Array[] = [];
  #turn = 0;
  /** `fill` found nothing to play (a stream ran dry, or stopped): the transport waits for a wake. */
  #idle = false;
  /** A stream ran dry at the last play: the background is not sounding now. */
  #dry = false;
  #ended = false;
  #failed = false;
  #detached = false;
  #reportedMismatch = false;
  /** What a callback threw from a stream's read, for the transport's next call to throw. */
  #thrown: { error: unknown } | undefined;

  /**
   * Makes a background from `source`. Throws a `TypeError` or `RangeError` naming what is wrong
   * with the source or an option (bare PCM without `sampleRate`, a WAV that is not 16-bit PCM,
   * a gain below 0, …).
   */
  constructor(source: BackgroundSource, options: BackgroundAudioOptions = {}) {
    // Without a type checker (plain JavaScript, `any`) `null` failed as the runtime's "Cannot
    // destructure", and a string, a number or an array was taken for no options at all.
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new TypeError(`BackgroundAudio options must be an object, got ${kindOf(options)}`);
    }
    const {
      sampleRate,
      channels = 1,
      volume = 0.3,
      loop = true,
      ducking = false,
      fadeMs = 20,
      playing = true,
      readAheadMs = 200,
      onError = (error: Error) => console.error("BackgroundAudio:", error),
      onEnded,
    } = options;
    atLeastZero(volume, "volume");
    atLeastZero(fadeMs, "fadeMs");
    atLeastZero(readAheadMs, "readAheadMs");
    if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate <= 0)) {
      throw new RangeError(`sampleRate must be a positive integer, got ${shownValue(sampleRate)}`);
    }
    if (!Number.isInteger(channels) || channels <= 0) {
      throw new RangeError(`channels must be a positive integer, got ${shownValue(channels)}`);
    }
    // An array is an object too: `ducking: []` ducked on the defaults, as though it were `true`.
    const duckingOptions = typeof ducking === "object" && ducking !== null &&
      !Array.isArray(ducking);
    if (ducking !== true && ducking !== false && !duckingOptions) {
      throw new TypeError(
        `BackgroundAudio: ducking must be true, false or its options, got ${kindOf(ducking)}`,
      );
    }
    // Booleans as booleans: `loop: "false"` would loop, and `playing: 0` stay quiet, by truthiness.
    for (const [name, flag] of [["loop", loop], ["playing", playing]] as const) {
      if (typeof flag !== "boolean") {
        throw new TypeError(`BackgroundAudio: ${name} must be true or false, got ${kindOf(flag)}`);
      }
    }
    for (const [name, callback] of [["onError", onError], ["onEnded", onEnded]] as const) {
      if (callback !== undefined && typeof callback !== "function") {
        throw new TypeError(`BackgroundAudio: ${name} must be a function, got ${kindOf(callback)}`);
      }
    }
    if (source instanceof ReadableStream) {
      this.#stream = new StreamTrack(
        source,
        sampleRate === undefined ? undefined : { sampleRate, channels },
      );
    } else {
      const format = sampleRate === undefined ? { channels } : { sampleRate, channels };
      this.#whole = loopTrack(source, format);
    }
    if (ducking !== false) {
      const { gain = 0.3, attackMs = 50, releaseMs = 400 } = ducking === true ? {} : ducking;
      atLeastZero(gain, "ducking.gain");
      atLeastZero(attackMs, "ducking.attackMs");
      atLeastZero(releaseMs, "ducking.releaseMs");
      this.#duck = { gain, attackMs, releaseMs };
    }
    this.#loop = loop;
    this.#fadeMs = fadeMs;
    this.#readAheadMs = readAheadMs;
    this.#onError = onError;
    this.#onEnded = onEnded;
    this.#playing = playing;
    this.#gain = new BackgroundGain(volume, 0);
  }

  /**
   * Whether it is playing: between {@linkcode start} and {@linkcode stop}, until it plays to its
   * end (a stream ended, a track without `loop`) or fails (told `onError`: silent from then on).
   */
  get playing(): boolean {
    return this.#playing && !this.#failed;
  }

  /**
   * The volume (a linear gain); setting it fades to the new level over `fadeMs` (lowered while a
   * stream has run dry, or set while stopped and faded out, at once: nothing sounds to fade).
   */
  get volume(): number {
    return this.#gain.volume.target;
  }

  set volume(volume: number) {
    atLeastZero(volume, "volume");
    // Not sounding (a stream ran dry), a lower level has nothing to fall through: there at once,
    // as a stop's fade (else the stream's next audio came back at the old level, falling). A
    // higher one still fades in over that audio. Stopped and faded out, any level is there at
    // once: a `start` fades in to it from silence (ramped from the old one alongside that fade,
    // a level lowered to 0.1 from 1 swelled to 0.28 before it fell).
    const falls = this.#dry && volume < this.#gain.volume.value;
    const now = falls || (!this.#playing && this.#silent());
    this.#gain.volume.to(volume, now ? 0 : this.#frames(this.#fadeMs));
  }

  /**
   * Plays (again, from where it stopped), fading in; wakes the transport to send it. A track
   * played to its end (`loop: false`) plays again from its beginning, as a media player's play
   * does after the end; a stream that ended has no more to play, and stays ended (`playing`
   * false: the call does nothing).
   */
  start(): void {
    if (this.#playing) return;
    if (this.#ended) {
      // Its audio is gone as it played (a stream is read once): nothing to start again.
      if (this.#stream !== undefined) return;
      // "From where it stopped" is the end: nothing would play, for ever. Played to its end, the
      // track is rewound, as a media element's play() seeks one that has ended to its start (the
      // HTML Standard's "internal play steps"); its next end is an end again (`onEnded` told).
      this.#ended = false;
      this.#position = this.#piece = this.#offset = 0;
      this.#dry = false;
    }
    this.#playing = true;
    // Before `attach` there is no sample rate to fade over: `attach` fades in from silence.
    if (this.#format !== undefined) this.#gain.fade.to(1, this.#frames(this.#fadeMs));
    this.#wakeUp();
  }

  /** Fades out and stops; the transport stops sending it once it is silent. */
  stop(): void {
    if (!this.#playing) return;
    this.#playing = false;
    // Not sounding (a stream ran dry), there is nothing to fade: else the fade-out would play
    // with the stream's next audio, whenever that came.
    this.#gain.fade.to(0, this.#dry ? 0 : this.#frames(this.#fadeMs));
  }

  /**
   * Called by the transport once, with its output format: the track is converted to it, a
   * stream starts being read. A format that cannot be matched goes to `onError`, and the
   * background stays silent. Returns `false`, doing nothing, for a second session: one that
   * opens while another plays it (the two would share its play position, half a chunk's
   * background to each) or after the session it played in ended (a stream is cancelled by then,
   * a track's position and fades are that call's); the transport reports it, the first plays on.
   */
  attach(format: MixerFormat, wake: () => void): boolean {
    if (this.#format !== undefined || this.#detached) return false;
    this.#format = format;
    this.#wake = wake;
    const chunk = this.#chunkSamples = bytesForDuration(format.chunkMs, format) / BYTES_PER_SAMPLE;
    this.#buffers = [new Int16Array(chunk), new Int16Array(chunk)];
    if (this.#playing) this.#gain.fade.to(1, this.#frames(this.#fadeMs)); // fade in
    const whole = this.#whole;
    if (whole !== undefined) {
      try {
        const track = convertLoop(whole.key, whole.samples, whole.format, format, this.#loop);
        const length = track.reduce((sum, piece) => sum + piece.length, 0);
        // Nothing left at the output rate: a loop of it would never move the play position on.
        if (length === 0) {
          throw new RangeError(
            `BackgroundAudio: the track (${whole.samples.length / whole.format.channels} frames ` +
              `at ${whole.format.sampleRate} Hz) is shorter than a sample at the transport's ` +
              `${format.sampleRate} Hz`,
          );
        }
        this.#track = track;
        this.#trackLength = length;
      } catch (error) {
        this.#fail(error as Error);
      }
      return true;
    }
    // At least a chunk: `fill` waits for a whole one.
    const readAhead = Math.max(this.#frames(this.#readAheadMs) * format.channels, chunk);
    this.#stream!.begin(format, readAhead, {
      data: () => this.#wakeUp(),
      end: () =>
        this.#fromRead(() => {
          if (this.#stream!.queued === 0) this.#end();
          else this.#wakeUp(); // a last short piece, sent once the transport asks
        }),
      error: (error) => this.#fromRead(() => this.#fail(error)),
    });
    return true;
  }

  /** Speech with the background under it (a view the next call reuses), or the speech as is. */
  mix(chunk: AudioFrame): AudioFrame {
    this.#throwHeld();
    const format = this.#format;
    if (format === undefined) return chunk;
    // Speech, mixed or sent unmixed: the far end hears the bot, so the background ducks (stopped,
    // too: see `#duckFor`).
    this.#duckFor(true);
    if (this.#silent()) return chunk;
    if (chunk.sampleRate !== format.sampleRate || chunk.channels !== format.channels) {
      this.#mismatch(chunk);
      // The background goes on in time all the same: the chunk's duration is skipped.
      this.#skip((durationMs(chunk.audio.length, chunk) * format.sampleRate) / 1000);
      return chunk;
    }
    const speech = pcm16Samples(chunk.audio);
    const out = this.#buffer(speech.length);
    out.set(speech);
    this.#play(out);
    return { ...chunk, audio: pcm16Bytes(out) };
  }

  /** One chunk of background alone, or `undefined` while there is none to send. */
  fill(): AudioFrame | undefined {
    this.#throwHeld();
    const format = this.#format;
    if (format === undefined) return this.#idleNow();
    if (this.#silent()) {
      this.#duckFor(false); // the bot is silent: released, ready for a `start` (see `#duckFor`)
      return this.#idleNow();
    }
    const stream = this.#stream;
    const samples = this.#chunkSamples;
    // A stream sends whole chunks only, until it ends: a short one would be a gap anyway.
    if (stream !== undefined && stream.queued < samples && !stream.done) {
      this.#ranDry();
      return this.#idleNow();
    }
    this.#duckFor(false);
    const out = this.#buffer(samples);
    out.fill(0);
    this.#play(out);
    return {
      type: "audio",
      audio: pcm16Bytes(out),
      sampleRate: format.sampleRate,
      channels: format.channels,
    };
  }

  /**
   * The session is over: a stream's pending read is cancelled (or, never read, the stream itself);
   * nothing is left running. Safe without an `attach` before it, and more than once. `attached`
   * false (a session that ended before its socket opened) leaves alone one that plays in another
   * session.
   */
  detach(attached?: boolean): void {
    if (attached === false && this.#format !== undefined) return;
    this.#detached = true;
    this.#wake = undefined;
    this.#stream?.stop();
    this.#throwHeld(); // the session ended before a call of the transport's threw it
  }

  /**
   * Ducks under the bot's speech (`speaking`) or rises back after it: a ramp of `attackMs` or
   * `releaseMs` while the background sounds. Stopped and faded out (or over), it is there at once:
   * nothing plays through it, and the fade-in of a `start` begins from silence, so no step is
   * heard. Left as it was while stopped, a `start` under speech faded in un-ducked, swelling to
   * 2.4 times the ducked level (0.72 of the volume for a 0.3 duck) before the attack caught up;
   * one after speech the stopped background had ducked under rose over `releaseMs` (400 ms) from
   * the ducked level, however long the bot had been silent, not over `fadeMs`.
   */
  #duckFor(speaking: boolean): void {
    const duck = this.#duck;
    if (duck === undefined) return;
    const ramp = this.#gain.duck;
    const target = speaking ? duck.gain : 1;
    if (this.#silent()) {
      if (ramp.value !== target || ramp.target !== target) ramp.to(target, 0);
    } else if (ramp.target !== target) {
      ramp.to(target, this.#frames(speaking ? duck.attackMs : duck.releaseMs));
    }
  }

  /** Whether nothing is to be heard: stopped and faded out, ended, failed or detached. */
  #silent(): boolean {
    if (this.#failed || this.#ended || this.#detached) return true;
    return !this.#playing && this.#gain.fade.settled;
  }

  #idleNow(): undefined {
    this.#idle = true;
    return undefined;
  }

  #wakeUp(): void {
    if (!this.#idle || this.#detached) return;
    this.#idle = false;
    this.#wake?.();
  }

  /** Adds the next stretch of background to `out`, moving the play position on. */
  #play(out: Int16Array): void {
    const channels = this.#format!.channels;
    let at = 0;
    while (at < out.length) {
      const piece = this.#next(out.length - at);
      if (piece === undefined) {
        this.#ranDry(); // a stream ran short: the rest stays speech (or silence)
        break;
      }
      mixInto(out, at, piece, channels, this.#gain);
      this.#dry = false;
      at += piece.length;
    }
    this.#endIfPlayedOut();
  }

  /** Ends the background if it has played to its end: a stream ended and taken, a track once. */
  #endIfPlayedOut(): void {
    const stream = this.#stream;
    if (stream !== undefined ? stream.done && stream.queued === 0 : this.#playedOnce()) {
      this.#end();
    }
  }

  /**
   * A stream has nothing more to play now. A fall of level under way (a fade-out, ducking) has
   * nothing to fall through, and is over: else it moved on only with the stream's next audio,
   * which played through it whenever it came (a chunk of a fade-out however long after `stop`).
   */
  #ranDry(): void {
    this.#dry = true;
    this.#gain.fallNow();
  }

  /** A whole track that does not loop has played to its end. */
  #playedOnce(): boolean {
    return !this.#loop && this.#position >= this.#trackLength;
  }

  /** Up to `max` samples of the background from the play position (a view), consumed. */
  #next(max: number): Int16Array | undefined {
    if (this.#stream !== undefined) return this.#stream.next(max);
    const track = this.#track;
    if (track === undefined) return undefined;
    if (this.#position >= this.#trackLength) {
      if (!this.#loop) return undefined;
      this.#position = this.#piece = this.#offset = 0;
    }
    // Up to the end of the current piece (none is empty): `#play` and `#skip` ask again.
    const whole = track[this.#piece]!;
    const piece = whole.subarray(this.#offset, Math.min(whole.length, this.#offset + max));
    this.#position += piece.length;
    this.#offset += piece.length;
    if (this.#offset === whole.length) {
      this.#piece++;
      this.#offset = 0;
    }
    return piece;
  }

  /**
   * Moves the play position past `frames` frames without playing them, and every ramp of the
   * level on by as many: the time passes for them too (a `stop` made then has faded by the next
   * chunk mixed as it would have under mixed speech, not begun its fade there). An end skipped
   * to is an end (else it was told a chunk late, after a chunk of silence sent as background). A
   * stream that runs short here has run dry as in {@linkcode #play}: else a `stop` then still
   * faded out over the audio that came next, whenever it came.
   */
  #skip(frames: number): void {
    this.#gain.advance(Math.round(frames));
    let samples = Math.round(frames) * this.#format!.channels;
    while (samples > 0) {
      const piece = this.#next(samples);
      if (piece === undefined) {
        this.#ranDry();
        break;
      }
      this.#dry = false;
      samples -= piece.length;
    }
    this.#endIfPlayedOut();
  }

  #buffer(samples: number): Int16Array {
    this.#turn ^= 1;
    let buffer = this.#buffers[this.#turn]!;
    if (buffer.length < samples) this.#buffers[this.#turn] = buffer = new Int16Array(samples);
    return buffer.subarray(0, samples);
  }

  #frames(ms: number): number {
    return Math.round((ms * (this.#format?.sampleRate ?? 0)) / 1000);
  }

  /**
   * Played to its end: it is no longer playing (a `start` plays a track again, see
   * {@linkcode start}), and the fade is at silence, for that `start` to fade in from. Told after,
   * so that an `onEnded` that calls `start` plays it again.
   */
  #end(): void {
    if (this.#ended || this.#detached) return;
    this.#ended = true;
    this.#playing = false;
    this.#gain.fade.to(0, 0);
    this.#onEnded?.();
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#onError(error);
  }

  /**
   * Runs what a stream's read tells, outside every call of the transport's: what an application
   * callback throws there is held for the next (`fill`, `mix` or `detach`) to throw, and ends the
   * session as a throw of the callback inside one does. A transport that waits is woken for it.
   */
  #fromRead(event: () => void): void {
    try {
      event();
    } catch (error) {
      this.#thrown = { error };
      this.#wakeUp();
    }
  }

  #throwHeld(): void {
    const thrown = this.#thrown;
    if (thrown === undefined) return;
    this.#thrown = undefined;
    throw thrown.error;
  }

  #mismatch(chunk: AudioFrame): void {
    if (this.#reportedMismatch) return;
    this.#reportedMismatch = true;
    const format = this.#format!;
    this.#onError(
      new TypeError(
        `BackgroundAudio: speech at ${chunk.sampleRate} Hz, ${chunk.channels} ch is sent unmixed: ` +
          `the background is at the transport's ${format.sampleRate} Hz, ${format.channels} ch`,
      ),
    );
  }
}

function atLeastZero(value: number, name: string): void {
  // `Number.isFinite` takes no string ("0.5" >= 0 is true): a number of the wrong kind is refused,
  // and named by its kind (`got a string (0.5)`, not `got 0.5`, which reads as the number).
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${shownValue(value)}`);
  }
}
