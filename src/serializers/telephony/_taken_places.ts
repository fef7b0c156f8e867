/**
 * Where the latest packets of a stream ordered by timestamp went, by chunk: `StampPlacement`
 * places a packet that is not the newest (delayed past a later one, or sent again) among them.
 * A ring of fixed arrays apart from the placement's rules, as the stamps' residuals are
 * (`_stamp_residuals.ts`).
 *
 * @module
 */

/**
 * How many of the latest packets taken {@linkcode TakenPlaces} remembers the places of: more than
 * the reorder stage's window holds (60 ms by default; three packets of 20 ms), so a packet delayed
 * or sent again within it finds its neighbours, or itself, there. One older than all of them (a
 * window set far wider) is placed by its stamp less the bias alone.
 */
const TAKEN_PLACES = 32;

/**
 * The places of the latest {@linkcode TAKEN_PLACES} packets the reorder stage took, by chunk, with
 * their stamps, in a ring of fixed arrays (a packet costs no allocation).
 */
export class TakenPlaces {
  readonly #chunks = new Float64Array(TAKEN_PLACES);
  readonly #stampsMs = new Float64Array(TAKEN_PLACES);
  readonly #placesMs = new Float64Array(TAKEN_PLACES);
  readonly #endsMs = new Float64Array(TAKEN_PLACES);
  #count = 0;
  #next = 0;
  /**
   * Read by {@linkcode TakenPlaces.around}: where the nearest older chunk kept ends, where the
   * nearest newer one begins (NaN: none kept).
   */
  afterMs = Number.NaN;
  beforeMs = Number.NaN;

  /**
   * Keeps where the packet of `chunk` stamped `stampMs` went, the oldest let go once the ring is
   * full.
   */
  keep(chunk: number, stampMs: number, atMs: number, durationMs: number): void {
    this.#chunks[this.#next] = chunk;
    this.#stampsMs[this.#next] = stampMs;
    this.#placesMs[this.#next] = atMs;
    this.#endsMs[this.#next] = atMs + durationMs;
    this.#next = (this.#next + 1) % TAKEN_PLACES;
    if (this.#count < TAKEN_PLACES) this.#count++;
  }

  /**
   * Where the packet of `chunk` stamped within `toleranceMs` of `stampMs` went, the latest such
   * kept; `undefined`: none kept.
   */
  placeOf(chunk: number, stampMs: number, toleranceMs: number): number | undefined {
    for (let age = 0; age < this.#count; age++) {
      const slot = (this.#next + TAKEN_PLACES - 1 - age) % TAKEN_PLACES;
      if (this.#chunks[slot] === chunk && Math.abs(this.#stampsMs[slot]! - stampMs) < toleranceMs) {
        return this.#placesMs[slot];
      }
    }
    return undefined;
  }

  /**
   * Where the packet of the nearest older chunk kept than `chunk` ends (`afterMs`), and where that
   * of the nearest newer one, up to `last` (the step's: one newer was out of line), begins
   * (`beforeMs`); NaN where none is kept. Read into the two fields: a packet costs no allocation.
   */
  around(chunk: number, last: number): void {
    let older = -Infinity;
    let newer = Infinity;
    this.afterMs = this.beforeMs = Number.NaN;
    for (let slot = 0; slot < this.#count; slot++) {
      const kept = this.#chunks[slot]!;
      if (kept < chunk && kept > older) {
        older = kept;
        this.afterMs = this.#endsMs[slot]!;
      } else if (kept > chunk && kept <= last && kept < newer) {
        newer = kept;
        this.beforeMs = this.#placesMs[slot]!;
      }
    }
  }

  /** Forgets every place. */
  clear(): void {
    this.#count = this.#next = 0;
  }
}
