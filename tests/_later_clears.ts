/**
 * A serializer whose interruptions are answered later, by hand, for the waiting-clear tests.
 *
 * @module
 */
import type { Frame, FrameSerializer, RawPcmSerializer } from "../mod.ts";
import { MarkingSerializer } from "./_fake_far_end.ts";

/**
 * `inner`, its interruptions answered later, in turn: `answer(message)` answers the oldest
 * still waiting (`null`: no message).
 */
export function laterClears(inner: MarkingSerializer | RawPcmSerializer) {
  const waiting: ((message: string | null) => void)[] = [];
  const serializer: FrameSerializer = {
    playoutMarks: inner instanceof MarkingSerializer && inner.playoutMarks,
    setup: (audio) => inner.setup(audio),
    deserialize: (data) => inner.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "interruption") return inner.serialize(frame);
      return new Promise<string | null>((resolve) => waiting.push(resolve));
    },
  };
  const answer = (message: string | null) => waiting.shift()!(message);
  return { serializer, answer };
}
