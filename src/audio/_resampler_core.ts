/**
 * What `Resampler` asks of its engines (`_polyphase_resampler.ts`, `_chained_resampler.ts`):
 * one conversion ratio, interleaved channels fixed at construction.
 *
 * @module
 */

/** Where a resampler's output arrays come from: a fresh, zeroed array of `length` samples. */
export type OutputArrays = (length: number) => Int16Array;

/** A streaming sample-rate converter for one ratio and channel count. */
export interface ResamplerCore {
  /**
   * Feeds whole frames; returns the output frames now complete, in a new array from `allocate`
   * (given the array's length in samples).
   */
  process(input: Int16Array, allocate: OutputArrays): Int16Array;
  /** Completes the stream's output from silence, then resets. */
  flush(allocate: OutputArrays): Int16Array;
  /** Forgets all input and filter state. */
  reset(): void;
}
