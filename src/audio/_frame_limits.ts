/**
 * The largest audio format a frame may claim. Chunk and packet buffers are sized from a frame's
 * rate and channel count, so a peer's `sampleRate` of 2^53 would ask for a buffer no runtime can
 * allocate: such a frame is refused as malformed, where it comes in and where it goes out.
 *
 * @module
 */

/** The highest sample rate audio hardware and codecs use (Hz). */
export const MAX_SAMPLE_RATE = 384_000;

/** The most channels a frame may carry. */
export const MAX_CHANNELS = 32;
