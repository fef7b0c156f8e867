// `interrupt()` on a far end that answers marks but has no message to clear its buffer: a custom
// serializer (the shipped ones with marks all have a clear), so what was sent plays on there.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule: a mark comes back "when
// the media sent before it has been played" (twilio.com/docs/voice/media-streams/
// websocket-messages, "Mark message"), playing what arrives at once. With `fixedAudioPacketSize`,
// a reply that begins while the packetizer holds the end of the one before owes the mark of their
// boundary until that end leaves (see held_packet_boundary_test.ts). Interrupted then, the held
// packet (that end and the new reply's first audio) is dropped: the reply the mark was for never
// plays, and no mark of it may go out after the interruption.
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { PLAYOUT_END_MARK_PREFIX, PLAYOUT_MARK_PREFIX } from "../src/playback.ts";
import { WebSocketTransport } from "../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono

/** Marks as `MarkingSerializer` writes them, and no word for an interruption: nothing is cleared. */
class NoClearSerializer extends MarkingSerializer {
  override serialize(frame: Frame): string | Uint8Array | null {
    return frame.type === "interruption" ? null : super.serialize(frame);
  }
}

/** 20 ms of response `id`, every byte `value`. */
const chunk = (id: string, value: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(20 * BYTES_PER_MS).fill(value),
  sampleRate: 16000,
  channels: 1,
  responseId: id,
});

Deno.test("interrupt() without a clear sends no mark for the reply it dropped while the packetizer held its start", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new NoClearSerializer(),
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    fixedAudioPacketSize: 2000, // 62.5 ms
    playoutDelayMs: 0,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  await clock.tick(1);
  // r1, 80 ms in real time: one packet leaves, its last 17.5 ms wait for the next.
  for (let n = 0; n < 4; n++) {
    transport.send(chunk("r1", 1));
    await clock.tick(20);
  }
  // r2 begins before the quiet time: its 40 ms join r1's end in the packet, not yet whole.
  for (let n = 0; n < 2; n++) {
    transport.send(chunk("r2", 2));
    await clock.tick(20);
  }
  assert.equal(farEnd.playedMs(2), 0, "none of r2 has left");
  const result = await transport.interrupt();
  assert.equal(result.responseId, "r1", "the sent audio ends with r1, which plays on");
  const interruptedAt = clock.now();
  // r3 after it: 100 ms, one reply, and its end-of-speech mark once the quiet time has passed.
  for (let n = 0; n < 5; n++) {
    transport.send(chunk("r3", 3));
    await clock.tick(20);
  }
  await clock.tick(500);
  const marks = farEnd.texts.filter((t) => t.at >= interruptedAt && t.text.startsWith("mark:"));
  // Before: "mark:__wst:2" too, owed for r2 and sent with r3's first packet, ahead of the end mark.
  assert.deepEqual(
    marks.map((m) => m.text.replace(/\d+$/, "N")),
    [`mark:${PLAYOUT_END_MARK_PREFIX}N`],
    `marks after the interruption: ${JSON.stringify(marks)}`,
  );
  // The one mark left stands at r3's end: after all the far end received.
  assert.equal(marks[0]!.bytesBefore, farEnd.arrivals.reduce((sum, a) => sum + a.bytes, 0));
  assert.ok(marks[0]!.text.startsWith(`mark:${PLAYOUT_MARK_PREFIX}`));
  assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
  await transport.close();
});
