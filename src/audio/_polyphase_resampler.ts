/**
 * The engine of `Resampler`: a streaming polyphase FIR, optionally with an all-pole cascade on its
 * input or output, for whatever table `_kaiser_filter.ts` or `_elliptic_filter.ts` made.
 *
 * @module
 */

import type { PolyphaseFilter } from "./_polyphase_filter.ts";
import type { OutputArrays, ResamplerCore } from "./_resampler_core.ts";
import { newInt16Array } from "./_slab.ts";

/** The rounded output an unrounded run writes none of. */
const EMPTY = new Int16Array(0);
/** The unrounded outputs' buffer of a resampler that returns none (not a chain's first stage). */
const NO_EXACT = new Float64Array(0);
/** Unrounded outputs the scratch buffer holds from the start: 20 ms at 48 kHz, and some. */
const SCRATCH_FRAMES = 1024;
/** History frames beyond the filter's own each buffer holds from the start (85 ms at 48 kHz). */
const HISTORY_ROOM = 4096;

/**
 * Calls ({@linkcode PolyphaseResampler.process}, `processExact`) after which the buffers are
 * measured against the most the calls among them needed, and cut back where they hold more than
 * twice that: a one-off large chunk (a whole second, 2.6 MB of buffers from 22.05 to 48 kHz) is
 * not held for the resampler's life. Not sooner: at most one cut, and one growth again, per this
 * many calls, so a stream that sends a large chunk now and then is not reallocating at each one;
 * and never below twice the window's largest need, so chunks of the sizes just seen never grow
 * them again (no allocation per chunk once the sizes hold steady). 1.3 s of 20 ms chunks.
 */
const SHRINK_AFTER_CALLS = 64;

/** Where a {@linkcode PolyphaseResampler}'s stream sits among the samples it is fed. */
export interface PolyphaseResamplerOptions {
  /** Interleaved channels. */
  channels: number;
  /**
   * The first `before` frames fed precede the stream's sample 0: the outputs an earlier stage of
   * a chain made before its output 0 (`early` there), which this stage's outputs around its
   * output 0 read as a filter run on the whole stream would. Not counted as input.
   *
   * @default {0}
   */
  before?: number;
  /**
   * Outputs before output 0 to return ahead of it, for the next stage of a chain (given as its
   * `before`); not counted as output.
   *
   * @default {0}
   */
  early?: number;
  /**
   * Whether `process()` keeps the exact-length rule (see {@linkcode PolyphaseResampler.heldBack}):
   * a resampler on its own, not a chain's stage (the chain keeps the rule over both).
   *
   * @default {false}
   */
  exactLength?: boolean;
}

/**
 * Runs a {@linkcode PolyphaseFilter} over interleaved PCM16, keeping per channel the input
 * history the next outputs need and the all-pole state. `process()` returns the outputs whose
 * every tap has arrived; `flush()` completes the stream from silence.
 */
export class PolyphaseResampler implements ResamplerCore {
  readonly #channels: number;
  readonly #filter: PolyphaseFilter;
  /** Per channel: input samples (after the all-pole cascade, when it comes first). */
  #history: Float64Array[] = [];
  /** Outputs before rounding (and before the all-pole cascade when it comes last). */
  #scratch = new Float64Array(SCRATCH_FRAMES);
  /** Unrounded outputs, interleaved, for `processExact` and `flushExact`. */
  #exact = NO_EXACT;
  /** Each history buffer's length from the start: never cut below. */
  readonly #historyStart: number;
  /** Calls since the buffers were last measured (see {@linkcode SHRINK_AFTER_CALLS}). */
  #calls = 0;
  /** The most, since then, needed at once: history frames, outputs, unrounded output samples. */
  #mostHistory = 0;
  #mostOutputs = 0;
  #mostExact = 0;
  /** Per channel, two values per all-pole section. */
  readonly #poleState: Float64Array;
  /** Valid samples in each history buffer. */
  #length = 0;
  /** History index of the first tap of the next output. */
  #start = 0;
  /** Filter phase (0 ≤ phase < up) of the next output. */
  #phase = 0;
  #inputFrames = 0;
  #outputFrames = 0;
  /** Outputs before output 0 still to compute: dropped (a warm-up) or returned (`early`). */
  #pending = 0;
  /** Where a new stream starts (see {@linkcode streamStart}). */
  readonly #begin: StreamStart;
  /** Whether the outputs before output 0 are returned (`early`) rather than dropped. */
  readonly #returnsEarly: boolean;
  /** The exact-length rule's hold-back ({@linkcode heldBack}); −1: no rule, every ready output. */
  readonly #heldBack: number;

