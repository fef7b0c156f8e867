// Streams ordered by media time (`OrderedMedia` with `orderBy: "timestamp"`), the caller's track of
// a both-tracks stream as Plivo sends one (plivo.com/docs/voice/audio-streaming/audio-streaming,
// "Stream Event Protocol": with `<Stream audioTrack="both">` one `media.chunk` counter runs across
// both tracks, so the caller's chunks say only which packet is newer; `media.timestamp` is epoch
// ms, read off the sender's wall clock). A wall clock may be stepped back (an NTP correction): the
// stamps after the step read 45 ms early. The packets stamped onto audio already heard are
// dropped; what follows must go on after the audio heard last, never over it.
import assert from "node:assert/strict";
import { packetHeardIn } from "../fixtures/levelled_packets.ts";
import { playedByTimestamp } from "./_ordered_media_stage.ts";

/** 20 ms packets `packet@stamp` (ms from the fixture's epoch), in order; 5 and 15 lost. */
const BEFORE_STEP = "0@0 1@23 2@40 3@60 4@80 6@114 7@145 8@158 9@186 10@198 11@219 12@241 " +
  "13@266 14@283 16@315 17@346 18@354 19@376 20@396 21@426 22@437 23@454 24@480 25@503 26@514 " +
  "27@538 28@560 29@585";
/** The same packets' stamps from packet 30 on, each within 6 ms of its time less the 45 ms step. */
const AFTER_STEP = "30@559 31@571 32@593 33@609 34@638 35@656 36@678";

Deno.test("`OrderedMedia` by timestamp sets the packets after a sender's clock stepped 45 ms back after the audio heard last, not over it", () => {
  const played = `${BEFORE_STEP} ${AFTER_STEP}`.split(" ").map((entry) => {
    const [packet, stampMs] = entry.split("@").map(Number);
    return { packet: packet!, stampMs: stampMs! };
  });
  const { frames, counts } = playedByTimestamp(played);
  for (let i = 1; i < frames.length; i++) {
    const before = frames[i - 1]!;
    const endMs = before.timestampMs! + before.audio.length / 16;
    assert.ok(
      frames[i]!.timestampMs! >= endMs - 1e-6,
      `packet ${packetHeardIn(frames[i]!) ?? "(silence)"} at ${frames[i]!.timestampMs} ms, ` +
        `packet ${packetHeardIn(before) ?? "(silence)"} before it ends at ${endMs} ms`,
    );
  }
  // The two stamped onto audio heard already (30 and 31, 41 and 29 ms back) are dropped, counted;
  // every packet after them is heard, in order.
  const heard = frames.map(packetHeardIn).filter((packet) => packet !== undefined);
  assert.deepEqual(heard.slice(-6), [29, 32, 33, 34, 35, 36]);
  assert.equal((counts.inboundMediaLate ?? 0) + (counts.inboundMediaDuplicates ?? 0), 2);
});
