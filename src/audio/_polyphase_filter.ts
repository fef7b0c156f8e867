/**
 * The table a `PolyphaseResampler` runs: one conversion ratio's FIR phases, where the first
 * output sits, and an optional all-pole cascade around the FIR. Made by `_kaiser_filter.ts`
 * (linear-phase FIR alone) and `_elliptic_filter.ts` (elliptic IIR split into FIR + all-pole).
 *
 * @module
 */

/** A polyphase FIR for the ratio `up / down`, with an optional all-pole cascade. */
export interface PolyphaseFilter {
  /** Output samples per `down` input samples (the reduced ratio's numerator). */
  readonly up: number;
  /** Input samples per `up` output samples. */
  readonly down: number;
  /** Taps per phase, in input samples. */
  readonly taps: number;
  /**
   * `up` phases of `taps` coefficients each, phase-major: output sample j of phase p is
   * Σₖ coefficients[p·taps + k] · x[s + k], x the input (after `poles`, when they come first)
   * and s its first tap.
   */
  readonly coefficients: Float64Array;
  /** Silent samples before the stream's first one in the history: how far back output 0 reaches. */
  readonly lead: number;
  /** History index of output 0's first tap, and its phase. */
  readonly firstStart: number;
  readonly firstPhase: number;
  /**
   * The output `firstStart` places, counted back from output 0 (0: output 0 itself). Decimating,
   * the outputs before output 0 that read the stream's first samples must be computed, and the
   * all-pole cascade after the FIR run over them, or it starts from a state that never saw those
   * samples (see `_elliptic_filter.ts`'s `decimator`); `PolyphaseResampler` computes them, and
   * any a chain's earlier stage hands on, from this placement.
   */
  readonly warmUp: number;
  /**
   * Six second-order all-pole sections `1 / (1 + d1·z⁻¹ + d2·z⁻²)` as [d1, d2] pairs, run on the
   * input (interpolation) or on the output (decimation) according to `polesFirst`; empty: none.
   */
  readonly poles: Float64Array;
  readonly polesFirst: boolean;
}
