// Streams ordered by media time (`OrderedMedia` with `orderBy: "timestamp"`), the caller's track of
// a both-tracks stream as Plivo sends one (plivo.com/docs/voice/audio-streaming/audio-streaming,
// "Stream Event Protocol": with `<Stream audioTrack="both">` one `media.chunk` counter runs across
// both tracks, so the caller's chunks say only which packet is newer; `media.timestamp` is epoch
// ms, read off the sender's wall clock). A wall clock stepped back farther than the reorder stage's
// window (an NTP correction of 600 ms or more): every packet after the step is stamped before
// audio already heard, yet its chunk says it is newer. Read at their stamps, the packets up to the
// old time were dropped as late (600 ms of the caller's speech); they go on from where delivery
// stands, and a loss after the step is still filled.
import assert from "node:assert/strict";
import { heardAsSent, silenceBetween } from "./_ordered_media_stage.ts";

/** 20 ms packets 0–29 stamped on time within a few ms, packet 7 lost. */
const BEFORE_STEP = "0@0 1@21 2@38 3@62 4@80 5@99 6@122 8@160 9@178 10@203 11@219 12@240 " +
  "13@263 14@280 15@298 16@321 17@340 18@362 19@379 20@400 21@418 22@441 23@460 24@479 " +
  "25@502 26@520 27@539 28@561 29@580";

/** Packets 30–50 stamped `stepMs` early (the sender's clock stepped back), packet 40 lost. */
function afterStep(stepMs: number): string {
  const jitter = [1, -2, 3, 0, -1, 2, -3, 1, 0, 2, -2, 1, 3, -1, 0, 2, -2, 1, 0, -1, 2];
  const packets: string[] = [];
  for (let packet = 30; packet <= 50; packet++) {
    if (packet === 40) continue;
    packets.push(`${packet}@${packet * 20 - stepMs + jitter[packet - 30]!}`);
  }
  return packets.join(" ");
}

for (const stepMs of [600, 2000]) {
  Deno.test(`\`OrderedMedia\` by timestamp goes on from where delivery stands after a sender's clock stepped ${stepMs} ms back, dropping none`, () => {
    const { out, counts } = heardAsSent(`${BEFORE_STEP} ${afterStep(stepMs)}`);
    const heard = out.filter((frame) => !frame.includes(":-")).map((frame) =>
      Number(frame.split(":")[1]!.split("(")[0])
    );
    const sent = Array.from({ length: 51 }, (_, packet) => packet).filter((packet) =>
      packet !== 7 && packet !== 40
    );
    assert.deepEqual(heard, sent);
    assert.equal((counts.inboundMediaLate ?? 0) + (counts.inboundMediaDuplicates ?? 0), 0);
    // The step itself is no loss: 29 and 30 follow on; the losses either side are filled.
    assert.equal(silenceBetween(out, 29, 30), 0);
    assert.equal(silenceBetween(out, 6, 8), 20);
    assert.equal(silenceBetween(out, 39, 41), 20);
  });
}

Deno.test("`OrderedMedia` by timestamp reads one packet stamped 600 ms back, the next on time again, as a stamp off, not a clock stepped back", () => {
  // Packet 30 alone stamped 600 ms early: its chunk still says it is the next packet, and the
  // packets after it, on time, undo the move its stamp would have made (read moved, every one of
  // them was 600 ms ahead: silence, then a new timeline).
  const after = "30@0 31@621 32@638 33@662 34@679 35@700";
  const { out, counts } = heardAsSent(`${BEFORE_STEP} ${after}`);
  assert.deepEqual(out.slice(-7), [
    "580:29",
    "600:30",
    "620:31",
    "640:32",
    "660:33",
    "680:34",
    "700:35",
  ]);
  assert.equal(out.filter((frame) => frame.includes(":-")).length, 1); // packet 7's loss alone
  assert.equal((counts.inboundMediaLate ?? 0) + (counts.inboundMediaDuplicates ?? 0), 0);
});
