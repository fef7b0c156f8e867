// Frames and a queue for the inbound tests (_inbound_queue_test.ts, _inbound_stream_test.ts).

import { InboundQueue } from "../src/_inbound_queue.ts";
import type { Frame } from "../src/frames.ts";

/** A message frame numbered `n`. */
export const message = (n: number): Frame => ({ type: "message", message: n });

/** A two-byte audio frame whose first byte is `n`. */
export const audio = (n: number): Frame => ({
  type: "audio",
  audio: new Uint8Array([n, 0]),
  sampleRate: 16000,
  channels: 1,
});

/** A queue of `maxFrames`, and what it reported: drops and overflows. */
export function queue(maxFrames = 3): { q: InboundQueue; events: string[] } {
  const events: string[] = [];
  const q = new InboundQueue({
    maxFrames,
    onDrop: (first) => events.push(first ? "drop first" : "drop"),
    onOverflow: () => events.push("overflow"),
  });
  return { q, events };
}
