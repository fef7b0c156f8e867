// A chunk a real-time bot writes while the pump is still sending an earlier one (an asynchronous
// serializer answering late) waits in the queue, reserved only once that send is over: its slot
// may have begun before it was written. It is due at the later of the two, as a chunk written to
// an idle pump is: its lateness is the transport's own delay, not its source's pace.
import assert from "node:assert/strict";
import type { Frame, FrameSerializer } from "../mod.ts";
import { FakeClock } from "../src/testing/mod.ts";
import { MarkingSerializer } from "./_fake_far_end.ts";
import { meteredCall } from "./metrics/_metered_call.ts";

/** `ms` of the bot's speech. */
const speech = (ms: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(1),
  sampleRate: 16000,
  channels: 1,
  responseId: "r1",
});

/**
 * A metered session (20 ms chunks, 100 ms sent ahead) on raw PCM without marks, whose serializer
 * answers its 10th chunk 30 ms later, as an asynchronous serializer may; the bot writes 100 ms
 * at once (the far end's lead), then a frame of `frameMs` every `frameMs`, as a real-time bot
 * does: from then on, each chunk is written after its slot began (100 ms before it plays; it
 * is written 80 ms before) and leaves as it is written.
 */
async function realTimeBot(frameMs: number) {
  const clock = new FakeClock();
  const pcm = new MarkingSerializer(false);
  let chunks = 0;
  const slowOnce: FrameSerializer = {
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame) {
      if (frame.type === "audio" && ++chunks === 10) {
        return clock.sleep(30).then(() => pcm.serialize(frame));
      }
      return pcm.serialize(frame);
    },
  };
  const c = meteredCall(clock, { serializer: slowOnce, sendAheadMs: 100 });
  await clock.tick(0);
  c.transport.send(speech(100));
  for (let i = 0; i < 400 / frameMs; i++) {
    await clock.tick(frameMs);
    c.transport.send(speech(frameMs));
  }
  await clock.tick(1000);
  return c;
}

Deno.test("late chunks: a chunk written while the serializer still works on the one before is due when written, not at its slot", async () => {
  const c = await realTimeBot(20);
  // The 10th, written at 100 ms, is answered at 130; the 11th, written at 120 while that send
  // waited, leaves at 130: 10 ms late, not 30 (its slot began at 100, before it was written).
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.chunks, 25);
  assert.equal(outbound.lateness.max, 10);
  assert.equal(outbound.lateChunks, 1);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("late chunks: the second chunk of a frame, reserved once the serializer answered the first, is due when written", async () => {
  // 40 ms frames, two chunks each: the 10th and 11th are written together at 120 ms (to an idle
  // pump), their slots beginning at 80 and 100; the 11th is reserved only at 150, once the 10th
  // is answered, and leaves then: 30 ms after it was written, not 50 after its slot.
  const c = await realTimeBot(40);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.chunks, 25);
  assert.equal(outbound.lateness.max, 30);
  assert.equal(outbound.lateChunks, 1);
  c.pair.client.close(1000);
  await c.transport.closed;
});
