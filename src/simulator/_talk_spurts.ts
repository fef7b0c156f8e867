/**
 * An energy detector that cuts a stream of PCM into talk spurts: where someone (the caller or
 * the bot) is audibly speaking. Speech detection proper is out of scope; what the report needs
 * is when sound starts and stops, to the nearest block.
 *
 * @module
 */

/** A stretch of audible sound, in milliseconds of the stream's timeline. */
export interface Spurt {
  /** Start of the first audible block. */
  startMs: number;
  /** End of the last audible block. */
  endMs: number;
}

/** Options for {@linkcode TalkSpurtDetector}. */
export interface TalkSpurtDetectorOptions {
  /** Samples per second of the stream. */
  sampleRate: number;
  /** A block is audible when its RMS level is above this, in dBFS. */
  thresholdDbfs: number;
  /** Silence this long ends a spurt (pauses within a sentence are shorter). */
  hangoverMs: number;
  /** Time of the stream's first sample. */
  originMs: number;
  /** Called when a spurt starts (at its start time) and when it ends (at its end time). */
  onChange?: (change: "start" | "end", atMs: number) => void;
}

/** The detector's block length: fine enough for latency figures, coarse enough to be cheap. */
export const BLOCK_MS = 10;

/** Cuts a PCM16 mono stream, pushed in pieces of any size, into {@linkcode Spurt}s. */
export class TalkSpurtDetector {
  /** The spurts that have ended, in order. */
  readonly spurts: Spurt[] = [];
  readonly #blockSamples: number;
  readonly #threshold: number;
  readonly #options: TalkSpurtDetectorOptions;
  #blockFill = 0;
  #blockEnergy = 0;
  #blocks = 0;
  #current: Spurt | null = null;
  /** Per block: 1 when audible. */
  #loud = new Uint8Array(1024);

  constructor(options: TalkSpurtDetectorOptions) {
    this.#options = options;
    this.#blockSamples = Math.max(1, Math.round((options.sampleRate * BLOCK_MS) / 1000));
    // Mean square of a block at the threshold level, so each block costs one comparison.
    this.#threshold = (32768 * 10 ** (options.thresholdDbfs / 20)) ** 2;
  }

  /** Whether a spurt is under way (sound now, or within the hangover). */
  get active(): boolean {
    return this.#current !== null;
  }

  /** The start of the spurt under way, or `null`. */
  get currentStartMs(): number | null {
    return this.#current?.startMs ?? null;
  }

  /**
   * Whether the stream is audible at `ms`: the block that holds it is above the threshold. A
   * spurt under way may be silent there (a pause within the hangover). For a block not complete
   * yet, whether the last complete one was audible.
   */
  audibleAt(ms: number): boolean {
    const { originMs, sampleRate } = this.#options;
    const block = Math.floor(((ms - originMs) * sampleRate) / (1000 * this.#blockSamples) + 1e-9);
    if (block < 0 || this.#blocks === 0) return false;
    return this.#loud[Math.min(block, this.#blocks - 1)] === 1;
  }

  /** Feeds the next samples of the stream. */
  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      this.#blockEnergy += s * s;
      if (++this.#blockFill === this.#blockSamples) this.#endBlock();
    }
  }

  /** Feeds `count` samples of silence (cheaper than pushing zeros). */
  pushSilence(count: number): void {
    let left = count;
    while (left > 0) {
      const take = Math.min(left, this.#blockSamples - this.#blockFill);
      this.#blockFill += take;
      left -= take;
      if (this.#blockFill === this.#blockSamples) this.#endBlock();
    }
  }

  /** Ends the stream: a spurt under way ends at its last audible block. */
  finish(): void {
    if (this.#current) this.#close();
  }

  /** Milliseconds of audible blocks that start within [`fromMs`, `toMs`). */
  audibleMs(fromMs: number, toMs: number): number {
    let count = 0;
    for (
      let i = Math.max(0, this.#blockAt(fromMs));
      i < Math.min(this.#blocks, this.#blockAt(toMs));
      i++
    ) {
      count += this.#loud[i]!;
    }
    return (count * this.#blockSamples * 1000) / this.#options.sampleRate;
  }

  /**
   * The start of the first run of at least `minMs` of silence that begins at or after `fromMs`
   * (a run still going at the end of the stream counts), or `null` if there is none.
   */
  silenceAfter(fromMs: number, minMs: number): number | null {
    const blockMs = (this.#blockSamples * 1000) / this.#options.sampleRate;
    const need = Math.max(1, Math.ceil(minMs / blockMs - 1e-9));
    let runStart = -1;
    for (let i = Math.max(0, this.#blockAt(fromMs)); i < this.#blocks; i++) {
      if (this.#loud[i]) {
        runStart = -1;
        continue;
      }
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 >= need) break;
    }
    return runStart < 0 ? null : this.#options.originMs + runStart * blockMs;
  }

  /** The index of the block that starts at or after `ms`. */
  #blockAt(ms: number): number {
    const { originMs, sampleRate } = this.#options;
    return Math.ceil(((ms - originMs) * sampleRate) / (1000 * this.#blockSamples) - 1e-9);
  }

  #endBlock(): void {
    const loud = this.#blockEnergy / this.#blockSamples > this.#threshold;
    const { originMs, sampleRate } = this.#options;
    const start = originMs + (this.#blocks * this.#blockSamples * 1000) / sampleRate;
    if (this.#blocks === this.#loud.length) {
      const grown = new Uint8Array(this.#loud.length * 2);
      grown.set(this.#loud);
      this.#loud = grown;
    }
    this.#loud[this.#blocks] = loud ? 1 : 0;
    this.#blocks++;
    this.#blockFill = 0;
    this.#blockEnergy = 0;
    const end = originMs + (this.#blocks * this.#blockSamples * 1000) / sampleRate;
    if (loud) {
      if (this.#current) this.#current.endMs = end;
      else {
        this.#current = { startMs: start, endMs: end };
        this.#options.onChange?.("start", start);
      }
    } else if (this.#current && end - this.#current.endMs >= this.#options.hangoverMs) {
      this.#close();
    }
  }

  #close(): void {
    const spurt = this.#current!;
    this.#current = null;
    this.spurts.push(spurt);
    this.#options.onChange?.("end", spurt.endMs);
  }
}
