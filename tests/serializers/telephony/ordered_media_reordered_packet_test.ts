// A packet that is not the newest (delayed past a later one, or sent twice) on a stream ordered by
// media timestamp: the caller's track of a both-tracks stream, one chunk counter across both
// tracks (Twilio's `both_tracks`, twilio.com/docs/voice/media-streams/websocket-messages#media-message:
// `media.chunk` and `media.timestamp` in ms from the stream's start; Plivo's `audioTrack="both"`
// likewise). The stamps run off the grid (a first stamp late, a clock drifting): a packet that is
// not the newest is placed as the newest are, less the stamps' bias, and a duplicate where its
// original went.
import assert from "node:assert/strict";
import { placeAndLengthOf } from "../fixtures/levelled_packets.ts";
import { playedByTimestamp } from "./_ordered_media_stage.ts";

/** Each packet `n` given as [n, stampMs], played in that order; each frame out as "time:packet". */
function heard(packets: [number, number][]) {
  const { frames, counts } = playedByTimestamp(
    packets.map(([packet, stampMs]) => ({ packet, stampMs })),
  );
  return { out: frames.map(placeAndLengthOf), counts };
}

/** Packets 0..count-1 back to back, 20 ms each, as heard (levels tell packets apart mod 100). */
function backToBack(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `${20 * n}:${n % 100}`);
}

Deno.test("a packet delayed past the next one, after a first stamp 12 ms late, is heard in its own place", () => {
  // The stamps read 12 ms early against the grid from the first on; packet 6 comes after 7.
  // Was: placed at its raw stamp, on packet 5's place, dropped as a duplicate: 20 ms of silence.
  const { out, counts } = heard([
    [0, 12],
    [1, 20],
    [2, 40],
    [3, 60],
    [4, 80],
    [5, 100],
    [7, 140],
    [6, 120],
    [8, 160],
  ]);
  assert.deepEqual(out, backToBack(9));
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});

Deno.test("a duplicate of the first packet, after a first stamp 47 ms late, is dropped as one and takes no other packet's place", () => {
  // Was: set at its stamp moved by the first's shift (67 ms), over packet 3, which was lost.
  const { out, counts } = heard([[0, 67], [1, 20], [0, 67], [2, 40], [3, 60], [4, 80]]);
  assert.deepEqual(out, backToBack(5));
  assert.equal(counts.inboundMediaDuplicates, 1);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});

Deno.test("a duplicate under a clock running fast is dropped as one, however far ahead its stamp ran", () => {
  // A sender's clock 2% fast: by packet 550 its stamps are 220 ms, eleven packets, ahead of the
  // grid the packets are placed on (the bias follows the drift). Was: the copy set at its stamp,
  // eleven packets on, held as a jump until the next packet disowned it: dropped, but counted a
  // late packet, not the duplicate it was.
  const stamps = Array.from(
    { length: 600 },
    (_, n) => [n, Math.round(n * 20.4)] as [number, number],
  );
  const played = [...stamps.slice(0, 552), stamps[550]!, ...stamps.slice(552)];
  const { out, counts } = heard(played);
  assert.deepEqual(out, backToBack(600));
  assert.equal(counts.inboundMediaDuplicates, 1);
  assert.equal(counts.inboundMediaLate, undefined);
});

Deno.test("a packet delayed past the next under a drifting clock is heard in its own place", () => {
  // A sender's clock 2% slow: by packet 40 its stamps are 16 ms short of the grid. Was: packet 40,
  // after 41, set at its stamp, over packet 39's place, dropped: 20 ms of silence.
  const stamps = Array.from(
    { length: 50 },
    (_, n) => [n, Math.round(n * 19.6)] as [number, number],
  );
  const played = [...stamps.slice(0, 40), stamps[41]!, stamps[40]!, ...stamps.slice(42)];
  const { out, counts } = heard(played);
  assert.deepEqual(out, backToBack(50));
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});
