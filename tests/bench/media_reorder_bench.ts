/**
 * The cost of `MediaReorder` per packet: in order (the common case, which must stay close to the
 * bare call of the output it makes), with every fourth pair swapped, and with one packet in
 * twenty lost. Each iteration pushes the same 1000 packets of 20 ms (20 s of media) through a
 * fresh stage and flushes it; the baseline hands the same packets straight to the output.
 *
 * Run: `npx deno bench --allow-all tests/bench/media_reorder_bench.ts`
 *
 * @module
 */

import {
  type MediaPacket,
  MediaReorder,
  type MediaReorderOutput,
} from "../../src/serializers/telephony/media_reorder.ts";

const COUNT = 1000;
const payload = new Uint8Array(160);
const inOrder: MediaPacket<Uint8Array>[] = Array.from({ length: COUNT }, (_, i) => ({
  sequence: i + 1,
  timestampMs: i * 20,
  durationMs: 20,
  payload,
}));
const swapped = inOrder.slice();
for (let i = 0; i + 1 < COUNT; i += 8) {
  [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
}
const lossy = inOrder.filter((_, i) => i % 20 !== 10);

let delivered = 0;
let silenceMs = 0;
const output: MediaReorderOutput<Uint8Array> = {
  packet: () => void delivered++,
  gap: (gap) => void (silenceMs += gap.durationMs),
};

function run(packets: MediaPacket<Uint8Array>[], orderBy: "sequence" | "timestamp"): void {
  const reorder = new MediaReorder<Uint8Array>({ orderBy });
  for (const packet of packets) reorder.push(packet, output);
  reorder.flush(output);
}

Deno.bench("bare output calls, 1000 packets", { group: "in order", baseline: true }, () => {
  for (const packet of inOrder) output.packet(packet);
});
Deno.bench("MediaReorder by sequence, in order", { group: "in order" }, () => {
  run(inOrder, "sequence");
});
Deno.bench("MediaReorder by timestamp, in order", { group: "in order" }, () => {
  run(inOrder, "timestamp");
});
Deno.bench("MediaReorder by sequence, every 4th pair swapped", { group: "disorder" }, () => {
  run(swapped, "sequence");
});
Deno.bench("MediaReorder by sequence, 1 in 20 lost", { group: "disorder" }, () => {
  run(lossy, "sequence");
});
