// A caller packet after a loss of several packets, still waiting for a second packet to confirm
// that loss when a Telnyx stream of both tracks switches to media-time order
// (`OrderedMedia.reorderBy`), is the new order's to judge by its media time, like any packet. A
// Telnyx far end as its docs show it (fixtures/telnyx_both_tracks_call.ts: "Stream call media over
// WebSocket", the start frame names no tracks; "Media frame order is not guaranteed. Use
// media.chunk, media.timestamp, and sequence_number to order frames"; a media frame carries
// media.track, media.chunk, media.timestamp and media.payload). One `chunk` counter runs across
// both tracks here (as Twilio's does); the serializer orders by `chunk` until the bot's track
// first shows, then by `media.timestamp`. README: "a lost packet becomes silence of exactly its
// length (the caller's timeline stays right)", and "an absurd number ... costs only itself, never
// the packets after it".
import assert from "node:assert/strict";
import { levelledPayload, placeAndLengthOf } from "./fixtures/levelled_packets.ts";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";

/** Packets `from..to-1` heard back to back, each where it belongs, as "time:packet". */
const heardFrom = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${20 * (from + i)}:${from + i}`);

Deno.test("`TelnyxSerializer` with both tracks hears a caller packet that waited at the switch to media time after a loss of 4 packets, in its place, the 80 ms hole filled", () => {
  // The caller's packets 0-2 (chunks 1-3, 0-40 ms); packets 3-6 (chunks 4-7, 60-120 ms) lost; then
  // packet 7 (chunk 8, 140 ms): 80 ms past packet 2's successor, beyond the 60 ms window, so it
  // waits for a second packet to confirm the loss. The bot's first frame comes next (the switch),
  // then both tracks on. With 20 ms packets, 4 lost is the smallest loss that waits so: after 3
  // lost the packet is within the window, held behind the hole, and comes out at the switch.
  // Was: the switch judged it as the stream's end does, dropped and counted late (20 ms of the
  // caller's speech lost, its place silence: "60:-(100)" then "160:8").
  const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
  for (let n = 0; n < 3; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
  send("inbound", 8, 140, levelledPayload(7));
  bothTracks(8, 8, 30);
  assert.deepEqual(audio().map(placeAndLengthOf), [
    ...heardFrom(0, 3),
    "60:-(80)",
    ...heardFrom(7, 30),
  ]);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 80);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaResyncs, undefined);
});

Deno.test("`TelnyxSerializer` with both tracks hears a caller packet that waited at the switch to media time after a loss of 4 packets when the next caller packet comes before the bot's first frame is read", () => {
  // As above, but the caller's packet 8 arrives after packet 7 and before the bot's first frame:
  // by chunk (9, one after 8) it confirms the jump before the switch, so nothing waits there.
  // Here both wait no more: the control case, the same audio either way.
  const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
  for (let n = 0; n < 3; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
  send("inbound", 8, 140, levelledPayload(7));
  send("inbound", 9, 160, levelledPayload(8));
  bothTracks(9, 9, 30);
  assert.deepEqual(audio().map(placeAndLengthOf), [
    ...heardFrom(0, 3),
    "60:-(80)",
    ...heardFrom(7, 30),
  ]);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapMs, 80);
});

Deno.test("`TelnyxSerializer` with both tracks still drops, counted late, a bogus caller number within reach that waited at the switch to media time, and hears every real packet in place", () => {
  // Chunk 20 stamped 400 ms while the stream is at chunk 3 (40 ms): a jump nothing confirms, near
  // enough (within the 5 s longest loss) that taken for real it would silence 340 ms and push the
  // real packets behind it. Judged by its media time in the new order, it waits there as a jump,
  // and the next caller packet, in step, says it was bogus. (The far one, chunk 100 stamped 2000
  // ms, is telnyx_both_tracks_switch_unconfirmed_test.ts.)
  const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
  for (let n = 0; n < 3; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
  send("inbound", 20, 400, levelledPayload(99));
  bothTracks(3, 3, 40);
  assert.deepEqual(audio().map(placeAndLengthOf), heardFrom(0, 40));
  assert.equal(counted.inboundMediaLate, 1);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaResyncs, undefined);
});

Deno.test("`TelnyxSerializer` with both tracks places the real packets after a bogus caller number that waited at the switch on their grid, a burst stamped alike and a late stamp among them", () => {
  // Telnyx's chunk 100 stamped 2000 ms while the stream is at chunk 3 (the case of
  // telnyx_both_tracks_switch_unconfirmed_test.ts), then the caller's packets with their stamps
  // jittered: packet 7 stamped 9 ms late, and packet 51 (chunk 101, the first real chunk past the
  // bogus one) stamped as packet 50, a burst stamped alike. The bogus number, judged in the new
  // order and dropped there, must not stand as the newest chunk the packets are placed against:
  // so placed, packet 7 and every one after it up to chunk 100 were heard 9 ms late, and packet
  // 51 was dropped as packet 50's duplicate, 20 ms of silence in its place.
  const { send, audio, counted, bothTracks } = startedTelnyxBothTracks();
  for (let n = 0; n < 3; n++) send("inbound", n + 1, 20 * n, levelledPayload(n));
  send("inbound", 100, 2000, levelledPayload(99));
  const stampOf = (n: number) => n === 7 ? 149 : n === 51 ? 1000 : 20 * n;
  bothTracks(3, 3, 60, stampOf);
  assert.deepEqual(audio().map(placeAndLengthOf), heardFrom(0, 60));
  assert.equal(counted.inboundMediaLate, 1);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});
