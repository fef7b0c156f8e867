// The window in force is `windowMs`, or one typical packet (the median of the latest eight) where
// packets are longer. A stream whose packets change length mid-call moves that median: 20 ms
// packets then 100 ms ones (a provider's packetization changed), 100 ms then 20 ms, Twilio's
// 20 ms with an odd short packet at a pause in speech. Whatever the moment the median moves, the
// stage's promises hold: packets in order with nothing held come out at once (no latency added),
// each packet comes out once and in order or is counted dropped, no silence filled is longer
// than the default `maxGapMs` (a short one holds with one length throughout: see below), and
// nothing is held after the stream's end.
import assert from "node:assert/strict";
import fc from "fast-check";
import { MediaReorder } from "../../../src/serializers/telephony/media_reorder.ts";
import { recordedReorderOutput, type ReorderEvent } from "./_ordered_media_stage.ts";

/** Durations of a stream of `count` packets: `before` ms up to `switchAt`, `after` ms from it. */
function durations(count: number, switchAt: number, before: number, after: number): number[] {
  return Array.from({ length: count }, (_, index) => index < switchAt ? before : after);
}

/** Arrival order of packets 0..count-1: each lost or `delay` packet-times late, copies later. */
function arrivalOrder(lost: boolean[], delays: number[], copies: number[]): number[] {
  const list: { index: number; at: number }[] = [];
  lost.forEach((isLost, index) => {
    if (!isLost) list.push({ index, at: index + delays[index]! });
  });
  for (const index of copies) if (!lost[index]) list.push({ index, at: index + 7 });
  return list.sort((a, b) => a.at - b.at).map((arrival) => arrival.index);
}

const stream = fc.integer({ min: 2, max: 120 }).chain((count) =>
  fc.record({
    count: fc.constant(count),
    switchAt: fc.integer({ min: 0, max: count }),
    before: fc.constantFrom(20, 30, 100, 160),
    after: fc.constantFrom(20, 30, 100, 160),
    odd: fc.array(fc.integer({ min: 0, max: count - 1 }), { maxLength: 4 }), // short packets
    lost: fc.array(fc.integer({ min: 1, max: 6 }).map((n) => n === 1), {
      minLength: count,
      maxLength: count,
    }),
    delays: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: count, maxLength: count }),
    copies: fc.array(fc.integer({ min: 0, max: count - 1 }), { maxLength: 6 }),
    pauses: fc.array(fc.nat({ max: 140 }), { maxLength: 6 }),
  })
);

type Plan = typeof stream extends fc.Arbitrary<infer P> ? P : never;

/**
 * Runs `plan` through a stage whose `maxGapMs` is as given, checking as it goes that no gap is
 * longer; with `timeline`, also that what comes out is in order with the holes between as gaps,
 * and that a packet in order pushed with nothing held comes out at its push.
 */
function run(plan: Plan, maxGapMs: number, timeline: boolean) {
  const lengths = durations(plan.count, plan.switchAt, plan.before, plan.after);
  for (const index of plan.odd) lengths[index] = 2.5; // 20 bytes of μ-law, say
  plan.lost[0] = false;
  plan.delays[0] = 0; // the first packet to arrive begins the timeline
  const order = arrivalOrder(plan.lost, plan.delays, plan.copies);
  const reorder = new MediaReorder<number>({ maxGapMs });
  const { events, output } = recordedReorderOutput();
  let expected: number | undefined; // the next packet in order, by what came out so far
  const follow = (from: number) => {
    for (const event of events.slice(from)) {
      if ("gap" in event) assert.ok(event.gap <= maxGapMs, `a gap of ${event.gap} ms`);
      if (!timeline) continue;
      if ("packet" in event) {
        if (expected !== undefined) assert.equal(event.packet, expected, "in order, no hole");
        expected = event.packet + 1;
      } else {
        assert.ok(expected !== undefined, "no gap before the first packet");
        expected += event.packets;
      }
    }
  };
  const pauses = new Set(plan.pauses);
  order.forEach((index, at) => {
    const inOrder = reorder.pending === 0 && (expected === undefined || index === expected);
    const before = events.length;
    reorder.push({ sequence: index, durationMs: lengths[index]!, payload: index }, output);
    if (timeline && inOrder) {
      assert.deepEqual(events[before], { packet: index }, `${index}, in order, out at once`);
    }
    follow(before);
    if (pauses.has(at)) {
      const paused = events.length;
      reorder.giveUpHoles(output);
      follow(paused);
    }
  });
  const ending = events.length;
  reorder.flush(output);
  follow(ending);
  const counts = reorder.counts;
  const delivered = events.filter((event) => "packet" in event).length;
  assert.equal(
    order.length,
    delivered + counts.inboundMediaDuplicates + counts.inboundMediaLate,
    "every packet out once or counted dropped",
  );
  assert.equal(reorder.pending, 0);
  return counts;
}

Deno.test("`MediaReorder` property: packets that change length mid-call keep every promise", () => {
  fc.assert(
    fc.property(stream, (plan) => {
      assert.equal(run(plan, 5000, true).inboundMediaResyncs, 0);
    }),
    { numRuns: 1000, seed: 33 },
  );
});

Deno.test("`MediaReorder` property: with a short maxGapMs, even under a packet's length, no silence is longer", () => {
  // One length throughout: where the median moves, a hole judged by the old one is filled by the
  // new one, its lost packets' length (a hole of two 20 ms packets that were 160 ms long is
  // 320 ms of silence, whatever maxGapMs says), as it was before the window in force.
  fc.assert(
    fc.property(stream, fc.constantFrom(60, 100, 160, 300), (plan, maxGapMs) => {
      plan.after = plan.before;
      plan.odd.length = 0;
      run(plan, maxGapMs, false);
    }),
    { numRuns: 1000, seed: 33 },
  );
});

Deno.test("`MediaReorder` holds a 20 ms packet after a hole no longer than 60 ms of media once 100 ms packets become 20 ms ones", () => {
  // The median lags the change by four packets: it still says 100 ms, the window in force is one
  // such packet, and a hole is given up after the second packet past it (40 ms of media), never
  // waited for through 100 ms of 20 ms packets.
  const reorder = new MediaReorder<number>();
  const { events, output } = recordedReorderOutput();
  for (let sequence = 1; sequence <= 10; sequence++) {
    reorder.push({ sequence, durationMs: 100, payload: sequence }, output);
  }
  events.length = 0;
  reorder.push({ sequence: 12, durationMs: 20, payload: 12 }, output); // 11 lost
  assert.deepEqual(events, [], "12 waits for 11");
  reorder.push({ sequence: 13, durationMs: 20, payload: 13 }, output);
  const kinds = (events as ReorderEvent[]).map((event) => "packet" in event ? event.packet : "gap");
  assert.deepEqual(kinds, [
    "gap",
    12,
    13,
  ]);
  assert.equal(reorder.pending, 0);
});
