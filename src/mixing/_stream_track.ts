/**
 * A background track that arrives as a stream (hold music from a fetch, a live feed): read ahead
 * a little, converted to the outbound format, and taken from sample by sample.
 *
 * @module
 */

import { pcm16Samples, type PcmFormat } from "../audio/pcm.ts";
import type { AudioFrame } from "../frames.ts";
import { audioFrameProblem } from "../_frame_problem.ts";
import { StreamConverter } from "./_convert.ts";
import { isWav, type WavData, wavDataSoFar } from "./_loop_track.ts";
import { concatBytes } from "../audio/_concat_bytes.ts";
import { thrownText } from "../_thrown_text.ts";

/** What a {@linkcode StreamTrack} tells its mixer. */
export interface StreamTrackEvents {
  /** New audio is queued. */
  data(): void;
  /** The source has ended (everything queued may still be taken). */
  end(): void;
  /**
   * The source failed, or its audio cannot be converted (a frame that is not whole sample frames
   * included); nothing more is read.
   */
  error(error: Error): void;
}

/**
 * Reads a stream of audio frames or PCM16 bytes one read at a time, only while less than the
 * read-ahead is queued, so a source faster than real time (a file, a fetch) is read at the pace
 * it is played and a slow one is waited for. Never more than one read is pending, and
 * {@linkcode stop} cancels it.
 */
export class StreamTrack {
  readonly #stream: ReadableStream<AudioFrame | Uint8Array>;
  #bareFormat: PcmFormat | undefined;
  /** No audio byte seen yet: the stream may begin with a WAV header, split over its chunks. */
  #first = true;
  /** The bytes read while a WAV header may still be coming in pieces. */
  #head: Uint8Array | undefined;
  /** A streamed WAV's audio bytes still to come: the chunks after its `data` chunk are none. */
  #dataLeft = Infinity;
  #reader: ReadableStreamDefaultReader<AudioFrame | Uint8Array> | undefined;
  /**
   * A reader was taken (by {@linkcode begin}), or the track was stopped before one was: either
   * way, no other reader may be taken.
   */
  #began = false;
  #converter: StreamConverter | undefined;
  #events: StreamTrackEvents | undefined;
  #readAhead = 0;
  /** Converted audio not yet taken: pieces, the offset into the first, and the total. */
  #pieces: Int16Array[] = [];
  #offset = 0;
  #queued = 0;
  /** The bytes of a sample frame split across two byte chunks. */
  #carry: Uint8Array | undefined;
  #reading = false;
  #done = false;

  /** A track read from `stream`; `bareFormat` is the format of byte chunks. */
  constructor(stream: ReadableStream<AudioFrame | Uint8Array>, bareFormat: PcmFormat | undefined) {
    this.#stream = stream;
    this.#bareFormat = bareFormat;
  }

