// The caller's first packet stamped late, on a stream ordered by media time. A Plivo far end as
// its "Stream Event Protocol" page shows it (plivo.com/docs/voice/audio-streaming/audio-streaming:
// "start" with `start.tracks` ["inbound", "outbound"], as `<Stream audioTrack="both">` makes it;
// "media" with `media.track`, `media.chunk` and `media.timestamp` in epoch ms): with both tracks
// the caller's packets are put in order by `media.timestamp`, and one `chunk` counter runs across
// the tracks. Plivo stamps by its wall clock, so a stamp can be a few packets off: here the first
// caller packet's, then (the other reading of the same two stamps) the second's.
import assert from "node:assert/strict";
import { backToBack, placeOf } from "../fixtures/levelled_packets.ts";
import { bothTracksCall } from "../fixtures/plivo_both_tracks_call.ts";

/**
 * A call of `count` packets from both tracks (`bothTracksCall`), the caller's packet `n` stamped
 * `offByMs.get(n)` off its time, those in `lost` never sent; each caller audio frame out as
 * "time:packet" ("time:-" for silence filled), and the counts.
 */
function call(count: number, offByMs: Map<number, number>, lost: number[] = []) {
  const { audio, counted } = bothTracksCall(count, offByMs, lost);
  return { heard: audio.map(placeOf), counted };
}

for (const lateMs of [40, 60, 80]) {
  Deno.test(`\`PlivoSerializer\` with both tracks keeps every packet after a first one stamped ${lateMs} ms late`, () => {
    const { heard, counted } = call(12, new Map([[0, lateMs]]));
    // Was: the packets stamped before the first's end dropped as late or overlapping it,
    // lateMs of the caller's audio (80 ms: packets 1 to 4).
    assert.deepEqual(heard, backToBack(12));
    assert.equal(counted.inboundMediaLate, undefined);
    assert.equal(counted.inboundMediaDuplicates, undefined);
    assert.equal(counted.inboundMediaGapsFilled, undefined);
  });
}

for (const lateMs of [20, 80]) {
  Deno.test(`\`PlivoSerializer\` with both tracks still fills a loss after a first packet stamped ${lateMs} ms late, where it was and with its own length`, () => {
    // The stamps after the first read moved by as much: they still say what is missing. Was, at
    // 20 ms: each packet stamped a packet before where the one before ended was taken as jitter
    // and set there, so a single loss left no hole: the call 20 ms short, nothing filled.
    const { heard, counted } = call(12, new Map([[0, lateMs]]), [3, 8]);
    assert.deepEqual(heard, backToBack(12, [3, 8]));
    assert.equal(counted.inboundMediaGapsFilled, 2);
    assert.equal(counted.inboundMediaGapMs, 40);
    assert.equal(counted.inboundMediaLate, undefined);
  });
}

Deno.test("`PlivoSerializer` with both tracks takes a second packet stamped 80 ms early in its place, and reads the stamps after it as they are", () => {
  // The same two stamps, read the other way: the third packet's stamp agrees with the first's.
  const { heard, counted } = call(12, new Map([[1, -80]]), [6]);
  assert.deepEqual(heard, backToBack(12, [6]));
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
  assert.equal(counted.inboundMediaLate, undefined);
});

Deno.test("`PlivoSerializer` with both tracks reads no jitter within a packet as a late first stamp", () => {
  // The first stamped 6 ms late, the second 6 ms early: 12 ms apart, jitter placed as it was.
  const { heard, counted } = call(10, new Map([[0, 6], [1, -6], [2, -6], [4, 6]]));
  assert.deepEqual(heard, backToBack(10));
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});
