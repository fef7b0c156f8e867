// Streams ordered by media time (`OrderedMedia` with `orderBy: "timestamp"`), the caller's track of
// a both-tracks stream: Plivo's "Stream Event Protocol" (plivo.com/docs/voice/audio-streaming/
// audio-streaming: with `<Stream audioTrack="both">` one `media.chunk` counter runs across both
// tracks, so the caller's chunks skip every other number and say only which packet is newer;
// `media.timestamp` is the sender's wall clock in epoch ms). A far end whose stamps go wrong (a
// clock stuck, one stamp ten minutes back, a stamp jumping ahead every other packet) costs the
// packets it stamped wrong, never the stamps' bias every later packet is placed against.
import assert from "node:assert/strict";
import { backToBack } from "../fixtures/levelled_packets.ts";
import { heardByStamp } from "./_ordered_media_stage.ts";

Deno.test("`OrderedMedia` by timestamp: a sender's clock stuck on one stamp for 50 packets loses those packets, and every packet after is placed at its stamp", () => {
  // Packets 10–59 all stamped where packet 10 begins: the first two are a burst stamped alike
  // (10 in place, 11 in step after it), the rest overlap them. Read into the stamps' bias, every
  // other one (placed in step behind one dropped at its stamp) walked the bias back a packet:
  // packets of the burst came out after 11, and every packet after it 40 ms late.
  const { out, counts } = heardByStamp(
    80,
    (packet) => (packet >= 10 && packet < 60 ? 200 : packet * 20),
  );
  const heardPackets = out.filter((frame) => !frame.includes(":-"));
  assert.deepEqual(heardPackets, [
    ...backToBack(12),
    ...backToBack(80).slice(60),
  ]);
  assert.equal(counts.inboundMediaGapMs, 960, "packets 12–59 missing, as silence");
});

Deno.test("`OrderedMedia` by timestamp: one packet stamped ten minutes back, 5 ms off the grid, leaves every packet after it at its stamp", () => {
  // Dropped as late, it is still the newest chunk: the packet after was read against where it
  // ends, snapped a whole number of packets (30,000) on from it, 5 ms late, and every later one.
  const { out } = heardByStamp(40, (packet) => (packet === 10 ? 200 - 600_000 + 5 : packet * 20));
  assert.deepEqual(out, backToBack(40, [10]));
});

Deno.test("`OrderedMedia` by timestamp: a stamp jumping 3 s ahead every other packet costs those packets, and every packet after is placed at its stamp", () => {
  // Each jump, 9 ms off the grid, is held by the reorder stage as a jump to confirm and dropped
  // when the next packet comes; it moved the residuals with the grid all the same: once the
  // jumps stop, packet 51 was set 11 ms late, and every packet after it.
  const jumped = (packet: number) => packet % 2 === 1 && packet > 10 && packet < 50;
  const { out, counts } = heardByStamp(70, (packet) => packet * 20 + (jumped(packet) ? 3009 : 0));
  assert.deepEqual(out, backToBack(70, Array.from({ length: 70 }, (_, n) => n).filter(jumped)));
  assert.equal(counts.inboundMediaLate, 20);
});