  constructor(filter: PolyphaseFilter, options: PolyphaseResamplerOptions) {
    const { channels, before = 0, early = 0 } = options;
    this.#channels = channels;
    this.#filter = filter;
    this.#begin = streamStart(filter, before, early);
    this.#returnsEarly = early > 0;
    this.#poleState = new Float64Array(filter.poles.length * channels);
    this.#historyStart = filter.taps + this.#begin.zeros + before + HISTORY_ROOM;
    for (let c = 0; c < channels; c++) this.#history.push(new Float64Array(this.#historyStart));
    this.reset();
    const { up, down } = filter;
    this.#heldBack = options.exactLength
      ? leastHeldBack(up, down, down, (fed) => this.completeAfter(fed))
      : -1;
  }

  /**
   * With `exactLength`, how far a stream's outputs stay behind its exact share after every
   * `process()`: its outputs in all are then `floor(inputFrames × up / down) − heldBack` (none
   * before there are that many), however the stream is cut, so that no chunk's output comes out a
   * sample long or short of its share beside the chunks before it (a 20 ms chunk then gives its 20
   * ms, whatever chunks came first). The fewest that keeps every such output complete: the
   * filter's delay in whole outputs, as many as whole periods of input leave held (the share
   * floored, not rounded: rounded, it held a sample more for six pairs, 24 → 16 kHz among them). −1
   * without it.
   */
  get heldBack(): number {
    return this.#heldBack;
  }

  /** Input frames after which the outputs' placement on them repeats: the ratio's `down`. */
  get period(): number {
    return this.#filter.down;
  }

  /**
   * How many outputs `process()` would have returned in all (those before output 0 it returns,
   * `early`, among them; not the warm-up it drops) once `fed` frames of a stream (`before` ones
   * among them) are fed, every complete output returned: computed, nothing fed.
   */
  completeAfter(fed: number): number {
    const { up, down, taps } = this.#filter;
    const begin = this.#begin;
    // As `#ready()`, from the stream's start: first tap at 0 and phase `begin.phase`.
    const room = (begin.zeros + fed - taps + 1) * up - begin.phase;
    const ready = room > 0 ? Math.floor((room + down - 1) / down) : 0;
    return this.#returnsEarly ? ready : Math.max(0, ready - begin.outputsBefore);
  }

  /**
   * `most`: no more outputs than that (a chain keeping its exact-length rule over both stages).
   */
  process(
    input: Int16Array | Float64Array,
    allocate: OutputArrays = newInt16Array,
    most = Infinity,
  ): Int16Array {
    const frames = input.length / this.#channels;
    this.#feed(input, frames);
    this.#inputFrames += frames;
    this.#warm();
    const out = this.#produce(Math.min(this.#ready(), this.#due(), most), allocate) as Int16Array;
    this.#shrinkWhenDue();
    return out;
  }

