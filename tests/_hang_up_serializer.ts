/**
 * Raw PCM whose `cancel` is a message of its own ("hang up"), as a telephony protocol's hang-up
 * is, recording what reached it.
 *
 * @module
 */
import type { FrameSerializer } from "../mod.ts";

/**
 * The serializer, the frame types it was given (`serialized`), and `finishSetUp` / `failSetUp`
 * for one that is `slow` (its set-up runs until then); `peerCloses` for a far end that closes
 * after a cancel.
 */
export function hangUpSerializer(options: { slow?: boolean; peerCloses?: boolean } = {}) {
  const setUp = Promise.withResolvers<void>();
  const serialized: string[] = [];
  const serializer: FrameSerializer = {
    ...(options.slow ? { setup: () => setUp.promise } : {}),
    ...(options.peerCloses ? { peerCloses: true } : {}),
    serialize(frame) {
      serialized.push(frame.type);
      if (frame.type === "audio") return frame.audio;
      return frame.type === "cancel" ? "hang up" : null;
    },
    deserialize: () => null,
  };
  return {
    serializer,
    serialized,
    finishSetUp: () => setUp.resolve(),
    failSetUp: (error: unknown) => setUp.reject(error),
  };
}
