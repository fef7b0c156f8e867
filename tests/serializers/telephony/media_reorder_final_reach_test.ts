// At the stream's end (`MediaReorder.flush`), a lone jump still waiting for a second packet to
// confirm the loss before it is taken in its place when at most 3 typical packets are missing
// before it, as a stream of 20 ms packets takes it already (the default 60 ms window holds a packet
// after 3 lost: it never waits); a farther one is dropped, counted late. README: "a lone packet far
// ahead, still waiting for the packet that confirms the loss before it, waits on through such a
// pause, and only the stream's end drops it, counted late". With 40 ms packets a loss of 2 or 3 in
// a row puts the packet after it past the window: the stream's last packet was dropped after such
// a loss (37 of 2,000 modelled streams, 14 once taken: `_final_jump_model.ts`).
import assert from "node:assert/strict";
import {
  MediaReorder,
  type MediaReorderOptions,
} from "../../../src/serializers/telephony/media_reorder.ts";
import { levelledPayload, placeAndLengthOf } from "../fixtures/levelled_packets.ts";
import { boundStage, recordedReorderOutput, type ReorderEvent } from "./_ordered_media_stage.ts";

/** A stage plus everything it delivered, as `{packet: key}` / `{gap: ms}`. */
function stage(options: MediaReorderOptions = {}) {
  const reorder = new MediaReorder<number>(options);
  const { events, output } = recordedReorderOutput();
  return { reorder, output, events };
}

/** Chunks `sequences` of 40 ms, then the stream's end. */
function endedBySequence(sequences: number[]) {
  const { reorder, output, events } = stage();
  for (const sequence of sequences) {
    reorder.push({ sequence, durationMs: 40, payload: sequence }, output);
  }
  const pendingAtEnd = reorder.pending;
  reorder.flush(output);
  return { events, counts: reorder.counts, pendingAtEnd };
}

const inOrder = (from: number, to: number): ReorderEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ packet: from + i }));

Deno.test("`MediaReorder.flush` takes the stream's last 40 ms packet after 2 or 3 lost, waiting unconfirmed, in its place with the hole filled", () => {
  for (const lost of [2, 3]) {
    const last = 5 + lost + 1;
    const { events, counts, pendingAtEnd } = endedBySequence([1, 2, 3, 4, 5, last]);
    assert.equal(pendingAtEnd, 1, `${lost} lost: the packet after them waits`);
    // Was: dropped, counted late, the caller's last 40 ms lost.
    assert.deepEqual(events, [
      ...inOrder(1, 5),
      { gap: 40 * lost, packets: lost },
      { packet: last },
    ]);
    assert.equal(counts.inboundMediaLate, 0);
    assert.equal(counts.inboundMediaGapsFilled, 1);
    assert.equal(counts.inboundMediaGapMs, 40 * lost);
  }
});

Deno.test("`MediaReorder.flush` still drops the stream's last packet past 3 lost, and a bogus number far ahead, counted late", () => {
  for (const last of [10, 5000]) {
    const { events, counts } = endedBySequence([1, 2, 3, 4, 5, last]);
    assert.deepEqual(events, inOrder(1, 5));
    assert.equal(counts.inboundMediaLate, 1);
    assert.equal(counts.inboundMediaGapsFilled, 0);
  }
});

Deno.test("`MediaReorder.giveUpHoles` (a pause) leaves a jump after 2 lost waiting: only the stream's end takes it", () => {
  const { reorder, output, events } = stage();
  for (const sequence of [1, 2, 5]) {
    reorder.push({ sequence, durationMs: 40, payload: sequence }, output);
  }
  reorder.giveUpHoles(output);
  assert.deepEqual(events.splice(0), inOrder(1, 2));
  assert.equal(reorder.pending, 1);
  reorder.flush(output);
  assert.deepEqual(events, [{ gap: 80, packets: 2 }, { packet: 5 }]);
});

Deno.test("`OrderedMedia` by timestamp hears the stream's last 40 ms packet after 2 lost, in its place, the 80 ms hole filled", () => {
  // A caller's packets 0-4 (0-160 ms), packets 5 and 6 lost, then packet 7 (280 ms), the last.
  const { ordered, counts } = boundStage({ orderBy: "timestamp" });
  const frames = [0, 1, 2, 3, 4, 7].flatMap((packet) =>
    ordered.push({
      sequence: packet + 1,
      timestampMs: 40 * packet,
      payload: levelledPayload(packet, 40),
    })
  );
  frames.push(...ordered.flush());
  assert.deepEqual(frames.map(placeAndLengthOf), [
    "0:0(40)",
    "40:1(40)",
    "80:2(40)",
    "120:3(40)",
    "160:4(40)",
    "200:-(80)",
    "280:7(40)",
  ]);
  assert.equal(counts.inboundMediaLate, undefined);
  assert.equal(counts.inboundMediaGapMs, 80);
});
