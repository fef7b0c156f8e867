// The caller's first packet stamped late by less than a packet (half a packet or more), on a
// stream ordered by media time. A Plivo far end as its "Stream Event Protocol" page shows it
// (plivo.com/docs/voice/audio-streaming/audio-streaming: "start" with `start.tracks`
// ["inbound", "outbound"], as `<Stream audioTrack="both">` makes it; "media" with `media.track`,
// `media.chunk` and `media.timestamp` in epoch ms): with both tracks the caller's packets are put
// in order by `media.timestamp`, and one `chunk` counter runs across the tracks, so the chunks do
// not say which caller packet is missing. Plivo stamps by its wall clock: the first caller packet's
// stamp may be late by any amount, a packet or less too.
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

/** Packets `0..count-1` back to back, each where it belongs ("-" where `silent`). */
const backToBack = (count: number, silent: number[] = []) =>
  Array.from({ length: count }, (_, n) => `${n * 20}:${silent.includes(n) ? "-" : n}`);

// 16 and 19 ms: beyond what two stamps each within 6 ms of their time are off each other (the
// lateness a first 6 ms late and a second and third 6 ms early show, 12 ms, is jitter, see
// ordered_media_late_first_stamp_test.ts: no rule deciding by the third packet tells that from a
// first 12 ms late).
for (const lateMs of [16, 19]) {
  Deno.test(`\`PlivoSerializer\` with both tracks still fills a loss after a first packet stamped ${lateMs} ms late, where it was and with its own length`, () => {
    // Was: the second packet, stamped less than a packet before the first's end, was taken for
    // jitter and set there, the timeline left on the first's late stamp: every packet after read
    // lateMs early, a single loss (packet 7) read as jitter and set in step, never filled, the
    // call 20 ms short.
    const { heard, counted } = call(12, new Map([[0, lateMs]]), [7]);
    assert.deepEqual(heard, backToBack(12, [7]));
    assert.equal(counted.inboundMediaGapsFilled, 1);
    assert.equal(counted.inboundMediaGapMs, 20);
    assert.equal(counted.inboundMediaLate, undefined);
    assert.equal(counted.inboundMediaDuplicates, undefined);
  });
}

Deno.test("`PlivoSerializer` with both tracks keeps a packet stamped 6 ms early after a first packet stamped 16 ms late", () => {
  // Was: read 22 ms early on the first's timeline, more than a packet before where the packet
  // before it ends, packet 3 was dropped as a duplicate of it though its chunk was new, and the
  // packet after it was set where the dropped one would have ended, overlapping packet 2.
  const { heard, counted } = call(8, new Map([[0, 16], [3, -6]]));
  assert.deepEqual(heard, backToBack(8));
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});

Deno.test("`PlivoSerializer` with both tracks reads a second packet stamped 16 ms early as jitter once the third agrees with the first", () => {
  // The same two stamps, read the other way: the third packet's stamp agrees with the first's,
  // the move undone; a loss after is filled where it was.
  const { heard, counted } = call(12, new Map([[1, -16]]), [7]);
  assert.deepEqual(heard, backToBack(12, [7]));
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});
