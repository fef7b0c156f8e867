/**
 * {@linkcode KeypadTones}: whether a window of the speech detector's audio is a keypad tone
 * (DTMF: a caller typing a PIN), which the detector counts as quiet. Internal to the detector.
 *
 * @module
 */

/**
 * The keypad's tones (DTMF, ITU-T Q.23): a digit is one of the low group and one of the high,
 * pure, and nothing else. A caller typing a PIN (tones of 40 ms and more, gaps as short: Q.24)
 * sounds 50 to 85 % of the time, often over the 70 % speech needs (see _speech_run.ts): a window
 * that is a digit counts as quiet.
 */
const KEYPAD_LOW_HZ = [697, 770, 852, 941];
const KEYPAD_HIGH_HZ = [1209, 1336, 1477, 1633];
/**
 * How much of a window's energy the two tones of a digit must hold for it to be one. Speech is
 * broadband: none of the 5,200 windows of the test recordings (tests/streams/fixtures) puts 80 % in
 * two 100 Hz wide bands there, a handful put 70 %. A digit's tones hold at least 86 % of each
 * window wholly within them (the rest: their images, over a window not a whole number of their
 * cycles), noise 20 dB under them too; up to 1.5 % off their frequency too, in filters beside it
 * (KEYPAD_OFFSETS), at any window (KEYPAD_BLOCK_MS): every such window counts, 2 % off 80 % of
 * them or more. A window a tone begins or ends in is judged where it sounds (see KEYPAD_SLICE_MS).
 */
const KEYPAD_SHARE = 0.8;
/** And each of the two at least this much: Q.24 lets the tones differ by up to 8 dB (twist). */
const KEYPAD_EACH_SHARE = 0.03;
/**
 * The shortest window, in ms, tested for a keypad tone. A tone's band in a window of T reaches 1/T
 * either side of it: from 8 ms (125 Hz) on, no further than the high group's tones stand apart
 * (127 to 156 Hz), and a digit's two bands hold little of speech's spread. Shorter, they widen
 * over the keypad's range and speech fills them: of the test recordings' loud windows, none holds
 * KEYPAD_SHARE in two bands at 10 ms, 0.5 % at 8 ms (a window here and there counted quiet: 0.3 %
 * with one filter per frequency, see KEYPAD_OFFSETS), 1 % at 7 ms, 9 % at 4 ms, 90 % at 1 ms,
 * where speech was never heard (up to 1.9 s late at 2 ms).
 */
const KEYPAD_MIN_WINDOW_MS = 8;
/**
 * Where the filters of each keypad frequency stand, as a share of it off it: two, 0.75 % under
 * and over. A keypad and the network may send a tone 1.5 % off (Q.24: a receiver must accept
 * that, and reject 3.5 %); a filter at the frequency alone lost it in windows of 15 ms and more
 * (a filter's band narrows as 1/window: at 30 ms a tone 1 % off was lost). Two filters put any tone
 * within 1.5 % at most 0.75 % from one (12 Hz at 1,633 Hz), where a filter over a block of
 * KEYPAD_BLOCK_MS still holds 88 % of it. Twice the cost of one: about 25 % more while a caller
 * types (none while no sound may begin speech).
 */
const KEYPAD_OFFSETS = [-0.0075, 0.0075];
/**
 * The longest block, in ms, a window's test runs its filters over: a longer window is split into
 * blocks of 8 to 16 ms as even as the window splits (two of 15 at 30 ms), each filter's power
 * summed over them. So a filter's band stays 60 to 125 Hz wide at any window, and a tone off its
 * frequency stays in it: over a whole window of 30 ms it was 33 Hz wide. Not shorter blocks:
 * their bands widen and hold more of speech (see KEYPAD_MIN_WINDOW_MS). Of the test recordings'
 * loud windows none counts at 10, 12, 15, 16, 20, 25, 30, 40 or 60 ms, one at 17 (blocks of 8.5).
 */