  /** Starts reading, converting to `format`, keeping `readAhead` samples queued. */
  begin(format: PcmFormat, readAhead: number, events: StreamTrackEvents): void {
    this.#converter = new StreamConverter(format);
    this.#readAhead = readAhead;
    this.#events = events;
    this.#began = true;
    try {
      this.#reader = this.#stream.getReader();
    } catch (cause) {
      this.#fail(
        new TypeError(`BackgroundAudio: the source stream cannot be read: ${thrownText(cause)}`, {
          cause,
        }),
      );
      return;
    }
    this.#pull();
  }

  /** Samples queued, converted. */
  get queued(): number {
    return this.#queued;
  }

  /** Whether no more audio will come (what is queued may still be taken). */
  get done(): boolean {
    return this.#done;
  }

  /** Takes up to `max` samples from the head of the queue (a view), or `undefined` if none. */
  next(max: number): Int16Array | undefined {
    const head = this.#pieces[0];
    if (head === undefined) return undefined;
    const count = Math.min(max, head.length - this.#offset);
    const view = head.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    this.#queued -= count;
    if (this.#offset === head.length) {
      this.#pieces.shift();
      this.#offset = 0;
    }
    this.#pull();
    return view;
  }

  /**
   * Stops reading: the pending read is cancelled and the source released, also when reading never
   * began (a session that ended before its socket opened): a file is closed, a fetch let go.
   */
  stop(): void {
    const unread = !this.#began && !this.#done;
    this.#began = this.#done = true;
    this.#pieces = [];
    this.#queued = 0;
    const reader = this.#reader;
    this.#reader = undefined;
    // A source that fails to cancel has nothing left to give us: its rejection is dropped.
    if (unread) {
      // No reader was taken: only cancelling the stream itself tells its source. (A stream some
      // other reader holds refuses, and stays that reader's.)
      this.#stream.cancel().catch(() => {});
      return;
    }
    // Cancelling settles the pending read (done) and tells the source to stop producing.
    reader?.cancel().catch(() => {});
  }

  /** Reads once more if less than the read-ahead is queued. */
  #pull(): void {
    if (this.#reading || this.#done || this.#reader === undefined) return;
    if (this.#queued >= this.#readAhead) return;
    this.#reading = true;
    this.#reader.read().then(this.#onRead, (cause) => {
      this.#reading = false;
      if (this.#done) return; // stopped meanwhile: the source released, nobody to tell
      // A rejection with something that is no `Error` (a string, say) is kept as the cause.
      const error = cause instanceof Error ? cause : new Error(thrownText(cause), { cause });
      this.#fail(error);
    });
  }

  #onRead = (result: { done: boolean; value?: AudioFrame | Uint8Array | undefined }): void => {
    this.#reading = false;
    if (this.#done) return; // stopped meanwhile
    // A chunk of `undefined` is not the end (only `done` is): `#convert` refuses it, and the
    // source is cancelled, not left open as one that ended.
    if (result.done) {
      if (this.#head !== undefined) {
        return this.#fail(new TypeError("BackgroundAudio: the stream ended inside its WAV header"));
      }
      // The resampler's held-back samples are the stream's last: queued before it is done.
      const tail = this.#converter?.flush();
      if (tail !== undefined && tail.length > 0) {
        this.#pieces.push(tail);
        this.#queued += tail.length;
      }
      this.#done = true;
      this.#reader = undefined;
      this.#events?.end();
      return;
    }
    let samples: Int16Array | undefined;
    try {
      samples = this.#convert(result.value);
    } catch (error) {
      return this.#fail(error as Error);
    }
    if (samples !== undefined && samples.length > 0) {
      this.#pieces.push(samples);
      this.#queued += samples.length;
      this.#events?.data();
    }
    this.#pull();
  };

  #convert(value: AudioFrame | Uint8Array | undefined): Int16Array | undefined {
    if (value instanceof Uint8Array) {
      if (this.#first) {
        // A WAV file streamed (a fetch, a file): its header says the format, and a fetch may
        // cut it anywhere, so its pieces are gathered until the `data` chunk begins.
        const head = this.#head = this.#head === undefined ? value : concatBytes(this.#head, value);
        const found = headerOf(head);
        if (found === "more") return undefined;
        this.#first = false;
        this.#head = undefined;
        if (found !== "pcm") {
          this.#bareFormat = found.format;
          this.#dataLeft = found.size;
        }
        value = found === "pcm" ? head : head.subarray(found.start);
      }
      // Metadata after the audio (a LIST chunk, say) played as PCM was a burst of noise.
      if (value.length > this.#dataLeft) value = value.subarray(0, this.#dataLeft);
      this.#dataLeft -= value.length;
      const format = this.#bareFormat;
      if (format === undefined) {
        throw new TypeError(
          "BackgroundAudio: a byte stream needs `sampleRate` in the options (or a WAV header)",
        );
      }
      const bytes = this.#joinCarry(value);
      const whole = bytes.length - (bytes.length % (2 * format.channels));
      // Deliberate copy of the partial frame (a few bytes): the chunk is the source's.
      this.#carry = whole < bytes.length ? bytes.slice(whole) : undefined;
      return this.#converter!.convert(pcm16Samples(bytes.subarray(0, whole)), format);
    }
    if (value?.type !== "audio" || !(value.audio instanceof Uint8Array)) {
      throw new TypeError("BackgroundAudio: the source stream must yield audio frames or bytes");
    }
    // Unlike a byte chunk (a fetch cuts anywhere, so its partial sample frame is carried), a frame
    // is a whole with its own format, which the next may change, and begins on a sample frame:
    // one holding part of one is broken (`send` refuses it too). Played as it is, or carried into
    // the next frame, it would swap left and right from there on; as audio that cannot be
    // converted, it fails the track, reported.
    const problem = audioFrameProblem(value);
    if (problem !== undefined) throw new TypeError(`BackgroundAudio: ${problem}`);
    return this.#converter!.convert(pcm16Samples(value.audio), value);
  }

  #joinCarry(bytes: Uint8Array): Uint8Array {
    return this.#carry === undefined ? bytes : concatBytes(this.#carry, bytes);
  }

  #fail(error: Error): void {
    this.stop();
    this.#events?.error(error);
  }
}

/** A WAV header longer than this (its chunks before `data`) is not waited for. */
const MAX_HEADER_BYTES = 65_536;

/**
 * What the first bytes of a byte stream are: a WAV file whose PCM starts at `start` (`size`
 * bytes of it); bare PCM; or "more" while they may still be the beginning of a WAV header (a
 * `TypeError` past {@linkcode MAX_HEADER_BYTES}, or for a WAV format that cannot be played).
 */
function headerOf(head: Uint8Array): WavData | "pcm" | "more" {
  if (head.length < 12) {
    const riff = [0x52, 0x49, 0x46, 0x46]; // "RIFF"
    return head.every((byte, i) => i >= 4 || byte === riff[i]) ? "more" : "pcm";
  }
  if (!isWav(head)) return "pcm";
  const found = wavDataSoFar(head);
  if (found !== undefined) return found;
  if (head.length > MAX_HEADER_BYTES) {
    throw new TypeError("BackgroundAudio: no WAV data chunk in the file's first 64 KiB");
  }
  return "more";
}
