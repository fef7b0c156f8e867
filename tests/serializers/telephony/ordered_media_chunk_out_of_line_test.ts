// A packet on a stream ordered by media timestamp whose chunk is not newer than the newest taken,
// yet is no copy of a packet taken and comes no earlier than the newest: the chunk is only the
// sender's word. Twilio's `media.chunk` (twilio.com/docs/voice/media-streams/websocket-messages#media-message:
// "The first message will begin with 1 and increment with each subsequent message"; Plivo's
// `audioTrack="both"` likewise) numbers both tracks on one counter, and `media.timestamp` orders
// the caller's packets. A counter that sticks, or starts over while the stamps go on, numbers new
// audio with old chunks; one chunk out of line (10^12) makes every later chunk older. A copy sent
// again is the same message, its stamp its first's: only such a packet is dropped as a duplicate,
// and one stamped at or after where the newest ends is read as the next packet, less the stamps'
// bias, as a newer chunk is.
import assert from "node:assert/strict";
import { levelledPayload, placeAndLengthOf } from "../fixtures/levelled_packets.ts";
import { boundStage, STAMP_EPOCH_MS } from "./_ordered_media_stage.ts";

/** Packets `[packet, stampMs, chunk]`, 20 ms each, played in that order; frames as "time:packet". */
function heard(packets: [number, number, number][]) {
  const { ordered, counts } = boundStage({ orderBy: "timestamp" });
  const frames = packets.flatMap(([packet, stampMs, chunk]) =>
    ordered.push({
      sequence: chunk,
      timestampMs: STAMP_EPOCH_MS + stampMs,
      payload: levelledPayload(packet),
    })
  );
  frames.push(...ordered.flush());
  return { out: frames.map(placeAndLengthOf), counts };
}

/** Packets 0..count-1 back to back, 20 ms each, as heard (levels tell packets apart mod 100). */
function backToBack(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `${20 * n}:${n % 100}`);
}

/** Each caller's chunk two on from the last (the bot's between, on the same counter). */
const chunkOf = (packet: number) => 2 * packet + 2;

Deno.test("a sender whose chunk never moves is heard whole", () => {
  // Was: every packet after the first set where the first went, as its copy, and dropped: the
  // whole call but its first 20 ms lost, counted as 19 duplicates.
  const { out, counts } = heard(Array.from({ length: 20 }, (_, n) => [n, 20 * n, 7]));
  assert.deepEqual(out, backToBack(20));
  assert.equal(counts.inboundMediaDuplicates, undefined);
});

Deno.test("a sender whose chunk never moves, its first stamp 12 ms late and every stamp jittered, is heard whole and in step", () => {
  // Each stamp up to 4 ms off. Before the copies were told by their chunk, each packet was set at
  // its raw stamp: every one off its place, overlapping or leaving slivers (12, 24, 51, 72 ms...).
  const jitterMs = [0, 4, -4, 3, 4, -4, -3, 2, 4, -4, 4, -4, 1, 4, -3, 4, -4, 0, 3, -2];
  const { out, counts } = heard(
    jitterMs.map((offMs, n) => [n, 20 * n + offMs + (n === 0 ? 12 : 0), 7]),
  );
  assert.deepEqual(out, backToBack(20));
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});

Deno.test("a chunk counter that starts over while the stamps go on loses no packet", () => {
  // Ten packets on chunks 2..20, then the counter starts over at 2: was, the ten after it each set
  // where the packet first numbered so went, 200 ms back, and dropped as its duplicate.
  const { out, counts } = heard(
    Array.from({ length: 20 }, (_, n) => [n, 20 * n, chunkOf(n % 10)]),
  );
  assert.deepEqual(out, backToBack(20));
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});

Deno.test("a copy sent again as it was is dropped where its first went, after the counter started over", () => {
  // Packet 12 (chunk 6 the second time) sent twice, its copy after packet 14: its first is the
  // packet of chunk 6 whose stamp it carries, not the one 200 ms before.
  const played: [number, number, number][] = Array.from(
    { length: 20 },
    (_, n) => [n, 20 * n, chunkOf(n % 10)],
  );
  played.splice(15, 0, [12, 240, chunkOf(2)]);
  const { out, counts } = heard(played);
  assert.deepEqual(out, backToBack(20));
  assert.equal(counts.inboundMediaDuplicates, 1);
});

Deno.test("after a chunk out of line (10^12), under a first stamp 12 ms late, the next packet is heard in step", () => {
  // The stamps read 12 ms early against the grid. Was: packet 11, its chunk older than 10^12, set
  // at its raw stamp, 12 ms into packet 10's place: dropped as its duplicate, 12 ms of silence.
  const { out, counts } = heard(
    Array.from(
      { length: 20 },
      (_, n) => [n, 20 * n + (n === 0 ? 12 : 0), n === 10 ? 1e12 : chunkOf(n)],
    ),
  );
  assert.deepEqual(out, backToBack(20));
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});

Deno.test("after a chunk out of line (10^12), under a clock 2 % slow, the next packet is heard in step", () => {
  // By packet 40 the stamps run 16 ms short of the grid. Was: packet 41 set at its raw stamp, on
  // packet 40's place, dropped as its duplicate: 20 ms of silence.
  const { out, counts } = heard(
    Array.from(
      { length: 60 },
      (_, n) => [n, Math.round(19.6 * n), n === 40 ? 1e12 : chunkOf(n)],
    ),
  );
  assert.deepEqual(out, backToBack(60));
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});