const KEYPAD_BLOCK_MS = 16;
/**
 * A window's quiet ends, in slices of this many ms, are left out of its filters' input. A tone that
 * begins or ends in a window fills only part of it, and over the whole window its filters hold
 * only that share of its energy (their power goes as the share squared, its energy as the share):
 * in windows near the length of a fast caller's tones and gaps (Q.24: 40 ms each; WebRTC's
 * insertDTMF: 40 ms tones, 30 ms gaps) nearly every window held part of a tone and counted as
 * sound, and a PIN started speech (from 30 ms windows on). Judged where it sounds, such a part is a
 * digit. Still against the energy of the whole window, and only where what sounds lasts
 * KEYPAD_MIN_WINDOW_MS or more (else over the whole window): a shorter part would be judged in
 * bands wide enough for speech to fill. Of the test recordings' and espeak-ng's loud windows at 8
 * to 60 ms, as many count as digits as over whole windows (speech rarely has quiet ends). Not in a
 * window of one block (KEYPAD_BLOCK_MS or less), judged whole: a tone fills one such window at
 * least, and a high voice's pitch periods leave a slice at an end that quiet often; the rest, in
 * a shorter block with wider bands, counted as a digit more often (espeak-ng's high and creaky
 * variants at 8 kHz: 181 loud windows of 10 ms in 63,102 where 163 did whole, and speech in loud
 * noise began 2 s late).
 */
const KEYPAD_SLICE_MS = 1;
/**
 * A slice at a window's end is quiet under this share of the window's loudest slice's energy (10 dB
 * under it): a digit's beats between its two tones stay over it, noise 12 dB under the tones
 * (the least over the floor that may begin speech) under.
 */
const KEYPAD_QUIET_SHARE = 0.1;

/** The test of one detector's windows for a keypad tone, at its rate and window length. */
export class KeypadTones {
  /** No test: every window is sound like any other (before the detector knows its format). */
  static readonly NONE: KeypadTones = new KeypadTones(0, 0);

  /**
   * The Goertzel coefficients of the keypad's filters, the low group's then the high group's, each
   * frequency's KEYPAD_OFFSETS (none at a rate too low for them, or in a window too short: see
   * KEYPAD_MIN_WINDOW_MS).
   */
  readonly #coefficients: Float64Array;
  /** Every how many samples the test reads. */
  readonly #step: number;
  /** How many blocks the test splits a whole window in (see KEYPAD_BLOCK_MS). */
  readonly #blocks: number;
  /** The rate, in Hz. */
  readonly #rate: number;
  /** The samples of a slice (see KEYPAD_SLICE_MS). */
  readonly #slice: number;
  /** Each slice's energy, for the window's sounding part (see KEYPAD_SLICE_MS). */
  #slices = new Float64Array(0);
  /** Where the window last measured begins and ends sounding (see #sounding). */
  #soundsFrom = 0;
  #soundsTo = 0;
  /** Each filter's power over the window, summed over its blocks. */
  readonly #power: Float64Array;

