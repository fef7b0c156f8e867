// A `SessionMetrics` kept after its session (for its final figures: a dashboard of recent calls)
// keeps "a few KB" (README, Metrics): its final snapshot, not the meters that made it.
import assert from "node:assert/strict";
import { runWithGc } from "../_gc_script.ts";

Deno.test("`SessionMetrics` kept after its session holds its final figures, a few KB, not its meters", async () => {
  // Held before: the underrun ring (21 KB), a histogram's buckets for each figure measured (3 KB
  // each then), the speech detector's buffers: 27.7 KB of typed arrays for this call, measured.
  const report = await runWithGc(new URL("./_kept_metrics_census.ts", import.meta.url));
  assert.deepEqual(report, {
    bufferBytes: 0,
    meters: { UnderrunMeter: 0, DurationHistogram: 0, SpeechDetector: 0 },
  });
});
