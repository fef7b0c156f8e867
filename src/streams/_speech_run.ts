/**
 * The speech detector's test for the start of speech, shared with `BargeInStream`'s test for a
 * caller over the bot's echo (there with its bar for `startDb`): keypad tones count as quiet in
 * both.
 *
 * @module
 */

/**
 * How much of its first `minSpeechMs` speech must sound (stand `stopDb` over the floor). Speech is
 * not one steady sound: its syllables (100 to 180 ms) dip under `stopDb` at consonants and between
 * words (20 to 70 ms), and a run that had to stay over it for all of `minSpeechMs` was cut by the
 * first dip: a clearly spoken sentence 20 dB over hiss was never heard, a caller with short pauses
 * between words seconds late. So speech starts once sound that began over `startDb` has lasted
 * `minSpeechMs` and sounded for at least this share of that time. Not speech: a click (one window),
 * a burst shorter than `minSpeechMs` (it does not last that long), clicks or pops even 50 a second,
 * a cough amid clicks. Keypad tones sound longer (100 ms on, 40 ms off: 70 %): a window the
 * detector finds to be one counts as quiet (see its KEYPAD_SHARE).
 */
const LOUD_SHARE = 0.7;
/**
 * How far back, in `minSpeechMs`, sound may have begun and still start speech: a click before the
 * speech is dropped from the run once this old, so that the speech, its own share then whole,
 * starts it (with its own `atMs`).
 */
const START_SPAN = 1.5;
/**
 * How far short of a threshold a time may fall and still reach it, in ms. Times are sums and
 * differences of window times counted from a point that need not be a whole number of ms (a
 * partial window flushed, a change of format: at 24, 44.1 or 48 kHz its time is no binary
 * fraction), so 50 windows of 10 ms may add up to 499.99999999999994: without this, a
 * `minSilenceMs` of 500 was reached a window late, and so may `minSpeechMs` be. A nanosecond is
 * far under any sample.
 */
export const ROUNDING_MS = 1e-6;
/**
 * The windows a run's ring holds at first: the default span (300 ms) in windows of 10 ms, twice,
 * as the ring is sized (see the constructor), so the defaults never grow it.
 */
const FIRST_WINDOWS = 64;

/**
 * The windows since one over the start threshold that may become speech: a ring, oldest first,
 * allocated once. Speech is the run from its first window once it has lasted `minSpeechMs`,
 * sounding `LOUD_SHARE` of that time; what began more than `START_SPAN` × `minSpeechMs` ago is
 * dropped from its front, and then what does not begin at a window over the start threshold.
 */
export class SpeechRun {
  #startsMs: Float64Array;
  #durationsMs: Float64Array;
  #levelsDb: Float64Array;
  #kinds: Uint8Array;
  /** The most windows the ring holds (see the constructor); it grows to it as windows come. */
  readonly #maxWindows: number;
  readonly #minSpeechMs: number;
  readonly #spanMs: number;
  #first = 0;
  #count = 0;
  /** The time of the run's windows over the sounding threshold. */
  #loudMs = 0;

