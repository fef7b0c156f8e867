/**
 * The background's gain: volume × fade (start/stop) × ducking, each moving in straight lines
 * sample by sample, so no change of level is ever a step (a click).
 *
 * @module
 */

/** One factor of the gain, ramping linearly to its target. */
class Ramp {
  value: number;
  target: number;
  #step = 0;

  constructor(value: number) {
    this.value = this.target = value;
  }

  /** Heads for `target`, getting there in `frames` sample frames (at once when 0). */
  to(target: number, frames: number): void {
    this.target = target;
    if (frames <= 0) this.value = target;
    this.#step = Math.abs(target - this.value) / Math.max(1, frames);
  }

  get settled(): boolean {
    return this.value === this.target;
  }

  next(): number {
    const { value, target } = this;
    if (value === target) return value;
    this.value = value < target
      ? Math.min(target, value + this.#step)
      : Math.max(target, value - this.#step);
    return this.value;
  }

  /** Moves on `frames` sample frames at once, as that many {@linkcode next} calls would. */
  advance(frames: number): void {
    const { value, target } = this;
    if (value === target) return;
    // A millionth of a step more: the steps taken after this (`next`) land on the target where
    // they would from the ramp's start, not a rounding error short of it (which kept the ramp
    // unsettled a sample longer: a stopped background sent a chunk of silence after its fade).
    const by = this.#step * (frames + 1e-6);
    this.value = value < target ? Math.min(target, value + by) : Math.max(target, value - by);
  }
}

/** The three factors of the background's level and how fast each moves. */
export class BackgroundGain {
  readonly volume: Ramp;
  readonly fade: Ramp;
  readonly duck: Ramp;

  constructor(volume: number, fade: number) {
    this.volume = new Ramp(volume);
    this.fade = new Ramp(fade);
    this.duck = new Ramp(1);
  }

  /** Whether the gain holds still (one multiply per sample). */
  get settled(): boolean {
    return this.volume.settled && this.fade.settled && this.duck.settled;
  }

  /** The gain now. */
  get value(): number {
    return this.volume.value * this.fade.value * this.duck.value;
  }

  /** The gain for the next sample frame. */
  next(): number {
    return this.volume.next() * this.fade.next() * this.duck.next();
  }

  /**
   * Time passes with none of the background heard (speech sent unmixed): every factor moves on
   * `frames` sample frames, as a fader moves whether or not anything plays through it. Else a
   * `stop`, a volume change or ducking begun then would start its ramp only at the next chunk
   * mixed, however long after.
   */
  advance(frames: number): void {
    this.volume.advance(frames);
    this.fade.advance(frames);
    this.duck.advance(frames);
  }

  /**
   * Nothing sounds now (a stream ran dry): each factor headed down is there at once, for a fall
   * that nothing plays through needs no ramp, and, left for later, it would play over the audio
   * that comes next (a `stop` fading out whatever came after it, ducking that began under speech
   * heard un-ducked when the stream came back). One headed up waits, where it was: it goes on
   * rising over the audio that comes next, from the level the last audio played at (a fade-in
   * cut short comes back part way up, as it left; not from silence, which for `volume` would
   * be a dip the caller never asked for).
   */
  fallNow(): void {
    for (const ramp of [this.volume, this.fade, this.duck]) {
      if (ramp.target < ramp.value) ramp.to(ramp.target, 0);
    }
  }
}

/**
 * The most gain applied: past it every sample but 0 saturates anyway (one of ±1 makes ±65,536,
 * beyond any 16-bit sum), and a greater one would take the loudest past 2^31, where the `| 0`
 * of the mix wraps.
 */
const MAX_GAIN = 65536;

/**
 * Adds `frames` frames of `background` × gain to `out` (which holds the speech, or silence), in
 * integer PCM with saturation: a sum beyond 16 bits is clipped, never wrapped.
 */
export function mixInto(
  out: Int16Array,
  at: number,
  background: Int16Array,
  channels: number,
  gain: BackgroundGain,
): void {
  const samples = background.length;
  if (gain.settled) {
    const g = Math.min(gain.value, MAX_GAIN);
    if (g === 0) return;
    for (let i = 0, o = at; i < samples; i++, o++) {
      // Rounded half away from zero, in integer arithmetic (`| 0` truncates): no Math.round.
      const scaled = background[i]! * g;
      const sum = out[o]! + ((scaled + (scaled < 0 ? -0.5 : 0.5)) | 0);
      out[o] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
    }
    return;
  }
  for (let i = 0, o = at; i < samples;) {
    const g = Math.min(gain.next(), MAX_GAIN);
    for (let c = 0; c < channels; c++, i++, o++) {
      const scaled = background[i]! * g;
      const sum = out[o]! + ((scaled + (scaled < 0 ? -0.5 : 0.5)) | 0);
      out[o] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
    }
  }
}
