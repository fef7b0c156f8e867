// The first-stamp rule of the timestamp stage (`OrderedMedia`, see `StampPlacement.place`) on a
// Telnyx stream of both tracks, which switches to timestamp order mid-stream. A Telnyx far end as its docs show
// it (fixtures/telnyx_both_tracks_call.ts; "Media frame order is not guaranteed. Use media.chunk,
// media.timestamp, and sequence_number to order frames"). One `chunk` counter runs across both
// tracks here (as Twilio's does). The serializer orders by `chunk` until the bot's track first
// shows, then by `media.timestamp`: the first caller packet of that order is no stream's first,
// the caller's packets before it vouch for its stamp, and a stamp after it a packet early is
// jitter (a burst stamped alike).
import assert from "node:assert/strict";
import { backToBack, levelledPayload, packetHeardIn } from "./fixtures/levelled_packets.ts";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";
import { boundStage } from "./telephony/_ordered_media_stage.ts";

/**
 * A call of `count` 20 ms packets a track, the caller's packet `n` stamped its time plus
 * `offByMs.get(n)`; each packet period sends its tracks in `order`. Out: each caller audio frame as "time:packet" ("time:-" for silence
 * filled), and the counts.
 */
function call(
  count: number,
  offByMs: Map<number, number>,
  order: readonly ("inbound" | "outbound")[],
) {
  const { send, audio, counted } = startedTelnyxBothTracks();
  let chunk = 0;
  for (let packet = 0; packet < count; packet++) {
    for (const track of order) {
      const offMs = track === "inbound" ? offByMs.get(packet) ?? 0 : 0;
      send(track, ++chunk, 5 + 20 * packet + offMs, levelledPayload(packet));
    }
  }
  const heard = audio().map((frame) => `${frame.timestampMs}:${packetHeardIn(frame) ?? "-"}`);
  return { heard, counted };
}

Deno.test("`TelnyxSerializer` with both tracks reads no late first stamp into the first caller packet after the switch to media time", () => {
  // Packet 1 is the first ordered by media time; packet 2 is stamped as packet 1 (a burst stamped
  // alike), packet 3 12 ms early. Was: packet 1 taken for the stream's first, packet 2 for the
  // sign that its stamp was a packet late, and packet 3 (nearer so) for the confirmation: 20 ms
  // of silence before packet 4 and every later frame 20 ms late.
  const { heard, counted } = call(10, new Map([[2, -20], [3, -12]]), ["inbound", "outbound"]);
  assert.deepEqual(heard, backToBack(10));
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});

Deno.test("`TelnyxSerializer` with both tracks, the bot's track first, still keeps every packet after the caller's first stamped 80 ms late", () => {
  // Ordered by media time before any caller packet: the caller's first is the stream's first,
  // nothing vouches for its stamp, and the rule stands (packets 1 to 4 were dropped without it).
  const { heard, counted } = call(12, new Map([[0, 80]]), ["outbound", "inbound"]);
  assert.deepEqual(heard, backToBack(12));
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});

Deno.test("`OrderedMedia` switched to media time mid-stream takes the next stream's first packet, after `reset`, for a first again", () => {
  // Telnyx's use of the stage: a stream switched from `chunk` to media time, then a new stream
  // (its `start` resets the stage) whose first packet is stamped 80 ms late. The switch is the
  // old stream's: the new one's first has nothing to vouch for its stamp.
  const { ordered, counts } = boundStage({ orderBy: "sequence" });
  ordered.push({ sequence: 1, timestampMs: 5, payload: levelledPayload(0) });
  ordered.reorderBy("timestamp");
  ordered.push({ sequence: 3, timestampMs: 25, payload: levelledPayload(1) });
  ordered.reset();
  const frames = Array.from({ length: 8 }, (_, packet) =>
    ordered.push({
      sequence: packet + 1,
      timestampMs: 1000 + 20 * packet + (packet === 0 ? 80 : 0),
      payload: levelledPayload(packet),
    })).flat();
  frames.push(...ordered.flush());
  const heard = frames.map((frame) => `${frame.timestampMs}:${packetHeardIn(frame)}`);
  assert.deepEqual(heard, backToBack(8));
  assert.equal(counts.inboundMediaLate, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});
