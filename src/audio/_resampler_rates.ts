/**
 * The rates the streaming resampler converts between, and the one check of a rate against them.
 *
 * @module
 */

import { kindOf } from "../_kind_of.ts";

/** The sample rates {@linkcode Resampler} converts between. */
export const RESAMPLER_RATES: readonly number[] = Object.freeze([
  8000,
  12000,
  16000,
  22050,
  24000,
  32000,
  44100,
  48000,
  96000,
  192000,
]);

/**
 * Throws a `RangeError` naming `name` (the option given, not the resampler's own `inputRate` or
 * `outputRate` behind it) unless `rate` is one of {@linkcode RESAMPLER_RATES}; `why`, if given,
 * says when the rate must be one (`" when the two rates differ"`).
 */
export function assertResamplerRate(rate: unknown, name: string, why = ""): asserts rate is number {
  if (RESAMPLER_RATES.includes(rate as number)) return;
  const got = typeof rate === "number" ? rate : kindOf(rate);
  throw new RangeError(`${name} must be one of ${RESAMPLER_RATES.join(", ")}${why}, got ${got}`);
}
