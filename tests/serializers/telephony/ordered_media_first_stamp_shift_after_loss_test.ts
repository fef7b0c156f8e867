// The caller's first packet stamped late by more than a packet and the third packet lost, on a
// stream ordered by media time: the packet after the loss is the second opinion on the first stamp. A Plivo far end as its "Stream Event Protocol" page shows it
// (plivo.com/docs/voice/audio-streaming/audio-streaming: "start" with `start.tracks`
// ["inbound", "outbound"], as `<Stream audioTrack="both">` makes it; "media" with `media.track`,
// `media.chunk` and `media.timestamp` in epoch ms): with both tracks the caller's packets are put
// in order by `media.timestamp`, and one `chunk` counter runs across the tracks, so the chunks do
// not say which caller packet is missing. Plivo stamps by its wall clock: the first caller packet's
// stamp may be late by any amount, and each stamp is within 6 ms of its time.
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

Deno.test("`PlivoSerializer` with both tracks keeps the move of a first stamp 35 ms late when the packet after the third's loss agrees with it", () => {
  // The second stamped 5 ms early reads 40 ms before the first's end: the stamps after it read
  // moved by 40 ms. Packet 3, stamped 1 ms early, reads 24 ms past the second's end so (one packet
  // lost, 4 ms of jitter) and 16 ms before it without the move (in step, 16 ms of jitter: more than
  // two stamps within 6 ms of their time are off each other). Was: the nearer reading won, the move
  // was undone, packet 3 was set in packet 2's place and the loss never filled, the call 20 ms short.
  const { heard, counted } = call(12, new Map([[0, 35], [1, -5], [3, -1]]), [2]);
  assert.deepEqual(heard, backToBack(12, [2]));
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});

Deno.test("`PlivoSerializer` with both tracks reads a second stamped 78 ms early as jitter when the third is 6 ms late", () => {
  // Read with the move, the third is 84 ms past the second's end: four packets lost, 4 ms off; read
  // without it, 6 ms late, in step. Each packet a reading says is missing counts against it: by
  // the fit to the packets' grid alone, four losses 4 ms off beat jitter of 6 ms.
  const { heard, counted } = call(10, new Map([[1, -78], [2, 6]]));
  assert.deepEqual(heard, backToBack(10));
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaDuplicates, undefined);
});
