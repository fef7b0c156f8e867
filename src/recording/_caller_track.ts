/**
 * The caller's side of a recording: inbound audio placed where it was spoken.
 *
 * @module
 */

import { durationMs } from "../audio/pcm.ts";
import type { AudioFrame } from "../frames.ts";
import { PlacedSpans } from "./_placed_spans.ts";
import type { SampleRing } from "./_sample_ring.ts";
import { heldFrom, TrackSegment } from "./_track_segment.ts";

/**
 * The most a first frame is drawn earlier by its second's media time (ms): the samples an inbound
 * resampler holds back, 2.3 ms at most (`Resampler`'s latency), and a sample's rounding.
 */
const MAX_HELD_MS = 3;

/** Converts clock milliseconds to sample indices on the recording's timeline and back. */
export interface RecordingTimeline {
  /** The sample index (an integer) where clock time `ms` falls. */
  sampleAt(ms: number): number;
  /** The clock time of sample index `sample`. */
  timeAt(sample: number): number;
}

/**
 * Places inbound audio on the recording's timeline. With media timestamps (`timestampMs`), each
 * frame goes where the provider's media clock puts it, anchored to the arrival of the first one
 * (drawn earlier by as much as the second's media time says it fell short of its packet: samples
 * a resampler held back), so late or reordered audio lands in its place and lost audio stays
 * silent; a jump back or ahead of real time by more than `gapMs` is a new media timeline, anchored
 * afresh. Without them, frames are laid end to end from the first one's arrival: arrival jitter
 * moves nothing, and only an arrival `gapMs` later than the audio so far (the caller's client
 * stopped sending), the audio so far written out already (a pause longer than the hold), or a
 * frame that would end more than `gapMs` after its arrival (a sender faster than real time)
 * starts a new stretch at the arrival.
 *
 * Audio faster than real time cannot all fit the call's time: the newest goes where it arrived,
 * over what was placed there, and what it writes over, what of it falls where the recording is
 * written out already, and what is still ahead of the call when it ends are counted (`overrun`).
 */
export class CallerTrack {
  readonly #segment: TrackSegment;
  /** For a frame that arrives after the audio that follows it. */
  readonly #stray: TrackSegment;
  readonly #ring: SampleRing;
  readonly #timeline: RecordingTimeline;
  readonly #gapMs: number;
  /** Clock time of media time 0 (timestamped audio); NaN until the first timestamped frame. */
  #anchor = NaN;
  /** Clock time where the audio placed so far ends; NaN before the first frame. */
  #endMs = NaN;
  /** The length of the last frame placed (ms); 0 before the first. */
  #lastMs = 0;
  /**
   * Where the first frame of a new media timeline was laid (a sample index), until the frame after
   * it is; NaN otherwise (see {@linkcode #drawFirst}).
   */
  #firstAt = NaN;
  readonly #rate: number;
  /** Where caller audio is held, to count what is written over. */
  readonly #placed = new PlacedSpans();
  #overrun = 0;
  /** A new inbound stream began (see {@linkcode newStream}): the next timestamped frame starts it. */
  #newStream = false;

  /** The caller's track in `ring`. */
  constructor(ring: SampleRing, rate: number, timeline: RecordingTimeline, gapMs: number) {
    this.#ring = ring;
    this.#rate = rate;
    const onWrite = (at: number, count: number) => {
      this.#overrun += this.#placed.add(at, at + count, ring.base);
    };
    this.#segment = new TrackSegment(ring, rate, "caller", onWrite);
    this.#stray = new TrackSegment(ring, rate, "caller", onWrite);
    this.#timeline = timeline;
    this.#gapMs = gapMs;
  }

  /** Samples skipped because they came after their place was written out. */
  get late(): number {
    return this.#segment.late + this.#stray.late;
  }

