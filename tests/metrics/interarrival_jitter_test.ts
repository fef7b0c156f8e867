// The RFC 3550 §6.4.1 estimator behind `SessionMetrics`' inbound jitter, given times a serializer
// of the application's own may hand it: `AudioFrame.arrivedAt` and `timestampMs` are plain numbers.
import assert from "node:assert/strict";
import { InterarrivalJitter } from "../../src/metrics/_interarrival_jitter.ts";

Deno.test("`InterarrivalJitter` does not measure a packet whose times are no finite numbers", () => {
  const jitter = new InterarrivalJitter();
  // Packets every 20 ms, on time: J is 0 whatever the one between them says (it read NaN for good).
  jitter.add(1000, 0);
  jitter.add(1020, 20);
  jitter.add(1040, NaN);
  jitter.add(NaN, 40);
  jitter.add(1060, Infinity);
  jitter.add(1080, 80);
  jitter.add(1100, 100);
  assert.equal(jitter.jitterMs, 0);
  assert.equal(jitter.maxJitterMs, 0);
  // A later difference still moves it, as RFC 3550 says: |D| = 16 ms, J moves 1/16 of the way.
  jitter.add(1136, 120);
  assert.equal(jitter.jitterMs, 1);
});
