// What was delivered before a Telnyx stream of both tracks switches to media-time order bounds
// what the new order delivers (`OrderedMedia.reorderBy`). A Telnyx far end as its docs show it
// (fixtures/telnyx_both_tracks_call.ts: "Stream call media over WebSocket", the start frame names
// no tracks; "Media frame order is not guaranteed. Use media.chunk, media.timestamp, and
// sequence_number to order frames"; a media frame carries media.track, media.chunk,
// media.timestamp and media.payload). One `chunk` counter runs across both tracks here (as
// Twilio's does); the serializer orders by `chunk` until the bot's track first shows, then by
// `media.timestamp`. README: "duplicates and packets too late to place are dropped", "a lost
// packet becomes silence of exactly its length (the caller's timeline stays right)".
import assert from "node:assert/strict";
import { backToBack, levelledPayload, placeOf } from "./fixtures/levelled_packets.ts";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";

/** One media frame as the far end sends it: the caller's packet `n`, or the bot's. */
type Sent =
  | { caller: number; chunk: number; atMs: number }
  | { bot: true; chunk: number; atMs: number };

/** Plays `sent` into a started Telnyx serializer: each caller frame heard as "time:packet". */
function play(sent: readonly Sent[]) {
  const { send, audio, counted } = startedTelnyxBothTracks();
  for (const frame of sent) {
    if ("bot" in frame) send("outbound", frame.chunk, frame.atMs);
    else send("inbound", frame.chunk, frame.atMs, levelledPayload(frame.caller));
  }
  return { heard: audio().map(placeOf), counted };
}

const caller = (n: number, chunk: number, atMs = 20 * n): Sent => ({ caller: n, chunk, atMs });
const bot = (chunk: number, atMs: number): Sent => ({ bot: true, chunk, atMs });

/**
 * From packet `from` to `to`: the bot's frame, then the caller's, each 20 ms, on one chunk counter
 * that goes on from `chunk` (the caller's packet `n` stamped its time plus `offByMs.get(n)`).
 */
function bothTracks(from: number, to: number, chunk: number, offByMs = new Map<number, number>()) {
  const sent: Sent[] = [];
  for (let n = from; n < to; n++) {
    sent.push(bot(++chunk, 20 * n), caller(n, ++chunk, 20 * n + (offByMs.get(n) ?? 0)));
  }
  return sent;
}

Deno.test("`TelnyxSerializer` with both tracks drops, and counts, a caller packet from before the switch to media time sent again after it", () => {
  // The brief's minimal stream: packet 1 sent again after the bot's first frame. Was: the new
  // order began at the copy, heard twice (time running back), 20 ms of silence invented before
  // packet 3, no duplicate counted: `0:0 20:1 40:2 20:1 40:- 60:3`.
  const { heard, counted } = play([
    caller(0, 1),
    caller(1, 2),
    caller(2, 3),
    bot(4, 60),
    caller(1, 2),
    caller(3, 5),
    ...bothTracks(4, 8, 5),
  ]);
  assert.deepEqual(heard, backToBack(8));
  assert.equal(counted.inboundMediaDuplicates, 1);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
});

Deno.test("`TelnyxSerializer` with both tracks drops two copies from farther back than the window after the switch, and begins no timeline anew at them", () => {
  // Packets 0 and 1 sent again after packet 6, the first after the switch: 100 ms and more behind
  // where the new order stands. Was: the new order, begun at packet 6 alone, took the two copies
  // agreeing behind it for its first number's outlier and began anew at them (both heard twice).
  const { heard, counted } = play([
    ...Array.from({ length: 6 }, (_, n) => caller(n, n + 1)),
    bot(7, 120),
    caller(6, 8),
    caller(0, 1),
    caller(1, 2),
    ...bothTracks(7, 10, 8),
  ]);
  assert.deepEqual(heard, backToBack(10));
  assert.equal(counted.inboundMediaDuplicates, 2);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});

Deno.test("`TelnyxSerializer` with both tracks counts a caller packet whose hole was filled at the switch late, and hears it nowhere", () => {
  // Packet 2 comes after the bot's first frame: packet 3, held behind its hole by `chunk`, came out
  // at the switch with the hole's 20 ms of silence before it (the media times show it missing).
  // Was: the new order began at packet 2, heard after packet 3 with time running back.
  const { heard, counted } = play([
    caller(0, 1),
    caller(1, 2),
    caller(3, 4),
    bot(5, 80),
    caller(2, 3),
    caller(4, 6),
    ...bothTracks(5, 8, 6),
  ]);
  assert.deepEqual(heard, backToBack(8, [2]));
  assert.equal(counted.inboundMediaLate, 1);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
});

Deno.test("`TelnyxSerializer` with both tracks fills the caller's packet lost right at the switch to media time", () => {
  // The bot's track shows at packet 2, whose caller's packet is lost (its chunk, 4, unused). Was:
  // the new order began at packet 3, nothing missing before it: `20:1 60:3`, nothing counted,
  // the caller's audio 20 ms short.
  const { heard, counted } = play([
    caller(0, 1),
    caller(1, 2),
    bot(3, 40),
    ...bothTracks(3, 8, 4),
  ]);
  assert.deepEqual(heard, backToBack(8, [2]));
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
});

Deno.test("`TelnyxSerializer` with both tracks fills a loss at the switch by whole packets, the stamp after it jittered", () => {
  // Two caller packets lost at the switch (2 and 3), packet 4 stamped 6 ms early: the loss is
  // snapped to the grid, 40 ms, against where the packets before the switch end (not 34 ms at
  // its stamp). Was: nothing filled, packet 4 at 74 ms, the caller's audio 40 ms short.
  const { heard, counted } = play([
    caller(0, 1),
    caller(1, 2),
    bot(3, 40),
    bot(5, 60),
    ...bothTracks(4, 9, 6, new Map([[4, -6]])),
  ]);
  assert.deepEqual(heard, [...backToBack(9, [2]).slice(0, 3), ...backToBack(9).slice(4)]);
  assert.equal(counted.inboundMediaGapMs, 40);
  assert.equal(counted.inboundMediaGapsFilled, 1);
});

Deno.test("`TelnyxSerializer` with both tracks places the first caller packet after the switch stamped as the last before it right after it", () => {
  // A burst stamped alike across the switch: packet 2 (a newer chunk) carries packet 1's stamp.
  // It is no copy (its chunk is new), nor is its audio early: it goes on where packet 1 ends.
  // Was: the new order began at its stamp, packet 2 set back onto packet 1's time, then 20 ms of
  // silence invented before packet 3.
  const { heard, counted } = play([
    caller(0, 1),
    caller(1, 2),
    bot(3, 40),
    caller(2, 4, 20),
    ...bothTracks(3, 8, 4),
  ]);
  assert.deepEqual(heard, backToBack(8));
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});