  /**
   * Outputs the exact-length rule lets out now ({@linkcode heldBack}), or all without it: a
   * multiply and a division a call, no object.
   */
  #due(): number {
    if (this.#heldBack < 0) return Infinity;
    const { up, down } = this.#filter;
    return Math.max(0, shareOf(this.#inputFrames, up, down) - this.#heldBack - this.#outputFrames);
  }

  /**
   * {@linkcode PolyphaseResampler.process}, the outputs unrounded, for the next stage of a chain:
   * a view on a buffer of this resampler, valid until its next call.
   */
  processExact(input: Int16Array): Float64Array {
    const frames = input.length / this.#channels;
    this.#feed(input, frames);
    this.#inputFrames += frames;
    this.#warm();
    // The view stays valid when `#exact` is cut back: it keeps the buffer it is on.
    const out = this.#produce(this.#ready(), undefined) as Float64Array;
    this.#shrinkWhenDue();
    return out;
  }

  flush(allocate: OutputArrays = newInt16Array): Int16Array {
    return this.#end(allocate) as Int16Array;
  }

  /** {@linkcode PolyphaseResampler.flush}, unrounded, like {@linkcode processExact}. */
  flushExact(): Float64Array {
    return this.#end(undefined) as Float64Array;
  }

  /** `allocate`: as in {@linkcode #run}. */
  #end(allocate: OutputArrays | undefined): Int16Array | Float64Array {
    const { up, down, taps } = this.#filter;
    const total = Math.floor((2 * Math.max(0, this.#inputFrames) * up + down) / (2 * down));
    // A filter's length of silence completes every output up to `total`.
    this.#feed(null, taps);
    this.#warm();
    const wanted = this.#pending + total - this.#outputFrames;
    const out = this.#produce(Math.min(wanted, this.#ready()), allocate);
    this.reset();
    return out;
  }

  reset(): void {
    this.#cutBackAtStreamEnd();
    const begin = this.#begin;
    // `| 0` on what `streamStart` computed: reached through negative numbers (−0 among them),
    // these small integers were stored as doubles, and every later `#run` took half as long again
    // (measured, 8 → 16 kHz: 290 µs a second of audio against 150 for the table's own values).
    this.#length = begin.zeros | 0;
    for (const history of this.#history) history.fill(0, 0, this.#length);
    this.#poleState.fill(0);
    this.#start = 0;
    this.#phase = begin.phase | 0;
    this.#inputFrames = -begin.before | 0;
    this.#outputFrames = 0;
    this.#pending = begin.outputsBefore;
  }

  /**
   * Computes the warm-up outputs the history holds every tap for, and drops them: only the
   * all-pole state they leave is wanted (see `PolyphaseFilter.warmUp`). Not when they are
   * returned (`early`).
   */
  #warm(): void {
    if (this.#pending === 0 || this.#returnsEarly) return;
    const count = Math.min(this.#pending, this.#ready());
    if (count > 0) this.#produce(count, undefined);
  }

  /** {@linkcode #run}, the outputs before output 0 among them not counted as output. */
  #produce(count: number, allocate: OutputArrays | undefined): Int16Array | Float64Array {
    const out = this.#run(count, allocate);
    const before = Math.min(this.#pending, count);
    this.#pending -= before;
    this.#outputFrames -= before;
    return out;
  }

  /**
   * Every {@linkcode SHRINK_AFTER_CALLS} calls: each buffer holding more than twice the most the
   * calls since needed of it (and more than it started with) is cut back to that, the history
   * kept; then the count starts again. One comparison per call otherwise.
   */
  #shrinkWhenDue(): void {
    if (++this.#calls < SHRINK_AFTER_CALLS) return;
    const history = Math.max(this.#historyStart, 2 * this.#mostHistory);
    if (this.#history[0]!.length > history) {
      const start = this.#start, length = this.#length;
      for (let c = 0; c < this.#channels; c++) {
        // Deliberate copy, once a window at most: the history the next outputs still read.
        const kept = new Float64Array(history);
        kept.set(this.#history[c]!.subarray(start, length));
        this.#history[c] = kept;
      }
      this.#length = length - start;
      this.#start = 0;
    }
    const outputs = Math.max(SCRATCH_FRAMES, 2 * this.#mostOutputs);
    if (this.#scratch.length > outputs) this.#scratch = new Float64Array(outputs);
    const exact = 2 * this.#mostExact;
    if (this.#exact.length > exact) {
      this.#exact = exact === 0 ? NO_EXACT : new Float64Array(exact);
    }
    this.#calls =
      this.#mostHistory =
      this.#mostOutputs =
      this.#mostExact =
        0;
  }

  /**
   * A stream ends (`reset`, `flush`): nothing in the buffers is read again, so each one a large
   * chunk grew goes back to its first size now, with no copy, not after 64 more calls, which may
   * never come (a reply's one large chunk, then a quiet session: 2.6 MB held from 22.05 to 48
   * kHz). At most one allocation per buffer per stream, and none while chunks stay small.
   */
  #cutBackAtStreamEnd(): void {
    const start = this.#historyStart;
    if (this.#history.length > 0 && this.#history[0]!.length > start) {
      this.#history = this.#history.map(() => new Float64Array(start));
    }
    if (this.#scratch.length > SCRATCH_FRAMES) this.#scratch = new Float64Array(SCRATCH_FRAMES);
    // The unrounded outputs of 20 ms chunks at any rate (grown to twice a chunk's) are kept: a
    // chain's first stage would make them again at each stream's first chunk.
    if (this.#exact.length > 2 * SCRATCH_FRAMES * this.#channels) this.#exact = NO_EXACT;
    this.#calls =
      this.#mostHistory =
      this.#mostOutputs =
      this.#mostExact =
        0;
  }

  /** Appends `frames` frames of `input` (silence when null) to the history of each channel. */
  #feed(input: Int16Array | Float64Array | null, frames: number): void {
    this.#append(frames);
    const channels = this.#channels;
    const at = this.#length;
    for (let c = 0; c < channels; c++) {
      const history = this.#history[c]!;
      // Deinterleave: the dot products then run over contiguous memory.
      if (input === null) history.fill(0, at, at + frames);
      else if (channels === 1) history.set(input, at);
      else for (let i = 0, j = c; i < frames; i++, j += channels) history[at + i] = input[j]!;
      if (this.#filter.polesFirst) {
        const { poles } = this.#filter;
        allPole(history, at, frames, poles, 0, this.#poleState, 12 * c);
        allPole(history, at, frames, poles, 6, this.#poleState, 12 * c + 6);
      }
    }
    this.#length += frames;
  }

  /** Drops history no output needs any more and makes room for `frames` more samples. */
  #append(frames: number): void {
    const start = this.#start;
    const kept = this.#length - start;
    const needed = kept + frames;
    if (needed > this.#mostHistory) this.#mostHistory = needed;
    for (let c = 0; c < this.#channels; c++) {
      const history = this.#history[c]!;
      if (needed > history.length) {
        // Deliberate copy: a chunk bigger than any before needs a bigger buffer (amortized).
        const grown = new Float64Array(Math.max(needed, 2 * history.length));
        grown.set(history.subarray(start, this.#length));
        this.#history[c] = grown;
      } else if (start > 0) {
        history.copyWithin(0, start, this.#length);
      }
    }
    this.#length = kept;
    this.#start = 0;
  }

  /** How many outputs the history now holds every tap for. */
  #ready(): number {
    const { up, down, taps } = this.#filter;
    // Output j's first tap is at floor((start·up + phase + j·down) / up); its last must be < length.
    const room = (this.#length - taps + 1) * up - (this.#start * up + this.#phase);
    return room > 0 ? Math.floor((room + down - 1) / down) : 0;
  }

  /**
   * Computes the next `count` output frames, interleaved: rounded into a new `Int16Array` from
   * `allocate`, or without it unrounded into `#exact` (returning a view on it).
   */
  #run(count: number, allocate: OutputArrays | undefined): Int16Array | Float64Array {
    const { up, down, taps, coefficients, poles, polesFirst } = this.#filter;
    const channels = this.#channels;
    const exact = allocate === undefined;
    const out = exact ? EMPTY : allocate(count * channels);
    if (count > this.#mostOutputs) this.#mostOutputs = count;
    if (this.#scratch.length < count) this.#scratch = new Float64Array(2 * count);
    if (exact && count * channels > this.#mostExact) this.#mostExact = count * channels;
    if (exact && this.#exact.length < count * channels) {
      this.#exact = new Float64Array(2 * count * channels);
    }
    const y = this.#scratch;
    const step = Math.floor(down / up);
    const carry = down % up;
    // Small ratios (up ≤ 8: the elliptic tables) compute four outputs of the same phase per pass,
    // so each coefficient is loaded once for four products. Every output, blocked or not, sums
    // its taps in the same order, so any chunking gives bit-identical results.
    const block = up <= 8 ? 4 * up : 0;
    const post = !polesFirst && poles.length > 0;
    // Outputs go through `y` when poles follow or the caller wants them unrounded.
    const keep = post || exact;
    let start = this.#start;
    let phase = this.#phase;
    for (let c = 0; c < channels; c++) {
      const x = this.#history[c]!;
      start = this.#start;
      phase = this.#phase;
      let j = 0;
      if (block > 0) {
        for (; j + block <= count; j += block) {
          for (let r = 0, s = start, p = phase; r < up; r++) {
            const h = p * taps;
            let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            // Tap k of output q reads x[s + q·down + k]. Taken in the order k = m, m + down,
            // m + 2·down, … for each m < down, the four outputs walk one sequence of stride
            // `down`, each one element ahead of the previous: every input sample is loaded once
            // and passed along, so a pass costs two loads for four products.
            for (let m = 0; m < down; m++) {
              let i = s + m;
              let x0 = x[i]!, x1 = x[i + down]!, x2 = x[i + 2 * down]!;
              i += 3 * down;
              for (let k = h + m, end = h + taps; k < end; k += down, i += down) {
                const ck = coefficients[k]!;
                const x3 = x[i]!;
                a0 += ck * x0;
                a1 += ck * x1;
                a2 += ck * x2;
                a3 += ck * x3;
                x0 = x1;
                x1 = x2;
                x2 = x3;
              }
            }
            if (keep) {
              y[j + r] = a0;
              y[j + r + up] = a1;
              y[j + r + 2 * up] = a2;
              y[j + r + 3 * up] = a3;
            } else {
              // Without poles after the FIR, round straight into the output.
              const o = (j + r) * channels + c, stride = up * channels;
              out[o] = round(a0);
              out[o + stride] = round(a1);
              out[o + 2 * stride] = round(a2);
              out[o + 3 * stride] = round(a3);
            }
            s += step;
            p += carry;
            if (p >= up) {
              p -= up;
              s++;
            }
          }
          // `up` outputs advance exactly `down` input samples and return to the same phase.
          start += 4 * down;
        }
        for (; j < count; j++) {
          let a = 0;
          for (let m = 0, h = phase * taps; m < down; m++) {
            for (let k = h + m, end = h + taps, i = start + m; k < end; k += down, i += down) {
              a += coefficients[k]! * x[i]!;
            }
          }
          if (keep) y[j] = a;
          else out[j * channels + c] = round(a);
          start += step;
          phase += carry;
          if (phase >= up) {
            phase -= up;
            start++;
          }
        }
      } else {
        for (; j < count; j++) {
          const h = phase * taps;
          // Four partial sums break the add dependency chain (taps is a multiple of 4).
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (let k = h, end = h + taps, s = start; k < end; k += 4, s += 4) {
            a0 += coefficients[k]! * x[s]!;
            a1 += coefficients[k + 1]! * x[s + 1]!;
            a2 += coefficients[k + 2]! * x[s + 2]!;
            a3 += coefficients[k + 3]! * x[s + 3]!;
          }
          if (keep) y[j] = a0 + a1 + (a2 + a3);
          else out[j * channels + c] = round(a0 + a1 + (a2 + a3));
          start += step;
          phase += carry;
          if (phase >= up) {
            phase -= up;
            start++;
          }
        }
      }
      const state = this.#poleState;
      if (post) {
        allPole(y, 0, count, poles, 0, state, 12 * c);
        allPole(y, 0, count, poles, 6, state, 12 * c + 6, exact ? null : out, c, channels);
      }
      if (exact) {
        const into = this.#exact;
        for (let j = 0, o = c; j < count; j++, o += channels) into[o] = y[j]!;
      }
    }
    this.#start = start;
    this.#phase = phase;
    this.#outputFrames += count;
    return exact ? this.#exact.subarray(0, count * channels) : out;
  }
}

/**
 * Past this many input frames every resampler here has left its stream's start behind: no pair
 * needs more than 143 before its first output (192 → 8 kHz, a chain), after which outputs come as
 * the placement alone says.
 */
const STEADY_FROM = 8192;

/** The outputs `frames` input frames come to at `up / down`, floored: the exact-length rule's. */
export function shareOf(frames: number, up: number, down: number): number {
  // Exact: the product stays far below 2^53, and a quotient short of an integer by at least
  // 1 / down is never rounded up to it.
  return Math.floor((frames * up) / down);
}

/**
 * The exact-length rule's hold-back for a stream whose outputs after `fed` input frames are
 * `complete(fed)`, converting by `up / down`, their placement repeating every `period` input
 * frames (a multiple of `down`): the most by which the share ({@linkcode shareOf}) runs ahead of
 * what is complete. Taken over one period past the start, where the placement repeats: at the
 * start, fewer outputs are complete than the repeating placement says (none before the first),
 * but as many more are owed: the filter reads silence before the stream, so it is never more.
 */
export function leastHeldBack(
  up: number,
  down: number,
  period: number,
  complete: (fed: number) => number,
): number {
  const from = period * Math.ceil(STEADY_FROM / period);
  let most = 0;
  for (let fed = from; fed < from + period; fed++) {
    most = Math.max(most, shareOf(fed, up, down) - complete(fed));
  }
  return most;
}

/**
 * How many samples before the stream's sample 0 the outputs from output 0 on depend on: what a
 * chain's second stage can usefully take `before` (unbounded when the all-pole cascade follows
 * the FIR: its state carries every sample on).
 */
export function reachBefore(filter: PolyphaseFilter): number {
  if (!filter.polesFirst && filter.poles.length > 0) return Infinity;
  return Math.max(0, -firstTap(filter, 0));
}

/**
 * Where a stream starts in a {@linkcode PolyphaseResampler}'s history, and what it computes
 * first.
 */
interface StreamStart {
  /**
   * Silent samples in the history before the first one fed: the first output's first tap is at 0.
   */
  readonly zeros: number;
  /** Filter phase of the first output computed. */
  readonly phase: number;
  /** Outputs computed before output 0. */
  readonly outputsBefore: number;
  /** Frames fed before the stream's sample 0. */
  readonly before: number;
}

/** Output j's first tap, in 1/up samples from the stream's sample 0 (the table's placement). */
function firstTapAt(filter: PolyphaseFilter, j: number): number {
  const { up, down, lead, firstStart, firstPhase, warmUp } = filter;
  // The table's first output is −warmUp, its first tap at `firstStart` behind `lead` zeros.
  return (firstStart - lead) * up + firstPhase + (j + warmUp) * down;
}

/** Output j's first tap, in samples from the stream's sample 0. */
function firstTap(filter: PolyphaseFilter, j: number): number {
  return Math.floor(firstTapAt(filter, j) / filter.up);
}

/**
 * How many outputs before output 0 have a tap on the stream, or on the `before` samples fed ahead
 * of it: what a chain's first stage can usefully return `early`.
 */
export function outputsBefore(filter: PolyphaseFilter, before = 0): number {
  let count = 0;
  while (firstTap(filter, -count - 1) + filter.taps - 1 >= -before) count++;
  return count;
}

/**
 * The history a stream starts from. Outputs before output 0 are computed when the all-pole
 * cascade follows the FIR (its state must have seen every sample: a warm-up, dropped) or when
 * `early` asks for them (returned); the rest of them read only the silence before the stream.
 */
function streamStart(filter: PolyphaseFilter, before: number, early: number): StreamStart {
  if (!Number.isInteger(before) || before < 0 || !Number.isInteger(early) || early < 0) {
    throw new RangeError(`before and early must be integers ≥ 0, got ${before} and ${early}`);
  }
  const warmUp = !filter.polesFirst && filter.poles.length > 0 ? outputsBefore(filter, before) : 0;
  if (early > 0 && early < warmUp) {
    // Part returned, part dropped would hand the next stage a lead-in it cannot be told about.
    throw new RangeError(`early (${early}) must cover the warm-up (${warmUp})`);
  }
  const count = Math.max(early, warmUp);
  const tap = firstTap(filter, -count);
  if (tap > -before) {
    // The history would have to skip samples fed: `before` brings more than any output reads.
    throw new RangeError(`before (${before}) reaches further back than the filter (${-tap})`);
  }
  const up = filter.up;
  const phase = ((firstTapAt(filter, -count) % up) + up) % up;
  return { zeros: -before - tap, phase, outputsBefore: count, before };
}

/** Rounds to the nearest PCM16 value, halves up (as `Math.round`), clipping at full scale. */
function round(v: number): number {
  // `| 0` truncates, which is floor for the positive sum; cheaper than `Math.round` here.
  return v >= 32766.5 ? 32767 : v < -32768 ? -32768 : ((v + 32768.5) | 0) - 32768;
}

// The all-pole cascade runs as two passes of three sections: with six sections in one loop their
// states no longer fit in registers, and the spills lengthen each section's loop-carried chain
// (measured: 4.2 ns per sample in one pass, 3.3 ns in two).

/**
 * Runs `x[at … at + count)` through three all-pole sections `1 / (1 + d1·z⁻¹ + d2·z⁻²)`, their
 * [d1, d2] pairs at `poles[p …]` and their states at `state[s …]`: in place, or when `out` is
 * given, rounded into `out[o]`, `out[o + stride]`, … instead.
 */
function allPole(
  x: Float64Array,
  at: number,
  count: number,
  poles: Float64Array,
  p: number,
  state: Float64Array,
  s: number,
  out: Int16Array | null = null,
  o = 0,
  stride = 1,
): void {
  const d11 = poles[p]!, d21 = poles[p + 1]!, d12 = poles[p + 2]!, d22 = poles[p + 3]!;
  const d13 = poles[p + 4]!, d23 = poles[p + 5]!;
  let p1 = state[s]!, q1 = state[s + 1]!, p2 = state[s + 2]!, q2 = state[s + 3]!;
  let p3 = state[s + 4]!, q3 = state[s + 5]!;
  for (let i = at, end = at + count; i < end; i++, o += stride) {
    // Each recurrence reads its last value last: one multiply and one subtraction on the
    // loop-carried chain.
    const w1 = x[i]! - d21 * q1 - d11 * p1;
    q1 = p1;
    p1 = w1;
    const w2 = w1 - d22 * q2 - d12 * p2;
    q2 = p2;
    p2 = w2;
    const w3 = w2 - d23 * q3 - d13 * p3;
    q3 = p3;
    p3 = w3;
    if (out === null) x[i] = w3;
    else out[o] = round(w3);
  }
  state[s] = p1, state[s + 1] = q1, state[s + 2] = p2;
  state[s + 3] = q2, state[s + 4] = p3, state[s + 5] = q3;
}
