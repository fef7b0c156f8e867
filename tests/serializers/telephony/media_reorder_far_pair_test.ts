// Two absurd media numbers in a row (a jump of 100000, then 2^32) are each nearer the other than the
// timeline, and the reorder stage took them for a confirmed jump: it filled the four billion packets
// between with silence, a gap of 85,899,345,160 ms that OrderedMedia cut into 860 million frames
// (the inbound fuzzer, Plivo seed 830: the process grew to 8 GB and never finished).
//
// MediaReorder's contract: "The longest loss filled with silence" is `maxGapMs`, and "one bad packet
// never mutes the packets after it".
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  MediaReorder,
  type MediaReorderOutput,
} from "../../../src/serializers/telephony/media_reorder.ts";

type Event = { packet: number } | { gap: number };

function stage(maxGapMs = 5000) {
  const reorder = new MediaReorder<number>({ maxGapMs });
  const events: Event[] = [];
  const output: MediaReorderOutput<number> = {
    packet: (packet) => events.push({ packet: packet.payload }),
    gap: (gap) => events.push({ gap: gap.durationMs }),
  };
  const push = (sequence: number) =>
    reorder.push({ sequence, durationMs: 20, payload: sequence }, output);
  return { reorder, events, push, output };
}

Deno.test("`MediaReorder` takes two absurd numbers billions apart for two outliers, not a jump to fill", () => {
  const s = stage();
  for (let sequence = 1; sequence <= 5; sequence++) s.push(sequence);
  s.push(100_005); // Plivo's chunk 100000 ahead
  s.push(4_294_967_296); // then 2^32
  for (let sequence = 6; sequence <= 8; sequence++) s.push(sequence);
  s.reorder.flush(s.output);
  assert.deepEqual(s.events, [1, 2, 3, 4, 5, 6, 7, 8].map((packet) => ({ packet })));
  assert.equal(s.reorder.counts.inboundMediaLate, 2, "each outlier dropped and counted");
  assert.equal(s.reorder.counts.inboundMediaResyncs, 0);
  assert.equal(s.reorder.counts.inboundMediaGapMs, 0);
});

Deno.test("`MediaReorder` confirms no jump by an absurd number: the loss after it is filled by its own length", () => {
  const s = stage();
  for (let sequence = 1; sequence <= 5; sequence++) s.push(sequence);
  s.push(15); // 200 ms ahead: beyond the window, it waits for a second opinion
  s.push(4_294_967_296); // no opinion: the two are unrelated, 15 had no follower
  for (let sequence = 16; sequence <= 18; sequence++) s.push(sequence); // 17 confirms 16
  s.reorder.flush(s.output);
  assert.deepEqual(s.events, [
    ...[1, 2, 3, 4, 5].map((packet) => ({ packet })),
    { gap: 200 }, // 6..15, 15 included: it was dropped as the outlier it looked like then
    ...[16, 17, 18].map((packet) => ({ packet })),
  ]);
  assert.equal(s.reorder.counts.inboundMediaLate, 2);
});

Deno.test("`MediaReorder` property: whatever the numbers, no gap filled is longer than maxGapMs", () => {
  const number = fc.oneof(
    fc.integer({ min: 0, max: 40 }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(100_000, 4_294_967_296, 2 ** 53 - 1, 0),
  );
  fc.assert(
    fc.property(
      fc.array(number, { maxLength: 60 }),
      fc.integer({ min: 60, max: 5000 }),
      (keys, maxGapMs) => {
        const s = stage(maxGapMs);
        for (const key of keys) s.push(key);
        s.reorder.flush(s.output);
        for (const event of s.events) {
          if ("gap" in event) assert.ok(event.gap <= maxGapMs, `a gap of ${event.gap} ms`);
        }
      },
    ),
  );
});
