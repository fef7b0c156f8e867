import assert from "node:assert/strict";
import { RampSide } from "./_ramp_side.ts";

Deno.test("`RampSide`'s capacity is its last step passed before the first it failed", () => {
  const side = new RampSide();
  assert.equal(side.capacity, 0, "nothing passed yet");
  side.record(300, true);
  side.record(325, true);
  assert.deepEqual({ capacity: side.capacity, failed: side.failed }, {
    capacity: 325,
    failed: false,
  });
  side.record(350, false);
  // Passed after a failure, as the demo passed 450 and 500 after failing 375 and 400 (2026-12-02).
  side.record(450, true);
  side.record(500, true);
  assert.deepEqual({ capacity: side.capacity, failed: side.failed }, {
    capacity: 325,
    failed: true,
  });
});

Deno.test("`RampSide` that fails its first step has no capacity", () => {
  const side = new RampSide();
  side.record(100, false);
  side.record(200, true);
  assert.equal(side.capacity, 0);
});
