// A serializer whose `serialize` works a while on chosen audio chunks: the stall is the injected
// clock's (`StallClock.block`), inside the transport's turn that sends that chunk, as a slow
// encoder or a GC pause there would be. Any serializer: the stall tests run it on raw PCM and on
// a marking far end (tests/_fake_far_end.ts) alike.
import type { FrameSerializer } from "../src/serializer.ts";
import type { StallClock } from "./_stall_clock.ts";

/** `ms` of work (the event loop blocked) inside `serialize` on the `chunk`th audio chunk (from 1). */
export interface SerializeStall {
  chunk: number;
  ms: number;
}

/** Makes `serializer` block `clock` for each stall's `ms` on its `chunk`th audio chunk; returns it. */
export function withSerializeStalls<S extends FrameSerializer>(
  serializer: S,
  clock: StallClock,
  stalls: SerializeStall | readonly SerializeStall[],
): S {
  const list: readonly SerializeStall[] = "chunk" in stalls ? [stalls] : stalls;
  const serialize = serializer.serialize.bind(serializer);
  let chunks = 0;
  serializer.serialize = (frame) => {
    if (frame.type === "audio") {
      const chunk = ++chunks;
      for (const stall of list) if (stall.chunk === chunk) clock.block(stall.ms);
    }
    return serialize(frame);
  };
  return serializer;
}
