// A bogus caller number waiting as a jump when a Telnyx stream of both tracks switches to
// media-time order (`OrderedMedia.reorderBy`), stamped behind what was heard already, costs only
// itself: it follows no loss (a real packet after one comes after what went out), so it is
// dropped, counted late, and the real packet in step is heard. A Telnyx far end as its docs show
// it (fixtures/telnyx_both_tracks_call.ts: "Stream call media over WebSocket", the start frame
// names no tracks; "Media frame order is not guaranteed. Use media.chunk, media.timestamp, and
// sequence_number to order frames"; a media frame carries media.track, media.chunk,
// media.timestamp and media.payload). One `chunk` counter runs across both tracks here; the
// serializer orders by `chunk` until the bot's track first shows, then by `media.timestamp`.
// README: "an absurd number ... costs only itself, never the packets after it".
import assert from "node:assert/strict";
import { levelledPayload, placeAndLengthOf } from "./fixtures/levelled_packets.ts";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";

for (const stampMs of [-100, -500, -4000]) {
  Deno.test(`\`TelnyxSerializer\` with both tracks drops a bogus caller number stamped ${stampMs} ms that waited at the switch to media time, and hears the real packet in its place`, () => {
    // The caller's packets 0-2 (chunks 1-3, 0-40 ms), then chunk 50 stamped before the stream's
    // first packet: a jump by chunk, waiting for a second packet when the bot's first frame
    // switches the order. Was: the new order read its stamp as the sender's clock stepped back,
    // set it in step at 60 ms and heard it there ("60:99"), the caller's packet 3 then dropped as
    // its duplicate.
    const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
    for (let n = 0; n < 3; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
    send("inbound", 50, stampMs, levelledPayload(99));
    bothTracks(50, 3, 15);
    assert.deepEqual(
      audio().map(placeAndLengthOf),
      Array.from({ length: 15 }, (_, n) => `${20 * n}:${n}`),
    );
    assert.equal(counted.inboundMediaLate, 1);
    assert.equal(counted.inboundMediaDuplicates, undefined);
  });
}
