// A lone caller packet far ahead, still waiting for a second packet to confirm the loss before
// it, when a Telnyx stream of both tracks switches to media-time order (`OrderedMedia.reorderBy`).
// A Telnyx far end as its docs show it (fixtures/telnyx_both_tracks_call.ts: "Stream call media
// over WebSocket", the start frame names no tracks; "Media frame order is not guaranteed. Use
// media.chunk, media.timestamp, and sequence_number to order frames"; a media frame carries
// media.track, media.chunk, media.timestamp and media.payload). One `chunk` counter runs across
// both tracks here; the serializer orders by `chunk` until the bot's track first shows, then by
// `media.timestamp`. README: "a lone packet far ahead, still waiting for the packet that confirms
// the loss before it, waits on through such a pause, and only the stream's end drops it, counted
// late". At the switch the new order judges it by its media time
// (telnyx_both_tracks_switch_waiting_jump_test.ts): this bogus one still costs only itself.
import assert from "node:assert/strict";
import { backToBack, levelledPayload, placeOf } from "./fixtures/levelled_packets.ts";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";

/** A caller packet the far end never meant: its level (packet 99's) is heard nowhere else here. */
const BOGUS = 99;

Deno.test("`TelnyxSerializer` with both tracks drops, counted late, a lone caller packet far ahead still unconfirmed at the switch to media time, and hears every real packet after in place", () => {
  // The reviewer's stream: the caller's packets 0-2 (chunks 1-3, 0-40 ms), then chunk 100 stamped
  // 2000 ms, a jump nothing confirms, then the bot's first frame (the switch), then both tracks on.
  // Was (bbbf682 on): the switch delivered chunk 100 as confirmed and went on from it, every real
  // packet up to 2000 ms dropped as from before it (47 counted late, 0.94 s of the caller lost);
  // before: 1,940 ms of silence, then the real packets with time running back.
  const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
  for (let n = 0; n < 3; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
  send("inbound", 100, 2000, levelledPayload(BOGUS));
  bothTracks(3, 3, 60);
  assert.deepEqual(audio().map(placeOf), backToBack(60));
  assert.equal(counted.inboundMediaLate, 1);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaResyncs, undefined);
});
