// `MediaReorder.drain` (a change of numbering: `OrderedMedia.reorderBy`, at Telnyx's switch to
// media-time order) judges a jump still waiting for confirmation as `flush` does, or, given
// `unconfirmed`, hands it to the caller unjudged, counted nowhere, after what is held, for the
// new numbering to judge. README: "a lone packet far ahead, still waiting for the packet that
// confirms the loss before it, waits on through such a pause, and only the stream's end drops it
// […]; at Telnyx's switch to media-time order the new order […] judges it by its media time".
import assert from "node:assert/strict";
import {
  type MediaGap,
  type MediaPacket,
  MediaReorder,
} from "../../src/serializers/telephony/media_reorder.ts";

/** A stage's output, as "packet" names and "silence N ms". */
function recorder() {
  const out: string[] = [];
  const output = {
    packet: (packet: MediaPacket<string>) => out.push(packet.payload),
    gap: (gap: MediaGap) => out.push(`silence ${gap.durationMs} ms`),
  };
  return { out, output };
}

Deno.test("`MediaReorder.drain` drops a lone jump far ahead, counted late, and delivers what is held behind a hole with no gap", () => {
  const reorder = new MediaReorder<string>();
  const { out, output } = recorder();
  // 1, 2, then 4 (held behind 3's hole), then 100: a jump nothing confirms.
  for (const sequence of [1, 2, 4, 100]) {
    reorder.push({ sequence, durationMs: 20, payload: `#${sequence}` }, output);
  }
  assert.equal(reorder.pending, 2);
  reorder.drain(output);
  // Was: "#100" delivered after "#4" as if confirmed, nothing counted.
  assert.deepEqual(out, ["#1", "#2", "#4"]);
  assert.equal(reorder.pending, 0);
  assert.deepEqual(reorder.counts, {
    inboundMediaReordered: 0,
    inboundMediaDuplicates: 0,
    inboundMediaLate: 1,
    inboundMediaGapsFilled: 0,
    inboundMediaGapMs: 0,
    inboundMediaResyncs: 0,
  });
});

Deno.test("`MediaReorder.drain` takes a waiting jump that follows a single lost packet, in its place, as `flush` does", () => {
  // By timestamp with a 20 ms window: the packet after a single loss, its stamp 5 ms late, is past
  // the window and waits for a second opinion; at a change of numbering it is taken.
  const reorder = new MediaReorder<string>({ orderBy: "timestamp", windowMs: 20 });
  const { out, output } = recorder();
  for (const timestampMs of [0, 20, 40, 85]) {
    reorder.push({ timestampMs, durationMs: 20, payload: `@${timestampMs}` }, output);
  }
  assert.deepEqual(out, ["@0", "@20", "@40"]);
  assert.equal(reorder.pending, 1);
  reorder.drain(output);
  assert.deepEqual(out, ["@0", "@20", "@40", "@85"]);
  assert.equal(reorder.counts.inboundMediaLate, 0);
  assert.equal(reorder.counts.inboundMediaGapsFilled, 0);
});

Deno.test("`MediaReorder.drain` hands a waiting jump to `unconfirmed` unjudged, counting nothing, after what is held behind a hole", () => {
  const reorder = new MediaReorder<string>();
  const { out, output } = recorder();
  // 1, 2, then 4 (held behind 3's hole), then 100: a jump nothing has confirmed yet.
  const jump = { sequence: 100, durationMs: 20, payload: "#100" };
  for (const sequence of [1, 2, 4]) {
    reorder.push({ sequence, durationMs: 20, payload: `#${sequence}` }, output);
  }
  reorder.push(jump, output);
  assert.equal(reorder.pending, 2);
  reorder.drain(output, (packet) => out.push(`handed ${packet.payload}`));
  assert.deepEqual(out, ["#1", "#2", "#4", "handed #100"]);
  assert.equal(reorder.pending, 0);
  assert.deepEqual(reorder.counts, {
    inboundMediaReordered: 0,
    inboundMediaDuplicates: 0,
    inboundMediaLate: 0,
    inboundMediaGapsFilled: 0,
    inboundMediaGapMs: 0,
    inboundMediaResyncs: 0,
  });
});

Deno.test("`MediaReorder.drain` still takes a waiting jump after a single lost packet in its place, handing nothing", () => {
  // By timestamp with a 20 ms window: the packet after a single loss, its stamp 5 ms late, is past
  // the window and waits; at a change of numbering it is taken, as without `unconfirmed`.
  const reorder = new MediaReorder<string>({ orderBy: "timestamp", windowMs: 20 });
  const { out, output } = recorder();
  for (const timestampMs of [0, 20, 40, 85]) {
    reorder.push({ timestampMs, durationMs: 20, payload: `@${timestampMs}` }, output);
  }
  reorder.drain(output, (packet) => out.push(`handed ${packet.payload}`));
  assert.deepEqual(out, ["@0", "@20", "@40", "@85"]);
  assert.equal(reorder.counts.inboundMediaLate, 0);
});
