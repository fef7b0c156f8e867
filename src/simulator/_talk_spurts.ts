/**
 * An energy detector that cuts a stream of PCM into talk spurts: where someone (the caller or
 * the bot) is audibly speaking. Speech detection proper is out of scope; what the report needs
 * is when sound starts and stops, to the nearest block. A block's level is that of its sound
 * about its own mean (a DC offset is no sound), and a spurt sounds for
 * {@linkcode MIN_SOUND_MS} without a break somewhere (a click is none), and starts with that
 * sound (not with a click before it).
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
  /** A block is audible when its RMS level, its DC offset taken out, is above this, in dBFS. */
  thresholdDbfs: number;
  /** Silence this long ends a spurt (pauses within a sentence are shorter). */
  hangoverMs: number;
  /** Time of the stream's first sample. */
  originMs: number;
  /**
   * Called when a spurt starts (at its start time) and when it ends (at its end time), as it goes:
   * a spurt's start once it has sounded ({@linkcode MIN_SOUND_MS}), the start it has in
   * {@linkcode TalkSpurtDetector.spurts}, and a click's never. Told of a click, a listener (the
   * ConversationRelay far end's recognizer) acted on sound that is no utterance in the report: a
   * lone click interrupted the bot and was sent to it as a prompt.
   */
  onChange?: (change: "start" | "end", atMs: number) => void;
}

/** The detector's block length: fine enough for latency figures, coarse enough to be cheap. */
export const BLOCK_MS = 10;

/**
 * How long a spurt must sound without a break, somewhere in it: one block alone, a click or pop
 * (a splice, a step into or out of a DC offset) is no spurt, and is in no figure (not in
 * {@linkcode TalkSpurtDetector.spurts}, nor audible once it has ended). Two blocks, not more: the
 * shortest audio a bot sends is one packet, 20 ms as telephony packets go, and a bot that
 * answers with one is heard answering (tests/simulator/simulate_call_test.ts, "a one-chunk
 * answer"). A click that falls across two blocks' edge sounds in both, and still counts.
 */
export const MIN_SOUND_MS = 20;

/**
 * Silence shorter than this between a click and the sound after it makes the click the sound's
 * onset: a word that begins with a voiceless stop ("take", "car", "pay") sounds first with the
 * stop's burst, one block, and voices a voice onset time later (English /p t k/: 58, 70 and
 * 80 ms on average, Lisker & Abramson 1964, "A cross-language study of voicing in initial
 * stops"), the aspiration between often under the threshold in quiet speech. Dated from its
 * voicing, such a word started 20–50 ms late (espeak-ng's "car" 15 dB down: 50 ms), and so did
 * the answer latency and first audible audio measured from it. A pop further off (100 ms, 200 ms
 * before the talk) is still no part of it.
 */
export const ONSET_GAP_MS = 80;

/** Cuts a PCM16 mono stream, pushed in pieces of any size, into {@linkcode Spurt}s. */
export class TalkSpurtDetector {
  /** The spurts that have ended, in order (none shorter than {@linkcode MIN_SOUND_MS}). */
  readonly spurts: Spurt[] = [];
  readonly #blockSamples: number;
  readonly #threshold: number;
  /** Audible blocks in a row a spurt needs ({@linkcode MIN_SOUND_MS}). */
  readonly #minSoundBlocks: number;
  /** Silent blocks in a row that part a click from the sound after it ({@linkcode ONSET_GAP_MS}). */
  readonly #onsetGapBlocks: number;
  readonly #options: TalkSpurtDetectorOptions;
  #blockFill = 0;
  #blockSum = 0;
  #blockEnergy = 0;
  #blocks = 0;
  #current: Spurt | null = null;
  /** Audible blocks in a row, up to the last; whether the spurt under way had as many; its first. */
  #run = 0;
  #currentSounded = false;
  #currentFrom = 0;
  /** Per block: 1 when audible. */
  #loud = new Uint8Array(1024);

