// Stamps jittered a few ms either way, no first stamp off, on a stream ordered by media time. A
// Plivo far end as its "Stream Event Protocol" page shows it (plivo.com/docs/voice/audio-streaming/
// audio-streaming: "start" with `start.tracks` ["inbound", "outbound"], as `<Stream
// audioTrack="both">` makes it; "media" with `media.track`, `media.chunk` and `media.timestamp` in
// epoch ms): with both tracks the caller's packets are put in order by `media.timestamp`, and one
// `chunk` counter runs across the tracks, so the chunks do not say which caller packet is missing.
// Plivo stamps by its wall clock: each stamp here is within 6 ms of its time.
import assert from "node:assert/strict";
import { placeAndLengthOf } from "../fixtures/levelled_packets.ts";
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

Deno.test("`PlivoSerializer` with both tracks fills a loss where it was after a packet that followed a loss stamped 6 ms late", () => {
  // Packet 3, after the loss of packet 2, is set at its stamp, 6 ms late: the timeline is then
  // 6 ms late. Packet 6, after the loss of packet 5, is stamped 6 ms early: 8 ms past where
  // packet 4 ends on that timeline, less than half a packet, so it is set there as jitter, 14 ms
  // early, and so are the packets after it stamped a few ms early; the 20 ms missing are filled
  // only once a stamp lands half a packet past the timeline, 4 packets after the loss.
  const { heard, counted } = call(
    12,
    new Map([[3, 6], [4, 6], [6, -6], [7, -6], [8, -5], [9, -5]]),
    [2, 5],
  );
  const misplaced = heard.filter((frame) => !frame.includes(":-")).map((frame) => {
    const [at, packet] = frame.split(":").map(Number);
    return { packet: packet!, offMs: at! - 20 * packet! };
  }).filter(({ offMs }) => Math.abs(offMs) >= 10);
  assert.deepEqual(misplaced, [], "a packet set half a packet or more from its place");
  assert.equal(counted.inboundMediaGapsFilled, 2);
});