  /** A run for speech of `minSpeechMs`, judged in windows of `windowMs`. */
  constructor(minSpeechMs: number, windowMs: number) {
    this.#minSpeechMs = minSpeechMs;
    this.#spanMs = minSpeechMs * START_SPAN;
    // Room for every window of the span and the one after it, with windows a little shorter than
    // windowMs (a rate whose window is not a whole number of samples); a fuller ring drops its
    // oldest, which only shortens the span.
    this.#maxWindows = 2 * Math.ceil(this.#spanMs / windowMs) + 2;
    // Not allocated whole: a long span (minSpeechMs is bounded at 10 s, windowMs at 1 ms: up to
    // 30,002 windows, 750 kB) would be taken by every detector at construction, while a run holds
    // only the windows its span really covers, a few at the defaults.
    const windows = Math.min(this.#maxWindows, FIRST_WINDOWS);
    this.#startsMs = new Float64Array(windows);
    this.#durationsMs = new Float64Array(windows);
    this.#levelsDb = new Float64Array(windows);
    this.#kinds = new Uint8Array(windows);
  }

  /** Whether the run holds no window: the next must be over the start threshold to begin one. */
  get empty(): boolean {
    return this.#count === 0;
  }

  /** Where the run's first window begins (the speech's start, once it is speech). */
  get startMs(): number {
    return this.#startsMs[this.#first]!;
  }

  /** The loudest window of the run. */
  get peakDb(): number {
    const ring = this.#kinds.length;
    let peakDb = -Infinity;
    for (let n = 0; n < this.#count; n++) {
      const levelDb = this.#levelsDb[(this.#first + n) % ring]!;
      if (levelDb > peakDb) peakDb = levelDb;
    }
    return peakDb;
  }

  /**
   * Adds a window, `kind` telling how loud: 0 quiet, 1 over the sounding threshold (`stopDb` over
   * the floor), 2 over the start threshold (`startDb`); a window under it to an empty run is
   * nothing. A window that `keypadTone` says is a keypad tone is quiet (nothing to an empty run):
   * asked only of a sounding window that may begin or go on a run, for it reads the window's
   * samples. Returns whether the run is now speech, judged at a sounding window only (a run does
   * not end on a dip). The caller clears it then.
   */
  push(
    startMs: number,
    durationMs: number,
    levelDb: number,
    kind: number,
    keypadTone: () => boolean,
  ): boolean {
    if (this.#count === 0 && kind < 2) return false;
    if (kind > 0 && keypadTone()) {
      if (this.#count === 0) return false;
      kind = 0;
    }
    if (this.#count === this.#kinds.length) {
      if (this.#kinds.length < this.#maxWindows) this.#grow();
      else this.#drop();
    }
    const ring = this.#kinds.length;
    const at = (this.#first + this.#count++) % ring;
    this.#startsMs[at] = startMs;
    this.#durationsMs[at] = durationMs;
    this.#levelsDb[at] = levelDb;
    this.#kinds[at] = kind;
    if (kind > 0) this.#loudMs += durationMs;
    const earliestMs = startMs - this.#spanMs;
    while (
      this.#count > 0 &&
      (this.#startsMs[this.#first]! < earliestMs || this.#kinds[this.#first]! < 2)
    ) {
      this.#drop();
    }
    if (kind === 0 || this.#count === 0) return false;
    const lastedMs = startMs + durationMs - this.startMs;
    return lastedMs >= this.#minSpeechMs - ROUNDING_MS && this.#loudMs >= LOUD_SHARE * lastedMs;
  }

  /** Forgets every window. */
  clear(): void {
    this.#count = this.#loudMs = 0;
  }

  /** Doubles the ring (up to its most), its windows kept in order from its start. */
  #grow(): void {
    const ring = this.#kinds.length;
    const windows = Math.min(this.#maxWindows, 2 * ring);
    const first = this.#first;
    const grown = <T extends Float64Array | Uint8Array>(old: T, fresh: T): T => {
      fresh.set(old.subarray(first));
      fresh.set(old.subarray(0, first), ring - first);
      return fresh;
    };
    this.#startsMs = grown(this.#startsMs, new Float64Array(windows));
    this.#durationsMs = grown(this.#durationsMs, new Float64Array(windows));
    this.#levelsDb = grown(this.#levelsDb, new Float64Array(windows));
    this.#kinds = grown(this.#kinds, new Uint8Array(windows));
    this.#first = 0;
  }

  #drop(): void {
    const first = this.#first;
    if (this.#kinds[first]! > 0) this.#loudMs -= this.#durationsMs[first]!;
    this.#first = (first + 1) % this.#kinds.length;
    if (--this.#count === 0) this.#loudMs = 0; // no rounding left over
  }
}
