/**
 * The bot's last chunks, kept so that a recording that resamples them can replay them through
 * its resampler once their places change (see `BotTrack`).
 *
 * @module
 */

import type { AudioFrame } from "../frames.ts";

/** Positions closer than this are the same (sums of float chunk durations). */
const EPSILON = 1e-6;
/**
 * Chunks are kept this much longer than the recording holds them (ms): audio the far end buffers
 * ahead is told before it plays, and is written out that much later; and a replay of the audio
 * before a gap starts a warm-up before it (`WARM_UP_MS`). (600 ms: all that was kept before the
 * hold counted, so a short hold keeps no less than it did.)
 */
const PAST_HOLD_MS = 600;
/**
 * A replay of the audio before a gap starts this far (ms of input) before its end, where its
 * stretch began no nearer: the elliptic filters forget a start from silence within it (40 ms
 * leave at most 1 LSB at 8 kHz, the slowest; 80 ms nothing, at every pair of rates).
 */
const WARM_UP_MS = 100;

/** A chunk the bot sent, as it went through the recording's resampler. */
export interface KeptChunk {
  /** Its position on the outbound timeline, and its length (ms). */
  position: number;
  durationMs: number;
  /** Its audio (a copy: the transport's may be reused). */
  frame: AudioFrame;
  /**
   * Input frames its stretch's resampler had taken before it: 0, it began the stretch; NaN, the
   * stretch began part-way through it.
   */
  taken: number;
}

/**
 * The bot's last chunks that a recording at `rate` resamples, back to back: as far back as a move
 * can reach (what the recording holds) and more (see `PAST_HOLD_MS`).
 */
export class KeptChunks {
  readonly #rate: number;
  /**
   * How much is kept (ms): what the recording holds (`holdMs`), which a move may reach back into
   * (a packet holds its audio up to its length before it leaves), and `PAST_HOLD_MS` more. A
   * fixed 600 ms let go of the start of a packet longer than that (1 s of 16 kHz, with a 1 s
   * hold): each join it held kept a dip and a ring (42 % at 8 kHz).
   */
  readonly #keptMs: number;
  #chunks: KeptChunk[] = [];

  /** Chunks for a recording at `rate` that holds its audio `holdMs` (the recorder's option). */
  constructor(rate: number, holdMs: number) {
    this.#rate = rate;
    this.#keptMs = holdMs + PAST_HOLD_MS;
  }

  /** The chunks kept, oldest first. */
  get chunks(): readonly KeptChunk[] {
    return this.#chunks;
  }

  /**
   * Keeps a chunk at `position` that its stretch's resampler had taken `taken` input frames
   * before. One at the recording's rate lets go of all: a join moves its samples themselves,
   * which is exact, and nothing before it can be replayed through it.
   */
  keep(chunk: AudioFrame, position: number, durationMs: number, taken: number): void {
    // A recording that does not resample (the bot's rate is the recording's) keeps nothing, and
    // pays nothing per chunk for it: no copy, and no new list.
    if (chunk.sampleRate === this.#rate) return this.clear();
    let chunks = this.#chunks;
    const last = chunks.at(-1);
    if (last !== undefined && Math.abs(last.position + last.durationMs - position) > EPSILON) {
      this.clear(); // not back to back with what is kept
      chunks = this.#chunks;
    }
    chunks.push({ position, durationMs, frame: { ...chunk, audio: chunk.audio.slice() }, taken });
    while (
      chunks.length > 1 && chunks[0]!.position + chunks[0]!.durationMs < position - this.#keptMs
    ) {
      chunks.shift();
    }
  }

  /** Lets go of all (what comes next starts a stretch of its own). */
  clear(): void {
    // A new list, not the old one emptied: a caller may be going through the old one (a replay).
    if (this.#chunks.length > 0) this.#chunks = [];
  }

  /**
   * The index of the chunk that holds position `from` (begins there or before, ends after it),
   * if the chunks kept run from there to position `to`; -1 otherwise.
   */
  covering(from: number, to: number): number {
    const chunks = this.#chunks;
    const last = chunks.at(-1);
    const at = chunks.findIndex((chunk) => from < chunk.position + chunk.durationMs - EPSILON);
    if (at < 0 || chunks[at]!.position > from + EPSILON) return -1;
    return Math.abs(last!.position + last!.durationMs - to) < EPSILON ? at : -1;
  }

  /**
   * Where a replay of the moved audio from position `from` to position `to`, as one stretch,
   * starts: the chunk that holds `from` ({@linkcode covering}). Where the chunks kept begin after
   * `from` (a chunk at the recording's rate, or a break in the positions, let go of those before),
   * the first of them that began a stretch from silence (`taken` 0), if they run on to `to`: the
   * replay restarts its resampler there, as that stretch did, and goes on through the joins after
   * it. -1 otherwise. (A move that began at the recording's rate replayed nothing without this:
   * each spell it joined after the rate changed kept its own stretch, a dip and a ring at each
   * join.)
   */
  replayStart(from: number, to: number): number {
    const at = this.covering(from, to);
    if (at >= 0) return at;
    const chunks = this.#chunks;
    const last = chunks.at(-1);
    if (last === undefined || Math.abs(last.position + last.durationMs - to) > EPSILON) return -1;
    return chunks.findIndex((chunk) => chunk.taken === 0 && chunk.position > from - EPSILON);
  }

  /**
   * Where a replay of the audio up to position `end` may start: the index of the chunk that
   * began its stretch, or of one `WARM_UP_MS` or more before `end` where the resampler's output
   * grid falls on a sample (its first output is one the stretch's resampler made too); -1 where
   * neither is kept, or where that stretch began part-way through a chunk.
   */
  warmUpStart(end: number): number {
    const chunks = this.#chunks;
    for (let i = chunks.length - 1; i >= 0; i--) {
      const chunk = chunks[i]!;
      if (chunk.position > end - EPSILON) continue; // after the end
      if (chunk.taken === 0) return i; // replayed from its start, exactly
      // Its stretch began part-way through it (a move split it there): the chunks before it are
      // another stretch's, whose resampler state (`taken` counted there) is not this one's.
      // Replayed from one of them, the audio before the gap began again inside the split, and
      // ended with the tail of what came before it (563 off at 22.05 kHz).
      if (Number.isNaN(chunk.taken)) return -1;
      const onGrid = (chunk.taken * this.#rate) % chunk.frame.sampleRate === 0;
      if (onGrid && end - chunk.position >= WARM_UP_MS) return i;
    }
    return -1;
  }
}

/** The audio of `chunk` from `fromMs` to `toMs` into it, in whole sample frames (a view). */
export function chunkPart(chunk: KeptChunk, fromMs: number, toMs: number): AudioFrame {
  const { frame } = chunk;
  const frameBytes = frame.channels * 2;
  const byteAt = (ms: number) =>
    Math.min(frame.audio.length, Math.round(ms * frame.sampleRate / 1000) * frameBytes);
  return { ...frame, audio: frame.audio.subarray(byteAt(fromMs), byteAt(toMs)) };
}
