// Streams ordered by media time (`OrderedMedia` with `orderBy: "timestamp"`), the caller's track of
// a both-tracks stream as Plivo sends one (plivo.com/docs/voice/audio-streaming/audio-streaming,
// "Stream Event Protocol": with `<Stream audioTrack="both">` one `media.chunk` counter runs across
// both tracks, so the caller's chunks say only which packet is newer; `media.timestamp` is epoch
// ms, each within 6 ms of its time). The second packet stamped 18–33 ms early, nothing lost where
// it was: the stamps must not be read as the first stamped late, nor the second's early stamp
// taken into the bias, so that silence is heard where nothing was lost. The first packets of the
// property test's seeds 45, 14 and 279 (ordered_media_first_stamp_property_test.ts).
import assert from "node:assert/strict";
import { heardAsSent as heard, silenceBetween } from "./_ordered_media_stage.ts";

Deno.test("`OrderedMedia` by timestamp reads a second stamped 27 ms before the first ends, the third 11 ms past the step, as no loss, not the first stamped late and two packets lost", () => {
  // Seed 45: stamped -5, -12 (33 ms early) and 46 ms, none lost. Read as the first 27 ms late,
  // the third was two packets missing 2 ms off the grid; read as the second early, 11 ms past
  // where the second ends, no more than jitter. Two losses in a row are far rarer than one: 40 ms
  // of silence were heard before the third, nothing lost.
  const { out, counts } = heard("0@-5 1@-12 2@46");
  const packets = out.filter((frame) => !frame.includes(":-"));
  assert.deepEqual(packets.slice(0, 2), ["0:0", "20:1"]);
  assert.ok(packets.length === 3 && packets[2]!.endsWith(":2"), out.join(" "));
  assert.ok(silenceBetween(out, 1, 2) < 20, out.join(" "));
  assert.ok((counts.inboundMediaGapMs ?? 0) < 20, `${counts.inboundMediaGapMs} ms filled`);
});

Deno.test("`OrderedMedia` by timestamp reads the third packet against the first's stamp, not the middle of it and a second stamped 18 ms early", () => {
  // Seed 14: stamped -4, -2, 37 and 54 ms, none lost. The second's residual (-18 ms) and the
  // first's (0) are farther apart than two stamps' jitter: one is off. Their middle set the third
  // 10 ms off the grid, 10 ms of silence before it; against the first's, it is in step.
  const { out, counts } = heard("0@-4 1@-2 2@37 3@54");
  assert.deepEqual(out, ["0:0", "20:1", "40:2", "60:3"]);
  assert.equal(counts.inboundMediaGapMs ?? 0, 0);
});

Deno.test("`OrderedMedia` by timestamp fills a single loss with one packet when the bias rests on residuals close together", () => {
  // Seed 279: a second stamped 27 ms early, read as the first late (the third fits that reading
  // with one loss as well as the truth without), then packet 4 lost. The residuals (0, 0, 0 and
  // 4 ms) put the bias at 2 ms, off by as much as the stamps' jitter: packet 5, 8 ms past a whole
  // packet against it, was set at its stamp, 28 ms of silence for the 20 lost.
  const { out } = heard("0@3 1@-6 2@34 3@58 5@104 6@124 7@146");
  assert.equal(silenceBetween(out, 3, 5), 20, out.join(" "));
  assert.deepEqual(out.slice(-3), ["120:5", "140:6", "160:7"]);
});
