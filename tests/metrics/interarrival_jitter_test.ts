// The RFC 3550 §6.4.1 estimator behind `SessionMetrics`' inbound jitter, given times a serializer
// of the application's own may hand it (`SerializerContext.inboundPacket` is told plain numbers).
import assert from "node:assert/strict";
import { InterarrivalJitter } from "../../src/metrics/_interarrival_jitter.ts";

Deno.test("`InterarrivalJitter` does not measure a packet whose times are no finite numbers", () => {
  const jitter = new InterarrivalJitter();
  // Packets every 20 ms, on time: J is 0 whatever the one between them says (it read NaN for good).
  jitter.arrived(1000, 0, false);
  jitter.arrived(1020, 20, false);
  jitter.arrived(1040, NaN, false);
  jitter.arrived(NaN, 40, false);
  jitter.arrived(1060, Infinity, false);
  jitter.arrived(1080, 80, false);
  jitter.arrived(1100, 100, false);
  assert.equal(jitter.jitterMs, 0);
  assert.equal(jitter.maxJitterMs, 0);
  // A later difference still moves it, as RFC 3550 says: |D| = 16 ms, J moves 1/16 of the way.
  jitter.arrived(1136, 120, false);
  assert.equal(jitter.jitterMs, 1);
});

Deno.test("`InterarrivalJitter` takes a clock's step back between two arrivals for a new timeline, not jitter", () => {
  // Packets are told in the order they arrived, so on one clock an arrival before the one told
  // before it is the clock stepping back (a custom clock, or `performance.now` read across
  // workers), which RFC 3550 §6.4.1's transit difference would read as a network delay.
  const jitter = new InterarrivalJitter();
  jitter.arrived(1000, 0, false);
  jitter.arrived(1020, 20, false);
  jitter.arrived(1040, 40, false);
  jitter.arrived(-960, 60, false); // the clock stepped back 2 s: the packet itself was on time
  jitter.arrived(-940, 80, false);
  jitter.arrived(-920, 100, false);
  assert.equal(jitter.jitterMs, 0, "J read 125 ms (2000 / 16), decaying over a hundred packets");
  assert.equal(jitter.maxJitterMs, 0);
  // Measured on from the new timeline: |D| = 16 ms moves J 1/16 of the way, as before the step.
  jitter.arrived(-884, 120, false);
  assert.equal(jitter.jitterMs, 1);
});