  /**
   * Samples that came faster than real time and found no place in the call's time: written over
   * by audio placed later, or still ahead of the call when it ended (see {@linkcode close}).
   */
  get overrun(): number {
    return this.#overrun;
  }

  /**
   * A new inbound stream begins (a provider's `start` again on the same socket): its media time
   * counts from 0 anew. Read by the old stream's anchor, its first frames fell where the old
   * stream began, and where that was within `gapMs` they were taken for frames out of order: the
   * new stream was laid over the old one's audio (counted overrun) and as much earlier than it
   * was spoken. Its next timestamped frame begins a new media timeline, at its arrival.
   */
  newStream(): void {
    this.#newStream = true;
  }

  /** Places `frame`, which arrived at clock time `receivedAt`. */
  push(frame: AudioFrame, receivedAt: number): void {
    const ms = durationMs(frame.audio.length, frame);
    const arrivedFrom = receivedAt - ms;
    const end = this.#endMs;
    // How far a media time may stray from the end of the audio so far and still follow on from
    // it: half a frame of the stream, this one's or the one before's, whichever is longer. Half of
    // this one's alone held a short frame to a fraction of a millisecond: the samples an inbound
    // resampler holds back, handed on when the stream ends (`OrderedMedia.flush`) and stamped where
    // its media ends, follow audio laid that much before their stamp where the first frame was not
    // drawn to its place (see `#drawFirst`), or behind a jittered stamp: laid at their own stamp,
    // they came after a hole as long as they are (0.3 ms of a Twilio call made 16 kHz), or over the
    // end of the audio before them, and the recording's resampler restarted there.
    const slack = Math.max(ms, this.#lastMs) / 2;
    this.#lastMs = ms;
    const firstAt = this.#firstAt;
    this.#firstAt = NaN;
    let at: number;
    /** Placed at its arrival because it came faster than real time. */
    let ahead = false;
    /** It begins a new media timeline, anchored at its arrival. */
    let fresh = false;
    const newStream = this.#newStream;
    this.#newStream = false;
    if (frame.timestampMs !== undefined) {
      // A new stream's is anchored afresh, as the first frame is (no anchor: NaN).
      at = newStream ? NaN : this.#anchor + frame.timestampMs;
      // Ahead of real time: its audio would end more than gapMs after it arrived.
      ahead = at + ms > receivedAt + this.#gapMs;
      if (!ahead && at < end - slack && at >= end - this.#gapMs) {
        // Out of order, behind audio placed already: it fills its own place (a hole), or what of
        // it is not written out yet, the rest counted late. Taken for a new media timeline where
        // its place was written out (it came later than `holdMs`), it was laid at its arrival over
        // the newest audio, and every frame after it was later by its lateness for the rest of
        // the call (a `holdMs` shorter than `gapMs`).
        this.#stray.start(this.#timeline.sampleAt(at));
        this.#stray.push(frame);
        this.#stray.end();
        return;
      }
      // A new media timeline: the first frame, the provider's clock jumped back or ahead of
      // real time, or on from the audio so far to a place written out already (a media clock
      // slower than real time). Anchor it to this arrival.
      fresh = !(at >= end - slack) || !(at + ms <= receivedAt + this.#gapMs) ||
        at < this.#committedMs();
      if (fresh) {
        this.#anchor = arrivedFrom - frame.timestampMs;
        at = arrivedFrom;
      } else if (Math.abs(at - end) < slack) {
        if (at > end && !Number.isNaN(firstAt)) this.#drawFirst(firstAt, at - end);
        at = this.#endMs; // timestamps with a little jitter (Plivo's are wall-clock ms): no gap
      }
    } else if (
      Number.isNaN(end) || arrivedFrom > end + this.#gapMs ||
      this.#timeline.sampleAt(end) < this.#ring.base
    ) {
      // The first frame, a client that stopped sending (a gap), or one whose audio so far ends
      // where the recording is written out already (a pause longer than `holdMs`): laid there,
      // this frame and the rest of its stretch would all come too late, lost. At its arrival.
      at = arrivedFrom;
    } else if (end + ms > receivedAt + this.#gapMs) {
      // Laid after the audio so far it would end more than gapMs ahead of real time (and a long
      // frame far ahead would make the ring write the recording out before its time).
      at = arrivedFrom;
      ahead = true;
    } else {
      at = end;
    }
    // Right after the last frame: the same stretch, resampled as one.
    if (!this.#segment.open || at !== this.#endMs) {
      this.#segment.start(this.#timeline.sampleAt(at));
    }
    // Where the stretch ends once this frame is in it, before it is written: a frame further
    // ahead than the rings hold (the first after a minute of nothing told) makes room as it is
    // written, and that commit asks `settle` whether the stretch has ended. By the end before this
    // frame it had: the stretch the frame was being written into was ended there, its resampler
    // flushed in the middle of the frame (the held-back samples counted overrun), and the next
    // frame started afresh after a hole, a click in continuous speech.
    this.#endMs = at + ms;
    if (ahead) {
      // What falls before the committed point came early, not late: more than the call's time
      // holds, so it is counted with what is written over.
      const late = this.#segment.late;
      this.#segment.push(frame);
      this.#overrun += this.#segment.late - late;
      this.#segment.late = late;
    } else {
      this.#segment.push(frame);
    }
    if (fresh) this.#firstAt = this.#timeline.sampleAt(at);
  }

  /**
   * The second frame of a media timeline begins `ms` after the first frame's audio ends, by its
   * media time: the first was short of its packet by that much, samples a resampler held back
   * (a Twilio call's 8 kHz made 16 kHz: 0.3 ms), which came out with this one. Laid to end at its
   * arrival, it began that much late, and every frame after it with it: the samples handed on at
   * the stream's end ran past the end of a call that closed as its last packet came, counted
   * overrun. So it is drawn earlier by as much, if that is a resampler's hold at most (a larger
   * step is the media time's jitter: the frame is laid end to end all the same) and lies over
   * nothing placed or written out; the timeline's anchor with it.
   */
  #drawFirst(firstAt: number, ms: number): void {
    const samples = Math.round(ms * this.#rate / 1000);
    const to = firstAt - samples;
    if (samples <= 0 || ms > MAX_HELD_MS || to < this.#ring.base) return;
    if (this.#placed.from(to) !== this.#placed.from(firstAt)) return; // audio before it there
    const audio = this.#ring.copy(firstAt);
    this.#ring.erase(to);
    this.#ring.write(to, audio);
    this.#placed.shift(firstAt, -samples);
    this.#segment.shift(-samples);
    const drawnMs = samples * 1000 / this.#rate;
    this.#anchor -= drawnMs;
    this.#endMs -= drawnMs;
  }

  #committedMs(): number {
    return this.#timeline.timeAt(this.#ring.base);
  }

  /**
   * Ends the open stretch if it ended before sample `before`, so the resampler's held-back
   * samples are written before that point is committed. Returns how far the track may be
   * committed: `before`, or, where `before` falls among the samples the open stretch's resampler
   * still holds, the stretch's written end (see {@linkcode heldFrom}).
   */
  settle(before: number): number {
    if (!this.#segment.open) return before;
    if (this.#timeline.sampleAt(this.#endMs) <= before) {
      this.#segment.end();
      return before;
    }
    return heldFrom(this.#segment, before);
  }

  /**
   * Ends the open stretch (the resampler's held-back samples are written) for a recording that
   * ends before sample `until`: audio placed from there on (it came ahead of real time) is never
   * written out, so it is counted.
   */
  close(until: number): void {
    this.#segment.end();
    this.#overrun += this.#placed.from(until);
  }

  /** The recording is over: the resamplers are let go (only the counts are read after). */
  release(): void {
    this.#segment.release();
    this.#stray.release();
  }
}
