/**
 * What the far ends whose rate comes with their encoding (Plivo's `contentType`, Exotel's
 * MediaFormat) share: one table of the rates each encoding is streamed at, read for the three
 * things asked of it (is this pair streamed, which other encoding gives this rate, what the
 * refusal says), so the refusal and the hint never restate the table by hand and cannot drift
 * from it. Each platform's table, and the documentation it comes from, stays in its far end.
 *
 * @module
 */

import type { FarEndOptions } from "../far_end.ts";
import { orList } from "../../_or_list.ts";

/** The rates of each encoding a far end streams, in the order its refusal names them. */
export class EncodingRates {
  readonly #platform: string;
  readonly #table: Readonly<Record<string, readonly number[]>>;

  /** `platform`: the refusal's first word (`Plivo`). */
  constructor(platform: string, table: Readonly<Record<string, readonly number[]>>) {
    this.#platform = platform;
    this.#table = table;
  }

  /** The encodings, in the table's order. */
  get encodings(): readonly string[] {
    return Object.keys(this.#table);
  }

  /**
   * The rates `encoding` is streamed at; none for an encoding not in the table. Own keys only:
   * an encoding named like an Object method (`toString`) has no rates either.
   */
  ratesOf(encoding: string): readonly number[] {
    return Object.hasOwn(this.#table, encoding) ? this.#table[encoding]! : [];
  }

  /** Whether `encoding` is streamed at `rate`. */
  streams(encoding: string, rate: number): boolean {
    return this.ratesOf(encoding).includes(rate);
  }

  /**
   * The other encodings streamed at `rate`, in the table's order: what a far end made in
   * `encoding` names where it is asked for a rate its encoding has no form at (far_end.ts
   * `optionsForRate`).
   */
  optionsForRate(encoding: string, rate: number): FarEndOptions[] {
    return Object.entries(this.#table)
      .filter(([other, rates]) => other !== encoding && rates.includes(rate))
      .map(([other]) => ({ encoding: other }));
  }

  /**
   * The refusal of `encoding` at `rate`: every encoding's rates, then what was asked for, worded as
   * the serializers word theirs ("Plivo streams audio/x-mulaw at 8000 Hz and audio/x-l16 at 8000
   * or 16000 Hz, got …").
   */
  refusal(encoding: string, rate: number): string {
    const streamed = Object.entries(this.#table)
      .map(([name, rates]) => `${name} at ${orList(rates)} Hz`)
      .join(" and ");
    return `${this.#platform} streams ${streamed}, got ${encoding} at ${rate}`;
  }
}
