// The caller's first packet stamped late by more than a packet and the third packet lost, on a
// stream ordered by media time: the packet after the loss is the second opinion on the first stamp. A Plivo far end as its "Stream Event Protocol" page shows it
// (plivo.com/docs/voice/audio-streaming/audio-streaming: "start" with `start.tracks`
// ["inbound", "outbound"], as `<Stream audioTrack="both">` makes it; "media" with `media.track`,
// `media.chunk` and `media.timestamp` in epoch ms): with both tracks the caller's packets are put
// in order by `media.timestamp`, and one `chunk` counter runs across the tracks, so the chunks do
// not say which caller packet is missing. Plivo stamps by its wall clock: the first caller packet's
// stamp may be late by any amount, and each stamp is within 6 ms of its time.
import assert from "node:assert/strict";
import { backToBack, placeAndLengthOf } from "../fixtures/levelled_packets.ts";
import { bothTracksCall } from "../fixtures/plivo_both_tracks_call.ts";

/**
 * A call of `count` packets from both tracks (`bothTracksCall`), the caller's packet `n` stamped
 * `offByMs.get(n)` off its time, those in `lost` never sent; each caller audio frame out as
 * "time:packet" ("time:-" for silence filled, with its length in ms when not one packet), and the
 * counts.
 */
function call(count: number, offByMs: Map<number, number>, lost: number[] = []) {
  const { audio, counted } = bothTracksCall(count, offByMs, lost);
  return { heard: audio.map(placeAndLengthOf), counted };
}

Deno.test("`PlivoSerializer` with both tracks keeps the move of a first stamp 35 ms late when the packet after the third's loss agrees with it", () => {
  // The second stamped 5 ms early reads 40 ms before the first's end: the stamps after it read
  // moved by 40 ms. Packet 3, stamped 1 ms early, reads 24 ms past the second's end so (one packet
  // lost, 4 ms of jitter) and 16 ms before it without the move (in step, 16 ms of jitter: more than
  // two stamps within 6 ms of their time are off each other). Was: the nearer reading won, the move
  // was undone, packet 3 was set in packet 2's place and the loss never filled, the call 20 ms short.
  const { heard, counted } = call(12, new Map([[0, 35], [1, -5], [3, -1]]), [2]);
  assert.deepEqual(heard, backToBack(12, [2]));
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});

Deno.test("`PlivoSerializer` with both tracks reads a second stamped 78 ms early as jitter when the third is 6 ms late", () => {
  // Read with the move, the third is 84 ms past the second's end: four packets lost, 4 ms off; read
  // without it, 6 ms late, in step. Each packet a reading says is missing counts against it: by
  // the fit to the packets' grid alone, four losses 4 ms off beat jitter of 6 ms.
  const { heard, counted } = call(10, new Map([[1, -78], [2, 6]]));
  assert.deepEqual(heard, backToBack(10));
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});
