// Streams ordered by media time (`OrderedMedia` with `orderBy: "timestamp"`), the caller's track of
// a both-tracks stream: Plivo's "Stream Event Protocol" (plivo.com/docs/voice/audio-streaming/
// audio-streaming: with `<Stream audioTrack="both">` one `media.chunk` counter runs across both
// tracks, so the caller's chunks skip every other number; `media.timestamp` is the sender's wall
// clock in epoch ms). The reorder stage takes a packet as in its place within half its length of
// where the one before ends, so one may reach the output overlapping the frame heard last: it is
// set where that frame ends (its audio is its own, never heard; time never runs back), and one
// overlapping it by half a packet or more, mostly a place heard already, is dropped, counted.
import assert from "node:assert/strict";
import { heardAsSent } from "./_ordered_media_stage.ts";

/** The first frame in `out` ("time:packet(length)") that starts before the one before it ends. */
function ranBack(out: string[]): string | undefined {
  let endMs = -Infinity;
  for (const frame of out) {
    const [, at, length] = /^([\d.]+):[^(]*(?:\(([\d.]+)\))?$/.exec(frame)!;
    if (Number(at) < endMs - 1e-6) return frame;
    endMs = Number(at) + Number(length ?? 20);
  }
  return undefined;
}

Deno.test("`OrderedMedia` by timestamp: a packet that came before the one ahead of it, after a loss, leaves the one after it no place over it", () => {
  // Packet 1 lost, 4 after 5 (5 % of packets swapped in flight): 4 is placed right after 3 (88 ms,
  // where the late first stamp put 2 and 3), 5 at its own stamp less the bias (99 ms), 9 ms over
  // packet 4, which went out at 88 and ends at 108. Heard at 99, its first 9 ms played over 4's.
  const { out, counts } = heardAsSent("0@-2 2@46 3@64 5@96 4@74");
  assert.equal(ranBack(out), undefined, out.join(" "));
  assert.deepEqual(out, ["0:0", "20:-(28)", "48:2", "68:3", "88:4", "108:5"]);
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaLate, undefined);
});

Deno.test("`OrderedMedia` by timestamp: after the sender's clock steps 87 ms back (past the 60 ms window), every packet is heard in order from where delivery stands, none over the packet before", () => {
  // From packet 3 on every stamp is 87 ms back. Before the placement read a step back (see
  // `StampPlacement`'s `#steppedBack`), 3 to 6 landed before where packet 2 ends (dropped,
  // counted) and 7, stamped 53, within half a packet of where 2 ends (60), was heard at 53, over
  // the last 7 ms of packet 2. Now 3 is set in step and the stamps after it read moved by as much.
  const { out, counts } = heardAsSent("0@0 1@20 2@40 3@-27 4@-7 5@13 6@33 7@53 8@73");
  assert.equal(ranBack(out), undefined, out.join(" "));
  assert.deepEqual(out, [
    "0:0",
    "20:1",
    "40:2",
    "60:3",
    "80:4",
    "100:5",
    "120:6",
    "140:7",
    "160:8",
  ]);
  assert.equal((counts.inboundMediaLate ?? 0) + (counts.inboundMediaDuplicates ?? 0), 0);
});

Deno.test("`OrderedMedia` by timestamp: a packet whose place is mostly heard once the overlaps add up is dropped, counted late, not heard over the one before", () => {
  // Stamps jittered by up to 8 ms, packets lost between them: 27 (stamped 548) is held half a
  // packet past 26, and 28 (stamped 553, only 5 ms after it) is set into the hole before it, at
  // 559; 27 then went out at 570, 9 ms over 28 and after it, out of the order sent. Once 28 is
  // set where 26 ends (560), 27 would be 10 ms over it, half its place heard: it is dropped.
  const { out, counts } = heardAsSent(
    "0@-6 1@28 2@43 3@62 6@123 9@179 17@344 20@401 21@414 22@432 25@503 26@517 27@548 28@553",
  );
  assert.equal(ranBack(out), undefined, out.join(" "));
  assert.deepEqual(out.slice(-3), ["520:25", "540:26", "560:28"]);
  assert.equal(counts.inboundMediaLate, 1);
  assert.equal(counts.inboundMediaDuplicates, undefined);
});
