// A caller packet that shows a bogus number waiting at the switch to media-time order was bogus
// must still count as heard: a second copy of it is a duplicate, dropped, not heard a second time.
// A Telnyx far end as its docs show it (fixtures/telnyx_both_tracks_call.ts: "Stream call media
// over WebSocket", the start frame names no tracks; "Media frame order is not guaranteed. Use
// media.chunk, media.timestamp, and sequence_number to order frames"; a media frame carries
// media.track, media.chunk, media.timestamp and media.payload). One `chunk` counter runs across
// both tracks here; the serializer orders by `chunk` until the bot's track first shows, then by
// `media.timestamp` (telnyx_both_tracks_switch_waiting_jump_test.ts). README: "an absurd number
// ... costs only itself, never the packets after it".
import assert from "node:assert/strict";
import { levelledPayload, placeAndLengthOf } from "./fixtures/levelled_packets.ts";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";

/** Packets `from..to-1` heard back to back, each where it belongs, as "time:packet". */
const heardFrom = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${20 * (from + i)}:${from + i}`);

Deno.test("`TelnyxSerializer` with both tracks hears once a caller packet that exposed a bogus number waiting at the switch, its second copy dropped as a duplicate", () => {
  // The caller's packets 0-2 (chunks 1-3, 0-40 ms), then chunk 100 stamped 2000 ms: a jump far
  // ahead, waiting for a second packet when the bot's first frame (chunk 4) switches the order.
  // The caller's packet 3 (chunk 5, 60 ms) comes in step and shows the jump bogus (dropped,
  // counted late during its push); then a second copy of packet 3, as the first. Was: the drop
  // was read as packet 3's own, its place not kept as taken, and its copy was placed a packet on,
  // heard twice ("80:3" after "60:3"), every packet after it 20 ms late.
  const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
  for (let n = 0; n < 3; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
  send("inbound", 100, 2000, levelledPayload(99));
  send("outbound", 4, 60);
  send("inbound", 5, 60, levelledPayload(3));
  send("inbound", 5, 60, levelledPayload(3));
  bothTracks(5, 4, 20);
  assert.deepEqual(audio().map(placeAndLengthOf), heardFrom(0, 20));
  assert.equal(counted.inboundMediaLate, 1);
  assert.equal(counted.inboundMediaDuplicates, 1);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});