  constructor(options: TalkSpurtDetectorOptions) {
    this.#options = options;
    this.#blockSamples = Math.max(1, Math.round((options.sampleRate * BLOCK_MS) / 1000));
    // Mean square of a block at the threshold level, so each block costs one comparison.
    this.#threshold = (32768 * 10 ** (options.thresholdDbfs / 20)) ** 2;
    const blockMs = (this.#blockSamples * 1000) / options.sampleRate;
    // Rounded, not up: a block is 10 ms in whole samples, a little short at some rates (110
    // samples at 11,025 Hz, 9.98 ms), and 20 ms is two of them there too, not three.
    this.#minSoundBlocks = Math.max(1, Math.round(MIN_SOUND_MS / blockMs));
    this.#onsetGapBlocks = Math.max(1, Math.ceil(ONSET_GAP_MS / blockMs - 1e-9));
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
   * The start of the spurt under way once it has sounded for {@linkcode MIN_SOUND_MS} without a
   * break, or `null`: a click, so far, is no spurt, and who acts on the other's talk as it goes
   * (the caller's barge-in) must not act on one.
   */
  get soundedStartMs(): number | null {
    return this.#currentSounded ? this.#current!.startMs : null;
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
      this.#blockSum += s;
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
    // The block's energy about its own mean: a DC offset (μ-law's byte 0x00 decodes to -32124,
    // A-law's to -5504: a bot's "silence" of zero bytes) is full of energy and no sound at all.
    // Taking out each block's mean costs no state across blocks, and a step in the offset sounds
    // in one block only (a click). Speech's lowest harmonics (from 100 Hz) lose a few hundredths
    // of a dB to it.
    const n = this.#blockSamples;
    const acEnergy = this.#blockEnergy - (this.#blockSum * this.#blockSum) / n;
    const loud = acEnergy / n > this.#threshold;
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
    this.#blockSum = 0;
    this.#blockEnergy = 0;
    const end = originMs + (this.#blocks * this.#blockSamples * 1000) / sampleRate;
    this.#run = loud ? this.#run + 1 : 0;
    if (loud) {
      if (this.#current) this.#current.endMs = end;
      else {
        this.#currentFrom = this.#blocks - 1;
        this.#current = { startMs: start, endMs: end };
      }
      if (this.#run >= this.#minSoundBlocks && !this.#currentSounded) this.#sounded();
    } else if (this.#current && end - this.#current.endMs >= this.#options.hangoverMs) {
      this.#close();
    }
  }

  /**
   * The spurt under way has sounded ({@linkcode MIN_SOUND_MS} in a row, up to the last block):
   * what sounded in it before this run was clicks, and it starts with its sound, as a lone click
   * is in no figure (a pop 200 ms before the bot's talk dated its first audible audio, its
   * answer, and a barge-in due `afterMs` into it). But for its onset: the clicks that lead up to
   * it with less than {@linkcode ONSET_GAP_MS} of silence between (a stop's burst).
   */
  #sounded(): void {
    this.#currentSounded = true;
    let first = this.#blocks - this.#run;
    for (let i = first - 1; i >= this.#currentFrom && first - 1 - i < this.#onsetGapBlocks; i--) {
      if (this.#loud[i]) first = i;
    }
    if (first !== this.#currentFrom) {
      this.#loud.fill(0, this.#currentFrom, first);
      this.#currentFrom = first;
      const { originMs, sampleRate } = this.#options;
      this.#current!.startMs = originMs + (first * this.#blockSamples * 1000) / sampleRate;
    }
    this.#options.onChange?.("start", this.#current!.startMs);
  }

  #close(): void {
    const spurt = this.#current!;
    this.#current = null;
    const sounded = this.#currentSounded;
    this.#currentSounded = false;
    if (!sounded) {
      this.#loud.fill(0, this.#currentFrom, this.#blocks); // a click: silent for every figure
      return;
    }
    this.spurts.push(spurt);
    this.#options.onChange?.("end", spurt.endMs);
  }
}
