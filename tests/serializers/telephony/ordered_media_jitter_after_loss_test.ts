// Stamps jittered a few ms either way, no first stamp off, on a stream ordered by media time. A
// Plivo far end as its "Stream Event Protocol" page shows it (plivo.com/docs/voice/audio-streaming/
// audio-streaming: "start" with `start.tracks` ["inbound", "outbound"], as `<Stream
// audioTrack="both">` makes it; "media" with `media.track`, `media.chunk` and `media.timestamp` in
// epoch ms): with both tracks the caller's packets are put in order by `media.timestamp`, and one
// `chunk` counter runs across the tracks, so the chunks do not say which caller packet is missing.
// Plivo stamps by its wall clock: each stamp here is within 6 ms of its time.
import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../../mod.ts";
import { mulawDecode } from "../../../src/audio/g711.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { encodeBase64 } from "../../../src/serializers/telephony/base64.ts";
import { plivoIds } from "../fixtures/plivo_call.ts";
import { NARROWBAND_SETUP } from "../fixtures/narrowband_call.ts";
import { recordingContext } from "../fixtures/recording_context.ts";

const EPOCH_MS = 1705312200000;
/** μ-law code of packet `n`'s every sample: each packet its own level (silence is 0xFF). */
const codeOf = (packet: number) => 0x80 + (packet % 100);
const packetOfLevel = new Map(
  Array.from(
    { length: 100 },
    (_, packet) => [mulawDecode(new Uint8Array([codeOf(packet)]))[0]!, packet],
  ),
);

/**
 * A call of `count` 20 ms packets from both tracks, the caller's packet `n` stamped its time plus
 * `offByMs.get(n)`, those in `lost` never sent; each caller audio frame out as "time:packet"
 * ("time:-" for silence filled, with its length in ms when not one packet), and the counts.
 */
function call(count: number, offByMs: Map<number, number>, lost: number[] = []) {
  const plivo = new PlivoSerializer();
  plivo.setup(NARROWBAND_SETUP);
  const { context, counted } = recordingContext();
  plivo.bind(context);
  const frames: Frame[] = [];
  const take = (out: Frame | Frame[] | null) => out !== null && frames.push(...[out].flat());
  take(plivo.deserialize(JSON.stringify({
    event: "start",
    sequenceNumber: 1,
    start: {
      callId: plivoIds.call,
      streamId: plivoIds.stream,
      accountId: "MAXXXXXXXXXXXXXXXXXX",
      tracks: ["inbound", "outbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000 },
    },
  })));
  let sequenceNumber = 1;
  for (let packet = 0; packet < count; packet++) {
    for (const track of ["outbound", "inbound"] as const) {
      sequenceNumber++;
      if (track === "inbound" && lost.includes(packet)) continue;
      const offMs = track === "inbound" ? offByMs.get(packet) ?? 0 : 0;
      take(plivo.deserialize(JSON.stringify({
        event: "media",
        sequenceNumber,
        streamId: plivoIds.stream,
        media: {
          track,
          timestamp: String(EPOCH_MS + 20 * packet + offMs),
          chunk: sequenceNumber - 1,
          payload: encodeBase64(new Uint8Array(160).fill(codeOf(packet))),
        },
      })));
    }
  }
  frames.push(...plivo.finish());
  const heard = frames.filter((frame): frame is AudioFrame => frame.type === "audio").map(
    (frame) => {
      const level = new Int16Array(frame.audio.slice().buffer)[0]!;
      const lengthMs = frame.audio.length / 16;
      return `${frame.timestampMs}:${packetOfLevel.get(level) ?? "-"}${
        lengthMs === 20 ? "" : `(${lengthMs})`
      }`;
    },
  );
  return { heard, counted };
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
