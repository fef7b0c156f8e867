// The first-stamp rule of the timestamp stage (`OrderedMedia`, see `#inStep`) on a Telnyx stream
// of both tracks, which switches to timestamp order mid-stream. A Telnyx far end as its docs show
// it. "Media Streaming" (developers.telnyx.com/docs/voice/programmable-voice/media-streaming):
// `stream_track` may be `both_tracks`. "Stream call media over WebSocket" (developers.telnyx.com/
// api-reference/websockets/stream-call-media-over-websocket): the start frame names no tracks;
// "Media frame order is not guaranteed. Use media.chunk, media.timestamp, and sequence_number to
// order frames"; a media frame carries media.track, media.chunk, media.timestamp and
// media.payload. One `chunk` counter runs across both tracks here (as Twilio's does). The
// serializer orders by `chunk` until the bot's track first shows, then by `media.timestamp`: the
// first caller packet of that order is no stream's first, the caller's packets before it vouch
// for its stamp, and a stamp after it a packet early is jitter (a burst stamped alike).
import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../mod.ts";
import { mulawDecode } from "../../src/audio/g711.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { encodeBase64 } from "../../src/serializers/telephony/base64.ts";
import { telnyxIds, telnyxStart } from "./fixtures/telnyx_call.ts";
import { boundStage } from "./telephony/_ordered_media_stage.ts";
import { NARROWBAND_SETUP } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

/** μ-law code of caller packet `n`'s every sample: each packet its own level (silence is 0xFF). */
const codeOf = (packet: number) => 0x80 + (packet % 100);
const packetOfLevel = new Map(
  Array.from(
    { length: 100 },
    (_, packet) => [mulawDecode(new Uint8Array([codeOf(packet)]))[0]!, packet],
  ),
);

/**
 * A call of `count` 20 ms packets a track, the caller's packet `n` stamped its time plus
 * `offByMs.get(n)`; each packet period sends its tracks in `order` (the bot's track first shows
 * with packet `botFrom`). Out: each caller audio frame as "time:packet" ("time:-" for silence
 * filled), and the counts.
 */
function call(
  count: number,
  offByMs: Map<number, number>,
  { order, botFrom }: { order: readonly ("inbound" | "outbound")[]; botFrom: number },
) {
  const telnyx = new TelnyxSerializer();
  telnyx.setup(NARROWBAND_SETUP);
  telnyx.deserialize(telnyxStart());
  const { context, counted } = recordingContext();
  telnyx.bind(context);
  const frames: Frame[] = [];
  let sequenceNumber = 1;
  let chunk = 0;
  for (let packet = 0; packet < count; packet++) {
    for (const track of order) {
      if (track === "outbound" && packet < botFrom) continue;
      const offMs = track === "inbound" ? offByMs.get(packet) ?? 0 : 0;
      const out = telnyx.deserialize(JSON.stringify({
        event: "media",
        sequence_number: String(++sequenceNumber),
        stream_id: telnyxIds.stream,
        media: {
          track,
          chunk: String(++chunk),
          timestamp: String(5 + 20 * packet + offMs),
          payload: encodeBase64(new Uint8Array(160).fill(codeOf(packet))),
        },
      }));
      if (out !== null) frames.push(...[out].flat());
    }
  }
  frames.push(...telnyx.finish());
  const heard = frames.filter((frame): frame is AudioFrame => frame.type === "audio").map(
    (frame) => {
      const level = new Int16Array(frame.audio.slice().buffer)[0]!;
      return `${frame.timestampMs}:${packetOfLevel.get(level) ?? "-"}`;
    },
  );
  return { heard, counted };
}

/** Packets `0..count-1` back to back, each where it belongs. */
const backToBack = (count: number) => Array.from({ length: count }, (_, n) => `${n * 20}:${n}`);

Deno.test("`TelnyxSerializer` with both tracks reads no late first stamp into the first caller packet after the switch to media time", () => {
  // Packet 1 is the first ordered by media time; packet 2 is stamped as packet 1 (a burst stamped
  // alike), packet 3 12 ms early. Was: packet 1 taken for the stream's first, packet 2 for the
  // sign that its stamp was a packet late, and packet 3 (nearer so) for the confirmation: 20 ms
  // of silence before packet 4 and every later frame 20 ms late.
  const { heard, counted } = call(10, new Map([[2, -20], [3, -12]]), {
    order: ["inbound", "outbound"],
    botFrom: 0,
  });
  assert.deepEqual(heard, backToBack(10));
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});

Deno.test("`TelnyxSerializer` with both tracks, the bot's track first, still keeps every packet after the caller's first stamped 80 ms late", () => {
  // Ordered by media time before any caller packet: the caller's first is the stream's first,
  // nothing vouches for its stamp, and the rule stands (packets 1 to 4 were dropped without it).
  const { heard, counted } = call(12, new Map([[0, 80]]), {
    order: ["outbound", "inbound"],
    botFrom: 0,
  });
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
  const payload = (packet: number) => encodeBase64(new Uint8Array(160).fill(codeOf(packet)));
  ordered.push({ sequence: 1, timestampMs: 5, payload: payload(0) });
  ordered.reorderBy("timestamp");
  ordered.push({ sequence: 3, timestampMs: 25, payload: payload(1) });
  ordered.reset();
  const frames = Array.from({ length: 8 }, (_, packet) =>
    ordered.push({
      sequence: packet + 1,
      timestampMs: 1000 + 20 * packet + (packet === 0 ? 80 : 0),
      payload: payload(packet),
    })).flat();
  frames.push(...ordered.flush());
  const heard = frames.map((frame) =>
    `${frame.timestampMs}:${packetOfLevel.get(new Int16Array(frame.audio.slice().buffer)[0]!)}`
  );
  assert.deepEqual(heard, backToBack(8));
  assert.equal(counts.inboundMediaLate, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});
