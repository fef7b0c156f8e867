// Streams ordered by media time (`OrderedMedia` with `orderBy: "timestamp"`), the caller's track of
// a both-tracks stream: Plivo's "Stream Event Protocol" (plivo.com/docs/voice/audio-streaming/
// audio-streaming: with `<Stream audioTrack="both">` one `media.chunk` counter runs across both
// tracks, so the caller's chunks skip every other number and say only which packet is newer) and
// Twilio's "Media Streams - WebSocket Messages" (Media message: one `chunk` counter across the
// tracks, `timestamp` in ms from the stream's start). Where a packet is set after a loss moves the
// grid every later stamp is read against; the stamps' bias must be read against the same grid.
import assert from "node:assert/strict";
import { heardAsSent as heard, silenceBetween } from "./_ordered_media_stage.ts";

// Streams of 20 ms packets, each stamp within 6 ms of its time, the first or the second off, as
// the property test (ordered_media_first_stamp_property_test.ts) plays them: seeds 4589, 4799,
// 5563, 6005 and 6258 of its plan (and 6741, below), cut after the loss they were heard wrong at. In each a packet
// after a loss was stamped more than 6 ms past a whole packet on (jitter and the bias's own
// error), set at its stamp off the grid; the residuals before, read against the grid it left,
// then put the bias that far off, and a later loss was read as jitter (no silence) or as two.
const streams: Array<{ seed: number; sent: string; loss: [number, number, number] }> = [
  {
    seed: 4589,
    sent: "0@3 1@-63 2@36 3@61 4@83 5@104 6@119 7@145 8@157 9@181 10@194 11@220 12@242 14@286 " +
      "16@314 17@337 18@356 19@381 20@394",
    loss: [14, 16, 20],
  },
  {
    seed: 4799,
    sent: "0@8 1@17 2@41 3@54 4@77 5@101 6@121 7@136 8@154 9@176 10@204 11@221 12@239 13@259 " +
      "14@278 15@301 16@318 17@337 18@359 19@382 20@403 22@434 23@456 24@475 25@497 27@536 " +
      "28@563 29@584 30@595 32@644 33@656 35@705 36@716 37@745 38@754 39@780 40@799 41@817 " +
      "42@842 44@886 46@915 47@936 48@961 49@985 50@1003",
    loss: [44, 46, 20],
  },
  {
    seed: 5563,
    sent: "0@5 1@-71 2@36 3@59 4@81 5@94 6@116 7@140 8@159 9@185 10@198 11@220 12@243 13@262 " +
      "14@284 16@326 17@342 18@361 19@386 20@404 22@434 23@465 25@495 27@542 28@564 29@582",
    loss: [25, 27, 20],
  },
  {
    seed: 6005,
    sent: "0@7 1@18 2@43 3@56 4@75 5@102 6@115 7@139 9@174 11@218 12@241 13@257 14@280 16@324 " +
      "17@343 18@354 19@385 20@394 22@434 23@457 24@484 25@501 26@522",
    loss: [20, 22, 20],
  },
  {
    seed: 6258,
    sent: "0@0 1@18 2@35 3@55 4@80 5@94 7@146 8@166 10@194 11@224 12@240 13@264 14@284 15@300 " +
      "16@324 17@335 18@360 19@383 21@426 22@444 23@466 25@495 27@545 28@555 29@584",
    loss: [25, 27, 20],
  },
  // The loss of packet 3 read against a bias resting on three stamps, one of them the second's,
  // stamped early: the packet after it set 8.5 ms off the grid was the right one, and the bias
  // the one off. Moved with the grid, the residuals read the packet after as following a loss,
  // and the true loss of packet 10 as jitter.
  {
    seed: 6741,
    sent: "0@-6 1@9 2@36 4@81 5@105 6@126 7@145 8@154 9@186 11@214 12@234 13@258 15@300 16@320",
    loss: [9, 11, 20],
  },
];

for (const { seed, sent, loss: [from, to, lostMs] } of streams) {
  Deno.test(`\`OrderedMedia\` by timestamp fills the loss before packet ${to} with ${lostMs} ms after a packet set off the grid (the property test's seed ${seed})`, () => {
    const { out, counts } = heard(sent);
    assert.equal(silenceBetween(out, from, to), lostMs, out.join(" "));
    assert.equal(counts.inboundMediaLate ?? 0, 0);
    assert.equal(counts.inboundMediaDuplicates ?? 0, 0);
  });
}

Deno.test("`OrderedMedia` by timestamp fills a loss on a stream whose packets vary in length by the stamps, not in whole packets of the next one's length", () => {
  // Exact stamps (Twilio's count ms from the stream's start). Packets of 80 ms and of 20 ms: the
  // 100 ms before the 80 ms packet at 280 ms were a 20 ms packet and an 80 ms one. Snapped to a
  // whole packet of 80 ms, the loss was filled 20 ms short, and every packet after set 20 ms
  // early.
  const { out, counts } = heard("0@0/80 1@80 2@100/80 5@280/80 6@360/80");
  assert.deepEqual(out, ["0:0(80)", "80:1", "100:2(80)", "180:-(100)", "280:5(80)", "360:6(80)"]);
  assert.equal(counts.inboundMediaGapMs, 100);
});

Deno.test("`OrderedMedia` by timestamp learns that packet lengths vary from a packet that comes late", () => {
  // Exact stamps. The 40 ms packet lost before the 60 ms one at 100 ms comes late: it is no newer
  // chunk, but it says the lengths vary. Read as one 60 ms packet set 20 ms early off the grid,
  // the residuals moved with it put the stamps' bias 10 ms off, and the next packet was set early.
  const { out } = heard("0@0/60 2@100/60 1@60/40 5@200/60 6@260/60");
  assert.deepEqual(out, [
    "0:0(60)",
    "60:1(40)",
    "100:2(60)",
    "160:-(40)",
    "200:5(60)",
    "260:6(60)",
  ]);
});
