// Late chunks from a bot whose audio comes in real time (a bridge, a real-time TTS): a chunk is
// late when the transport sent it after it was due, and it is not due before it was written. The
// source's own pace is not the transport's delay: the far end, playing at once here, shows it.
import assert from "node:assert/strict";
import type { Frame, FrameSerializer } from "../../mod.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { type FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { meteredCall } from "./_metered_call.ts";

function call(
  serializer: FrameSerializer = new MarkingSerializer(),
  options: TransportOptions = {},
) {
  return meteredCall(new FakeClock(), { serializer, ...options });
}

/** `ms` of bot audio. */
const audio = (ms: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(1),
  sampleRate: 16000,
  channels: 1,
  responseId: "r1",
});

/** Writes `count` frames of `frameMs`, one every `everyMs`, as a real-time source does. */
async function speakInRealTime(
  c: ReturnType<typeof call>,
  count: number,
  frameMs: number,
  everyMs: number,
): Promise<void> {
  await c.clock.tick(0);
  for (let i = 0; i < count; i++) {
    c.transport.send(audio(frameMs));
    await c.clock.tick(everyMs);
  }
  await c.clock.tick(1000);
}

/** Silences between what the far end played, in ms (each longer than rounding). */
function gaps(farEnd: FakeFarEnd): number[] {
  const found: number[] = [];
  for (let i = 1; i < farEnd.played.length; i++) {
    const before = farEnd.played[i - 1]!;
    const gap = farEnd.played[i]!.at - (before.at + before.ms);
    if (gap > 1e-6) found.push(gap);
  }
  return found;
}

async function hangUp(c: ReturnType<typeof call>): Promise<void> {
  c.pair.client.close(1000);
  await c.transport.closed;
}

for (const everyMs of [19, 20]) {
  Deno.test(`late chunks: a real-time bot writing a 20 ms chunk every ${everyMs} ms sends none late`, async () => {
    const c = call();
    await speakInRealTime(c, 50, 20, everyMs);
    const { outbound } = c.metrics.snapshot();
    assert.equal(outbound.chunks, 50);
    // Each chunk left as it was written (or at its slot, once the source got ahead): the far end
    // played the 50 back to back, and the transport delayed none.
    assert.deepEqual(gaps(c.farEnd), []);
    assert.equal(outbound.lateChunks, 0, `lateness max ${outbound.lateness.max}`);
    await hangUp(c);
  });
}

Deno.test("late chunks: real-time frames of two chunks, 60 ms sent ahead, are none late", async () => {
  // Through the queue: each 40 ms frame is cut into two chunks, both due when written.
  const c = call(new MarkingSerializer(), { sendAheadMs: 60 });
  await speakInRealTime(c, 25, 40, 40);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.chunks, 50);
  assert.deepEqual(gaps(c.farEnd), []);
  assert.equal(outbound.lateChunks, 0, `lateness max ${outbound.lateness.max}`);
  await hangUp(c);
});

Deno.test("late chunks: real-time frames of half a chunk (the chunker completes each) are none late", async () => {
  const c = call();
  await speakInRealTime(c, 100, 10, 10);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.chunks, 50);
  assert.deepEqual(gaps(c.farEnd), []);
  assert.equal(outbound.lateChunks, 0, `lateness max ${outbound.lateness.max}`);
  await hangUp(c);
});

Deno.test("late chunks: a real-time bot slower than real time is not late (the far end's gaps are its own)", async () => {
  const c = call();
  await speakInRealTime(c, 50, 20, 21);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.chunks, 50);
  assert.equal(gaps(c.farEnd).length, 49, "the source ran 1 ms slow per chunk");
  assert.equal(outbound.lateChunks, 0);
  await hangUp(c);
});
