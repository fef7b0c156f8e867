// The first packet's second opinion, when the packet that gives it lands within the window of the
// first. While the timeline holds only its first packet, one behind it farther than the window
// waits for the next (see media_reorder_first_packet_test.ts): if the next lands near it, the first
// number was the outlier and the timeline begins anew there. But the next was judged on its own
// first: one behind the first by the window or less was "late" (a reordered start), and a late
// packet said nothing of the one waiting. With the first number a few packets too high (chunk "5"
// where the numbering starts at 1; a first stamp 80 ms off; Exotel's chunk "3" of 100 ms
// packets), the waiting packet was dropped when the stream reached the first's number, and every
// packet between with it: 80 ms of the caller's audio at 20 ms packets, 200 ms at Exotel's 100 ms,
// where a first number farther off lost none. The next packet is the second opinion wherever it
// lands behind the first: nearer the waiting one than the timeline, the two agree.
import assert from "node:assert/strict";
import {
  MediaReorder,
  type MediaReorderOptions,
  type MediaReorderOutput,
} from "../../../src/serializers/telephony/media_reorder.ts";

type Event = { packet: number } | { gap: number };

function stage(options: MediaReorderOptions = {}, durationMs = 20) {
  const reorder = new MediaReorder<number>(options);
  const events: Event[] = [];
  const output: MediaReorderOutput<number> = {
    packet: (packet) => events.push({ packet: packet.payload }),
    gap: (gap) => events.push({ gap: gap.durationMs }),
  };
  /** Pushes by sequence (or by timestamp, the key as the stamp); the payload is the key. */
  const push = (...keys: number[]) => {
    for (const key of keys) {
      const packet = options.orderBy === "timestamp"
        ? { timestampMs: key, durationMs, payload: key }
        : { sequence: key, durationMs, payload: key };
      reorder.push(packet, output);
    }
  };
  const packets = () => events.map((event) => "packet" in event ? event.packet : "gap");
  return { reorder, events, output, push, packets };
}

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

Deno.test('`MediaReorder`: a first chunk "5", then 1 to 12: 2, within the window of 5, confirms 1', () => {
  const s = stage();
  s.push(5, ...range(1, 12));
  s.reorder.flush(s.output);
  // Was: [5, 6, …, 12]: 1 waited, 2 to 4 were late and 5 a duplicate, then 6 dropped 1 as late.
  assert.deepEqual(s.packets(), [5, ...range(1, 12)]);
  assert.equal(s.reorder.counts.inboundMediaLate, 0);
  assert.equal(s.reorder.counts.inboundMediaDuplicates, 0);
  assert.equal(s.reorder.counts.inboundMediaResyncs, 1);
  assert.equal(s.reorder.pending, 0);
});

Deno.test('`MediaReorder`: Exotel\'s 100 ms packets, a first chunk "3", then 1 to 8: none lost', () => {
  // Exotel AgentStream ("media" every ~100 ms): the window in force is one packet, 100 ms; 1 is
  // 200 ms behind 3 and waits, 2 is 100 ms behind it, within the window.
  const s = stage({}, 100);
  s.push(3, ...range(1, 8));
  s.reorder.flush(s.output);
  // Was: [3, 4, …, 8], 200 ms of the caller's audio dropped.
  assert.deepEqual(s.packets(), [3, ...range(1, 8)]);
  assert.equal(s.reorder.counts.inboundMediaLate, 0);
  assert.equal(s.reorder.counts.inboundMediaResyncs, 1);
});

Deno.test("`MediaReorder` by timestamp: a first stamp 80 ms off, then the stream from 0: none lost", () => {
  const s = stage({ orderBy: "timestamp" });
  // 0 is 80 ms behind the first and waits; 20 is 60 ms behind it, within the window.
  s.push(80, ...range(0, 300, 20));
  s.reorder.flush(s.output);
  // Was: [80, 100, …]: 0 waited, 20 to 60 were late and 80 a duplicate (80 ms of audio).
  assert.deepEqual(s.packets(), [80, ...range(0, 300, 20)]);
  assert.equal(s.reorder.counts.inboundMediaLate, 0);
  assert.equal(s.reorder.counts.inboundMediaResyncs, 1);
});

Deno.test("`MediaReorder`: a packet within the window nearer the first than the waiting one says nothing of it", () => {
  // 4 is one packet behind 5: a reordered start, on 5's timeline, late; 1 waits on, and 6 (on the
  // timeline) drops it, as before.
  const s = stage();
  s.push(5, 1, 4, 6, 7);
  assert.deepEqual(s.packets(), [5, 6, 7]);
  assert.equal(s.reorder.counts.inboundMediaLate, 2);
  assert.equal(s.reorder.counts.inboundMediaResyncs, 0);
  assert.equal(s.reorder.pending, 0);
});

Deno.test("`MediaReorder`: once the first is confirmed, a late packet near a lone outlier behind is late as before", () => {
  // 6 confirms 5: the timeline has more than its first packet, and 1 arriving after it is late,
  // 2 too (no second opinion is asked of numbers behind a confirmed timeline within maxGapMs).
  const s = stage();
  s.push(5, 6, 1, 2, 7);
  assert.deepEqual(s.packets(), [5, 6, 7]);
  assert.equal(s.reorder.counts.inboundMediaLate, 2);
  assert.equal(s.reorder.counts.inboundMediaResyncs, 0);
});

Deno.test("`MediaReorder`: a reordered start within the window, no packet waiting, is late as before", () => {
  const s = stage();
  s.push(4, 2, 3, 5);
  assert.deepEqual(s.packets(), [4, 5]);
  assert.equal(s.reorder.counts.inboundMediaLate, 2);
  assert.equal(s.reorder.counts.inboundMediaResyncs, 0);
});
