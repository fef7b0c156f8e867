/**
 * A stretch of one party's audio laid end to end on a recording's timeline, converted to the
 * recording's rate and to mono on the way.
 *
 * @module
 */

import { pcm16Samples } from "../audio/pcm.ts";
import { Resampler, RESAMPLER_RATES } from "../audio/resampler.ts";
import type { AudioFrame } from "../frames.ts";
import type { SampleRing } from "./_sample_ring.ts";

/** A segment that replays audio written before, from a point inside its stretch. */
export interface SegmentReplay {
  /**
   * The first sample it writes over: the resampler's output before it, settling from the
   * silence it started from, is not written (the ring holds what the stretch made there).
   */
  writeFrom: number;
  /**
   * How far into its stretch it begins (input frames the stretch's resampler had taken), so that
   * what it pushes is counted as the stretch counted it (see {@linkcode TrackSegment.push}).
   */
  taken: number;
}

/**
 * Writes audio sample after sample from a start index, through one resampler, so a stretch that
 * was continuous at its source stays continuous (and click-free) in the recording. A new stretch
 * (after a gap, a cut, a jump) is a new segment.
 */
export class TrackSegment {
  readonly #ring: SampleRing;
  readonly #rate: number;
  readonly #who: string;
  readonly #onWrite: ((at: number, count: number) => void) | undefined;
  #resampler: Resampler | undefined;
  #inputRate = 0;
  /** Where the segment's next output sample goes; NaN when no segment is open. */
  #next = NaN;
  /** Output samples placed before this index are not written: the ring holds them (a replay's). */
  #writeFrom = -Infinity;
  /** Input frames the resampler has taken since it started afresh (`start`'s `taken` included). */
  #taken = 0;
  /** Samples skipped because their place was committed already. */
  late = 0;

  /**
   * A writer into `ring` at `rate`; `who` names the party in error messages. `onWrite` is told
   * where each run of samples goes, before it is written.
   */
  constructor(
    ring: SampleRing,
    rate: number,
    who: string,
    onWrite?: (at: number, count: number) => void,
  ) {
    this.#ring = ring;
    this.#rate = rate;
    this.#who = who;
    this.#onWrite = onWrite;
  }

  /** Whether a segment is open. */
  get open(): boolean {
    return !Number.isNaN(this.#next);
  }

  /** Where the next sample of the open segment goes. */
  get next(): number {
    return this.#next;
  }

  /**
   * Ends the open segment (its held-back samples are written) and opens one at `at`; `replay`
   * when it goes over audio written before (see {@linkcode SegmentReplay}).
   */
  start(at: number, replay?: SegmentReplay): void {
    this.end();
    this.#next = at;
    this.#writeFrom = replay?.writeFrom ?? -Infinity;
    this.#taken = replay?.taken ?? 0;
  }

  /** Moves the open segment by `samples` (its audio in the ring is moved by the caller). */
  shift(samples: number): void {
    this.#next += samples;
    this.#writeFrom += samples;
  }

  /**
   * Appends a frame's audio. Returns how many input frames the resampler had taken in its stretch
   * before it (0: this frame starts it afresh, from silence). Throws a `RangeError` naming the
   * rate when it cannot be converted to the recording's rate.
   */
  push(frame: AudioFrame): number {
    if (frame.sampleRate !== this.#inputRate) this.#use(frame.sampleRate);
    const mono = downmix(pcm16Samples(frame.audio), frame.channels);
    const taken = this.#taken;
    this.#taken += mono.length;
    this.#write(this.#resampler === undefined ? mono : this.#resampler.process(mono));
    return taken;
  }

  /** Ends the open segment: the resampler's held-back samples are written. */
  end(): void {
    if (this.open && this.#resampler !== undefined) this.#write(this.#resampler.flush());
    this.#next = NaN;
    this.#writeFrom = -Infinity;
    this.#taken = 0;
  }

  /**
   * The recording is over: the open segment ends where it is (its held-back samples, past the
   * end, are not written), and the resampler is let go (its filter and history are tens of KB).
   */
  release(): void {
    this.#resampler = undefined;
    this.#inputRate = 0;
    this.#next = NaN;
    this.#taken = 0;
  }

  #write(samples: Int16Array): void {
    const skip = Math.min(samples.length, Math.max(0, this.#writeFrom - this.#next));
    if (skip > 0) {
      samples = samples.subarray(skip);
      this.#next += skip;
    }
    if (samples.length === 0) return;
    this.#onWrite?.(this.#next, samples.length);
    this.late += this.#ring.write(this.#next, samples);
    this.#next += samples.length;
  }

  #use(inputRate: number): void {
    if (this.#resampler !== undefined && this.open) this.#write(this.#resampler.flush());
    this.#inputRate = inputRate;
    this.#taken = 0;
    if (inputRate === this.#rate) {
      this.#resampler = undefined;
      return;
    }
    if (!RESAMPLER_RATES.includes(inputRate)) {
      throw new RangeError(
        `CallRecorder: ${this.#who} audio at ${inputRate} Hz cannot be resampled to ` +
          `${this.#rate} Hz (rates: ${RESAMPLER_RATES.join(", ")})`,
      );
    }
    this.#resampler = new Resampler({ inputRate, outputRate: this.#rate });
  }
}

/**
 * How far a track may be committed when `before` falls before the end of `segment`'s open
 * stretch: up to where the segment has written. Short of that end, by the resampler's delay at
 * most (2.3 ms), the resampler holds back samples whose places come after its written end; they
 * are written when the stretch goes on or ends, and a commit past them would write their places
 * out as silence first (a hole and a click, counted late though the audio came in time). The
 * write-out waits for them rather than ending the stretch early: a stretch that goes on (a caller
 * laid end to end as far behind its arrival as the hold; a bot with a short `holdMs`) would
 * restart its resampler inside continuous audio, a click of its own. The next commit, a step
 * later, finds the stretch ended and its held samples written, or written on.
 */
export function heldFrom(segment: TrackSegment, before: number): number {
  return Math.min(before, segment.next);
}

/** Mono as it is (a view), or the channels averaged (a new array). */
function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0, i = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, i++) sum += samples[i]!;
    out[f] = Math.round(sum / channels);
  }
  return out;
}