  /** The test for windows of `windowMs` at `rate` Hz. */
  constructor(rate: number, windowMs: number) {
    // Every `step`-th sample at 16 kHz and over: the tones are under 1.7 kHz, and the test's cost
    // is the same at any rate. What lies over half the rate tested (4 kHz and more) folds into the
    // band: the energy of the window, counted whole, still holds it.
    const step = Math.max(1, Math.floor(rate / 8000));
    this.#step = step;
    // Every filter under half the rate: the highest stands over the highest tone (1,645 Hz).
    const highestHz = KEYPAD_HIGH_HZ[3]! * (1 + KEYPAD_OFFSETS[KEYPAD_OFFSETS.length - 1]!);
    const tested = highestHz < rate / 2 && windowMs >= KEYPAD_MIN_WINDOW_MS;
    const bins = (group: number[]) =>
      group.flatMap((hz) => KEYPAD_OFFSETS.map((offset) => hz * (1 + offset)));
    this.#coefficients = new Float64Array(
      tested ? [...bins(KEYPAD_LOW_HZ), ...bins(KEYPAD_HIGH_HZ)] : [],
    ).map((hz) => 2 * Math.cos(2 * Math.PI * hz * step / rate));
    this.#power = new Float64Array(this.#coefficients.length);
    this.#blocks = Math.max(1, Math.ceil(windowMs / KEYPAD_BLOCK_MS));
    this.#rate = rate;
    this.#slice = Math.max(1, Math.round(rate * KEYPAD_SLICE_MS / 1000));
  }

  /** Whether windows are tested at all (a rate over twice the highest filter, 8 ms and more). */
  get tested(): boolean {
    return this.#coefficients.length > 0;
  }

  /**
   * Whether a window (`mixed`: its samples, channels summed) is a keypad tone: its strongest
   * filter of the keypad's low group and its strongest of the high group (Goertzel, KEYPAD_OFFSETS
   * beside each frequency, over blocks of KEYPAD_BLOCK_MS of where it sounds: KEYPAD_SLICE_MS)
   * hold KEYPAD_SHARE of its energy (its mean taken out, of the filters' input too: a DC offset's
   * leakage into a block's filters would read as a tone, and speech with it as a digit).
   */
  holdsDigit(mixed: Float64Array): boolean {
    const coefficients = this.#coefficients;
    if (coefficients.length === 0) return false;
    const n = mixed.length;
    let sum = 0;
    let sumOfSquares = 0;
    for (let k = 0; k < n; k++) {
      sum += mixed[k]!;
      sumOfSquares += mixed[k]! * mixed[k]!;
    }
    const energy = sumOfSquares - sum * sum / n;
    if (!(energy > 0)) return false;
    // Where the window sounds (see KEYPAD_SLICE_MS): its quiet ends left out if what is left is
    // long enough to be judged.
    const mean = sum / n;
    // A window of one block (KEYPAD_BLOCK_MS or less) is judged whole: a tone fills all of one
    // window at least, and an end of a voice's pitch period as quiet as KEYPAD_QUIET_SHARE left
    // the rest to a shorter block, whose wider bands took more of a high voice (KEYPAD_SLICE_MS).
    let start = 0;
    let end = n;
    if (this.#blocks > 1) {
      this.#sounding(mixed, mean);
      if ((this.#soundsTo - this.#soundsFrom) * 1000 / this.#rate >= KEYPAD_MIN_WINDOW_MS) {
        start = this.#soundsFrom;
        end = this.#soundsTo;
      }
    }
    const length = end - start;
    // Each filter over each block (see KEYPAD_BLOCK_MS), its power there as the energy of a sine
    // it would hold whole, summed over the blocks: this runs at every window that may begin
    // speech.
    const power = this.#power.fill(0);
    const step = this.#step;
    const blocks = length === n
      ? this.#blocks
      : Math.max(1, Math.ceil(length * 1000 / this.#rate / KEYPAD_BLOCK_MS));
    let tested = 0;
    for (let block = 0; block < blocks; block++) {
      // Block by block on the samples tested (every step-th), as even as they split.
      const from = start + step * Math.ceil(Math.floor(block * length / blocks) / step);
      const to = block === blocks - 1
        ? end
        : start + step * Math.ceil(Math.floor((block + 1) * length / blocks) / step);
      const m = Math.ceil((to - from) / step);
      if (m === 0) continue;
      tested += m;
      for (let f = 0; f < coefficients.length; f += 8) {
        addGoertzel8(mixed, mean, from, to, step, coefficients, f, power);
      }
    }
    // The strongest frequency of each group; the window's energy over the samples tested.
    const half = coefficients.length / 2;
    let low = 0;
    let high = 0;
    for (let f = 0; f < half; f++) if (power[f]! > low) low = power[f]!;
    for (let f = half; f < coefficients.length; f++) if (power[f]! > high) high = power[f]!;
    // The whole window's energy (its quiet ends too), as over the samples tested.
    const whole = energy * tested / length;
    return low >= KEYPAD_EACH_SHARE * whole && high >= KEYPAD_EACH_SHARE * whole &&
      low + high >= KEYPAD_SHARE * whole;
  }

  /**
   * Where `samples` (less `mean`) sound, into #soundsFrom and #soundsTo: from the first slice (see
   * KEYPAD_SLICE_MS) that holds KEYPAD_QUIET_SHARE of the loudest slice's energy to the end of the
   * last.
   */
  #sounding(samples: Float64Array, mean: number): void {
    const n = samples.length;
    const size = this.#slice;
    const count = Math.ceil(n / size);
    if (this.#slices.length < count) this.#slices = new Float64Array(count);
    const slices = this.#slices;
    let loudest = 0;
    for (let j = 0; j < count; j++) {
      let e = 0;
      for (let k = j * size, to = Math.min(n, k + size); k < to; k++) {
        const x = samples[k]! - mean;
        e += x * x;
      }
      slices[j] = e;
      if (e > loudest) loudest = e;
    }
    const bar = KEYPAD_QUIET_SHARE * loudest;
    let first = 0;
    while (slices[first]! < bar) first++;
    let last = count - 1;
    while (slices[last]! < bar) last--;
    this.#soundsFrom = first * size;
    this.#soundsTo = Math.min(n, (last + 1) * size);
  }
}

/**
 * Adds the power of eight Goertzel filters (`coefficients` from `first` on) over every `step`-th
 * sample of `samples[from, to)`, less the window's `mean`, to `power`, as the energy of a sine the
 * block would hold whole (over the m samples a sine's power at its frequency is (m·A/2)², its
 * energy there m·A²/2). The eight in one pass: each filter's recurrence waits on its last step,
 * eight side by side do not.
 */
function addGoertzel8(
  samples: Float64Array,
  mean: number,
  from: number,
  to: number,
  step: number,
  coefficients: Float64Array,
  first: number,
  power: Float64Array,
): void {
  const c0 = coefficients[first]!, c1 = coefficients[first + 1]!;
  const c2 = coefficients[first + 2]!, c3 = coefficients[first + 3]!;
  const c4 = coefficients[first + 4]!, c5 = coefficients[first + 5]!;
  const c6 = coefficients[first + 6]!, c7 = coefficients[first + 7]!;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
  let s = 0;
  for (let k = from; k < to; k += step) {
    const x = samples[k]! - mean;
    s = x + c0 * a0 - b0;
    b0 = a0;
    a0 = s;
    s = x + c1 * a1 - b1;
    b1 = a1;
    a1 = s;
    s = x + c2 * a2 - b2;
    b2 = a2;
    a2 = s;
    s = x + c3 * a3 - b3;
    b3 = a3;
    a3 = s;
    s = x + c4 * a4 - b4;
    b4 = a4;
    a4 = s;
    s = x + c5 * a5 - b5;
    b5 = a5;
    a5 = s;
    s = x + c6 * a6 - b6;
    b6 = a6;
    a6 = s;
    s = x + c7 * a7 - b7;
    b7 = a7;
    a7 = s;
  }
  const scale = 2 / Math.ceil((to - from) / step);
  power[first] = power[first]! + scale * (a0 * a0 + b0 * b0 - c0 * a0 * b0);
  power[first + 1] = power[first + 1]! + scale * (a1 * a1 + b1 * b1 - c1 * a1 * b1);
  power[first + 2] = power[first + 2]! + scale * (a2 * a2 + b2 * b2 - c2 * a2 * b2);
  power[first + 3] = power[first + 3]! + scale * (a3 * a3 + b3 * b3 - c3 * a3 * b3);
  power[first + 4] = power[first + 4]! + scale * (a4 * a4 + b4 * b4 - c4 * a4 * b4);
  power[first + 5] = power[first + 5]! + scale * (a5 * a5 + b5 * b5 - c5 * a5 * b5);
  power[first + 6] = power[first + 6]! + scale * (a6 * a6 + b6 * b6 - c6 * a6 * b6);
  power[first + 7] = power[first + 7]! + scale * (a7 * a7 + b7 * b7 - c7 * a7 * b7);
}
