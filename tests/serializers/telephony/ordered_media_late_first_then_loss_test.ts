// The caller's first packet stamped late, then the packet after the second one lost (or
// overtaken), on a stream ordered by media time. A Plivo far end as its "Stream Event Protocol"
// page shows it (plivo.com/docs/voice/audio-streaming/audio-streaming: "start" with
// `start.tracks` ["inbound", "outbound"], as `<Stream audioTrack="both">` makes it; "media" with
// `media.track`, `media.chunk` and `media.timestamp` in epoch ms): with both tracks the caller's
// packets are put in order by `media.timestamp`, and one `chunk` counter runs across the tracks,
// so the chunks do not say which caller packet is missing. The packet that comes third is the
// second opinion on the first's stamp: after a loss it lands packets after the second, never
// before it.
import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../../mod.ts";
import { backToBack, levelledPayload, placeAndLengthOf } from "../fixtures/levelled_packets.ts";
import {
  bothTracksMedia,
  PLIVO_EPOCH_MS,
  startedBothTracks,
} from "../fixtures/plivo_both_tracks_call.ts";

/**
 * A call of 20 ms packets from both tracks, the caller's packets sent in `order` (those left out
 * never sent), the first stamped `lateMs` late; each caller audio frame out as "time:packet"
 * ("time:-" for silence filled, with its length in ms when not one packet), and the counts.
 */
function call(order: number[], lateMs: number) {
  const { plivo, counted } = startedBothTracks();
  const frames: Frame[] = [];
  const take = (out: Frame | Frame[] | null) => out !== null && frames.push(...[out].flat());
  let sequenceNumber = 1;
  for (const packet of order) {
    // The bot's packet and the caller's, each numbered on the one counter by when it was made.
    for (const track of ["outbound", "inbound"] as const) {
      sequenceNumber++;
      const stampMs = 20 * packet + (track === "inbound" && packet === 0 ? lateMs : 0);
      const chunk = 2 * packet + (track === "inbound" ? 2 : 1);
      take(plivo.deserialize(
        bothTracksMedia(
          sequenceNumber,
          track,
          chunk,
          PLIVO_EPOCH_MS + stampMs,
          levelledPayload(packet),
        ),
      ));
    }
  }
  frames.push(...plivo.finish());
  const heard = frames.filter((frame): frame is AudioFrame => frame.type === "audio").map(
    placeAndLengthOf,
  );
  return { heard, counted };
}

const sent = (count: number, lost: number[]) =>
  Array.from({ length: count }, (_, n) => n).filter((n) => !lost.includes(n));

for (const { lateMs, lost } of [{ lateMs: 40, lost: [2] }, { lateMs: 60, lost: [2, 3] }]) {
  Deno.test(`\`PlivoSerializer\` with both tracks fills every loss after a first packet stamped ${lateMs} ms late and packet${lost.length === 1 ? "" : "s"} ${lost.join(" and ")} lost`, () => {
    // Was: the third to come, read without the first's lateness, was no farther from where the
    // second ends than read with it, and the lateness was undone: from there every packet was
    // read a packet early and set in step as jitter, so no loss of the call was filled (neither
    // this one nor packet 9), the caller's audio run together.
    const { heard, counted } = call(sent(14, [...lost, 9]), lateMs);
    const expected = backToBack(14, [...lost, 9]);
    if (lost.length === 2) expected.splice(2, 2, `40:-(${20 * lost.length})`);
    assert.deepEqual(heard, expected);
    assert.equal(counted.inboundMediaGapsFilled, 2);
    assert.equal(counted.inboundMediaGapMs, 20 * (lost.length + 1));
    assert.equal(counted.inboundMediaLate, undefined);
    assert.equal(counted.inboundMediaDuplicates, undefined);
  });
}

Deno.test("`PlivoSerializer` with both tracks puts back the third packet overtaken by the fourth after a first packet stamped 40 ms late", () => {
  // Was: the fourth, coming third, undid the lateness and took the third's place; the third was
  // dropped as a duplicate of it, and the stamps after were read a packet early for the call.
  const { heard, counted } = call([0, 1, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11], 40);
  assert.deepEqual(heard, backToBack(12));
  assert.equal(counted.inboundMediaReordered, 1);
  assert.equal(counted.inboundMediaDuplicates, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});
