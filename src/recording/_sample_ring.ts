/**
 * One channel of a recording that is not written out yet: PCM16 samples addressed by their
 * absolute index on the recording's timeline, from the first one not yet committed (`base`) on.
 *
 * @module
 */

/** A growable ring of samples on an absolute timeline; silence wherever nothing was written. */
export class SampleRing {
  #buffer: Int16Array;
  #mask: number;
  readonly #maxCapacity: number;
  readonly #makeRoom: (to: number) => void;
  #base = 0;
  #end = 0;

  /**
   * Makes a ring holding `capacity` samples at first, growing up to `maxCapacity` (powers of 2);
   * a write farther ahead than that calls `makeRoom(to)`, which must commit up to `to − maxCapacity`.
   */
  constructor(capacity: number, maxCapacity: number, makeRoom: (to: number) => void) {
    const size = powerOfTwo(capacity);
    this.#buffer = new Int16Array(size);
    this.#mask = size - 1;
    this.#maxCapacity = Math.max(size, powerOfTwo(maxCapacity));
    this.#makeRoom = makeRoom;
  }

  /** The index of the first sample not yet committed. */
  get base(): number {
    return this.#base;
  }

  /** One past the last sample written (at least `base`). */
  get end(): number {
    return this.#end;
  }

  /** The most samples the ring can ever hold past `base`. */
  get maxCapacity(): number {
    return this.#maxCapacity;
  }

  /** The samples held now (memory in use, in samples). */
  get capacity(): number {
    return this.#buffer.length;
  }

  /**
   * Writes `samples` from index `at` on, replacing what was there. Samples before `base` are
   * skipped (committed already); returns how many were. The caller keeps `at + length` within
   * `base + maxCapacity` (see {@linkcode advance}).
   */
  write(at: number, samples: Int16Array): number {
    let from = 0;
    if (at < this.#base) {
      from = Math.min(samples.length, this.#base - at);
      at = this.#base;
    }
    let count = samples.length - from;
    if (count <= 0) return from;
    let to = at + count;
    if (to - this.#base > this.#maxCapacity) {
      // Too far ahead of what is written out: commit early rather than hold without bound.
      this.#makeRoom(to);
      if (at < this.#base) {
        const skipped = Math.min(count, this.#base - at);
        from += skipped;
        count -= skipped;
        at = this.#base;
        if (count <= 0) return from;
      }
      to = at + count;
    }
    this.#fit(to);
    const buffer = this.#buffer;
    const start = at & this.#mask;
    const first = Math.min(count, buffer.length - start);
    buffer.set(samples.subarray(from, from + first), start);
    if (first < count) buffer.set(samples.subarray(from + first, from + count), 0);
    if (to > this.#end) this.#end = to;
    return from;
  }

  /** Silences everything from index `from` on; `end` falls back to it. */
  erase(from: number): void {
    from = Math.max(from, this.#base);
    if (from >= this.#end) return;
    this.#zero(from, this.#end);
    this.#end = from;
  }

  /** A copy of the samples from `from` (not before `base`) to `end`. */
  copy(from: number): Int16Array {
    from = Math.max(from, this.#base);
    const out = new Int16Array(Math.max(0, this.#end - from));
    for (let i = 0; i < out.length; i++) out[i] = this.#buffer[(from + i) & this.#mask]!;
    return out;
  }

  /**
   * Moves the next `count` samples from `base` out into `out` (every `stride`-th element from
   * `offset`), replacing (`add` false) or adding to what is there with saturation (`add` true),
   * and commits them: `base` moves past them and their slots fall silent for reuse.
   */
  take(count: number, out: Int16Array, offset: number, stride: number, add: boolean): void {
    const buffer = this.#buffer;
    const mask = this.#mask;
    let index = this.#base;
    // Past `end` the ring holds silence only; no need to read it.
    const written = Math.max(0, Math.min(count, this.#end - index));
    let o = offset;
    if (add) {
      for (let i = 0; i < written; i++, o += stride, index++) {
        const sum = out[o]! + buffer[index & mask]!;
        out[o] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
      }
    } else {
      for (let i = 0; i < written; i++, o += stride, index++) out[o] = buffer[index & mask]!;
      for (let i = written; i < count; i++, o += stride) out[o] = 0;
    }
    this.#zero(this.#base, this.#base + written);
    this.#base += count;
    if (this.#end < this.#base) this.#end = this.#base;
  }

  /**
   * Whether the next `count` samples from `base` are silence: none written there, or all written
   * as 0. The ring's `end` alone does not say it: audio placed ahead (the bot's, by the far end's
   * buffer; a caller's frame after a long pause) leaves the samples before it unwritten.
   */
  silent(count: number): boolean {
    const buffer = this.#buffer;
    const mask = this.#mask;
    const end = this.#base + Math.max(0, Math.min(count, this.#end - this.#base));
    for (let i = this.#base; i < end; i++) if (buffer[i & mask] !== 0) return false;
    return true;
  }

  /** Lets go of the held samples' memory: the recording is over, and nothing more is written. */
  release(): void {
    this.#buffer = new Int16Array(1);
    this.#mask = 0;
    this.#end = this.#base;
  }

  /** Commits `count` samples without reading them (the reader fell too far behind). */
  advance(count: number): void {
    const written = Math.max(0, Math.min(count, this.#end - this.#base));
    this.#zero(this.#base, this.#base + written);
    this.#base += count;
    if (this.#end < this.#base) this.#end = this.#base;
  }

  #zero(from: number, to: number): void {
    const buffer = this.#buffer;
    const count = to - from;
    if (count <= 0) return;
    const start = from & this.#mask;
    const first = Math.min(count, buffer.length - start);
    buffer.fill(0, start, start + first);
    if (first < count) buffer.fill(0, 0, count - first);
  }

  /** Grows the ring (doubling, up to its maximum) until index `to` fits. */
  #fit(to: number): void {
    const needed = to - this.#base;
    let size = this.#buffer.length;
    if (needed <= size) return;
    while (size < needed && size < this.#maxCapacity) size *= 2;
    if (needed > size) {
      throw new RangeError(`recording ring overflow: ${needed} samples past the committed point`);
    }
    // Deliberate copy: the held samples move to their places in the bigger ring (rare).
    const grown = new Int16Array(size);
    const mask = size - 1;
    for (let i = this.#base; i < this.#end; i++) grown[i & mask] = this.#buffer[i & this.#mask]!;
    this.#buffer = grown;
    this.#mask = mask;
  }
}

function powerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}
