// A marking far end's serializer (tests/_fake_far_end.ts) whose `serialize` works a while on one
// audio chunk: the stall is the injected clock's (`StallClock.block`), inside the transport's
// turn that sends that chunk, as a slow encoder or a GC pause there would be.
import type { Frame } from "../src/frames.ts";
import { MarkingSerializer } from "./_fake_far_end.ts";
import type { StallClock } from "./_stall_clock.ts";

/** Blocks `stall.ms` while serializing the `stall.chunk`th audio chunk (from 1). */
export class StallingMarkingSerializer extends MarkingSerializer {
  #chunks = 0;
  constructor(readonly clock: StallClock, readonly stall: { chunk: number; ms: number }) {
    super();
  }
  override serialize(frame: Frame) {
    if (frame.type === "audio" && ++this.#chunks === this.stall.chunk) {
      this.clock.block(this.stall.ms);
    }
    return super.serialize(frame);
  }
}
