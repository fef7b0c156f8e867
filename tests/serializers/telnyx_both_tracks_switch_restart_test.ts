// A Telnyx stream of both tracks whose numbering and media time begin again mid-stream, after the
// switch to media-time order (`OrderedMedia.reorderBy`). A Telnyx far end as its docs show it
// (fixtures/telnyx_both_tracks_call.ts: "Stream call media over WebSocket", the start frame names
// no tracks; "Media frame order is not guaranteed. Use media.chunk, media.timestamp, and
// sequence_number to order frames"; a media frame carries media.track, media.chunk,
// media.timestamp and media.payload). One `chunk` counter runs across both tracks here (as
// Twilio's does). README: `inboundMediaResyncs` counts "numbering restarts"; the stage that orders
// by media time begins a new timeline at two packets agreeing far behind it (media_reorder.ts).
import assert from "node:assert/strict";
import { levelledPayload, placeOf } from "./fixtures/levelled_packets.ts";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";

Deno.test("`TelnyxSerializer` with both tracks begins a new timeline where chunks and media times restart long after the switch, dropping none of it as from before the switch", () => {
  const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
  // 3 s of the caller's track alone (chunks 1..150), ordered by chunk.
  for (let n = 0; n < 150; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
  // The bot's track shows at 3 s: from here both tracks on one counter, to 10 s.
  bothTracks(150, 150, 500);
  const before = audio().length;
  // The far end begins its numbering and media time again (no start): 2 s of both tracks.
  bothTracks(0, 0, 100);
  const after = audio().slice(before).map(placeOf);
  // Every restarted caller packet heard, in order, from where delivery stood (10 s).
  assert.deepEqual(after, Array.from({ length: 100 }, (_, n) => `${10_000 + 20 * n}:${n}`));
  assert.equal(counted.inboundMediaResyncs, 1);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
});
