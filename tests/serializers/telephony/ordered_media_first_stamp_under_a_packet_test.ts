// The caller's first packet stamped late by less than a packet (half a packet or more), on a
// stream ordered by media time. A Plivo far end as its "Stream Event Protocol" page shows it
// (plivo.com/docs/voice/audio-streaming/audio-streaming: "start" with `start.tracks`
// ["inbound", "outbound"], as `<Stream audioTrack="both">` makes it; "media" with `media.track`,
// `media.chunk` and `media.timestamp` in epoch ms): with both tracks the caller's packets are put
// in order by `media.timestamp`, and one `chunk` counter runs across the tracks, so the chunks do
// not say which caller packet is missing. Plivo stamps by its wall clock: the first caller packet's
// stamp may be late by any amount, a packet or less too.
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

// 16 and 19 ms: beyond what two stamps each within 6 ms of their time are off each other (the
// lateness a first 6 ms late and a second and third 6 ms early show, 12 ms, is jitter, see
// ordered_media_late_first_stamp_test.ts: no rule deciding by the third packet tells that from a
// first 12 ms late).
for (const lateMs of [16, 19]) {
  Deno.test(`\`PlivoSerializer\` with both tracks still fills a loss after a first packet stamped ${lateMs} ms late, where it was and with its own length`, () => {
    // Was: the second packet, stamped less than a packet before the first's end, was taken for
    // jitter and set there, the timeline left on the first's late stamp: every packet after read
    // lateMs early, a single loss (packet 7) read as jitter and set in step, never filled, the
    // call 20 ms short.
    const { heard, counted } = call(12, new Map([[0, lateMs]]), [7]);
    assert.deepEqual(heard, backToBack(12, [7]));
    assert.equal(counted.inboundMediaGapsFilled, 1);
    assert.equal(counted.inboundMediaGapMs, 20);
    assert.equal(counted.inboundMediaLate, undefined);
    assert.equal(counted.inboundMediaDuplicates, undefined);
  });
}

Deno.test("`PlivoSerializer` with both tracks keeps a packet stamped 6 ms early after a first packet stamped 16 ms late", () => {
  // Was: read 22 ms early on the first's timeline, more than a packet before where the packet
  // before it ends, packet 3 was dropped as a duplicate of it though its chunk was new, and the
  // packet after it was set where the dropped one would have ended, overlapping packet 2.
  const { heard, counted } = call(8, new Map([[0, 16], [3, -6]]));
  assert.deepEqual(heard, backToBack(8));
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});

Deno.test("`PlivoSerializer` with both tracks reads a second packet stamped 16 ms early as jitter once the third agrees with the first", () => {
  // The same two stamps, read the other way: the third packet's stamp agrees with the first's,
  // the move undone; a loss after is filled where it was.
  const { heard, counted } = call(12, new Map([[1, -16]]), [7]);
  assert.deepEqual(heard, backToBack(12, [7]));
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});
