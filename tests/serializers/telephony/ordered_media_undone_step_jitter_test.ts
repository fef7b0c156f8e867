// Streams ordered by media time (`OrderedMedia` with `orderBy: "timestamp"`), the caller's track of
// a both-tracks stream: Plivo's "Stream Event Protocol" (plivo.com/docs/voice/audio-streaming/
// audio-streaming: with `<Stream audioTrack="both">` one `media.chunk` counter runs across both
// tracks, so the caller's chunks skip every other number; `media.timestamp` is the sender's wall
// clock in epoch ms, each stamp within a few ms of its time). A stamp that jumps seconds ahead
// and is then refused (the packet after goes on from the one before) is undone: the packet after
// it is placed on from the packet before, on the packets' grid, its own jitter left out.
import assert from "node:assert/strict";
import { backToBack } from "../fixtures/levelled_packets.ts";
import { heardByStamp } from "./_ordered_media_stage.ts";

Deno.test("`OrderedMedia` by timestamp: the packet after a stamp that jumped 3 s ahead, itself stamped 6 ms late, is placed on the grid, and every packet after it", () => {
  // Packet 12 jumps 3009 ms ahead (held by the reorder stage, dropped once 13 comes); 13 goes on
  // from 11, 6 ms late. Set at its stamp, 13 left 26 ms of silence for packet 12's 20, and every
  // packet after it, placed in step behind it, was 6 ms late for the rest of the call.
  const { out, counts } = heardByStamp(
    40,
    (packet) => packet * 20 + (packet === 12 ? 3009 : packet === 13 ? 6 : 0),
  );
  assert.deepEqual(out, backToBack(40, [12]));
  assert.equal(counts.inboundMediaLate, 1);
});

Deno.test("`OrderedMedia` by timestamp: a stamp jumping 3 s ahead every other packet among stamps jittered within 6 ms costs those packets, and every packet after is on the grid", () => {
  // Each packet back from a jump went on from the packet before the jump at its own stamp: its
  // jitter carried on by every packet after it until the next jump, and past the last jump for the
  // rest of the call.
  const jitterMs = [0, 3, -2, 5, -6, 1, 4, -4, 6, -1, 2, -5, 0, -3];
  const jumped = (packet: number) => packet % 2 === 1 && packet > 10 && packet < 50;
  const { out, counts } = heardByStamp(
    70,
    (packet) => packet * 20 + jitterMs[packet % jitterMs.length]! + (jumped(packet) ? 3009 : 0),
  );
  assert.deepEqual(out, backToBack(70, Array.from({ length: 70 }, (_, n) => n).filter(jumped)));
  assert.equal(counts.inboundMediaLate, 20);
});
