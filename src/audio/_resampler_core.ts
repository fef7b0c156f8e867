/**
 * What `Resampler` asks of its engines (`_polyphase_resampler.ts`, `_chained_resampler.ts`):
 * one conversion ratio, interleaved channels fixed at construction.
 *
 * @module
 */

/** A streaming sample-rate converter for one ratio and channel count. */
export interface ResamplerCore {
  /** Feeds whole frames; returns the output frames now complete, in a new array. */
  process(input: Int16Array): Int16Array;
  /** Completes the stream's output from silence, then resets. */
  flush(): Int16Array;
  /** Forgets all input and filter state. */
  reset(): void;
}
