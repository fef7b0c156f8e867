// A far end of one's own (`protocol` as a FarEndFactory) whose hangUp throws, rather than returning
// a rejected promise: simulateCall rejected with its error, though "the promise rejects only for
// bad options" (simulate_call.ts), and the caller's socket was never closed. A rejected hang-up
// is reported as `<protocol>.hang-up` and the call closes its socket: a thrown one must be too.
import assert from "node:assert/strict";
import { type CallReport, simulateCall } from "../../src/simulator/mod.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import type { FarEndOptions } from "../../src/simulator/far_end.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

for (const how of ["throws", "rejects"] as const) {
  Deno.test(`a far end whose hangUp ${how} is reported, and the socket still closed`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const protocol = (options: FarEndOptions) => {
      const farEnd = FAR_ENDS.raw!(options);
      farEnd.hangUp = how === "throws"
        ? () => {
          throw new Error("boom");
        }
        : () => Promise.reject(new Error("boom"));
      return farEnd;
    };
    let report: CallReport | undefined;
    let error: unknown;
    simulateCall("ws://bot.invalid/", {
      protocol,
      clock,
      connect: () => pair.client,
      hangUpAtMs: 100,
    }).then((r) => (report = r), (e) => (error = e));
    for (let t = 0; t < 5_000 && report === undefined && error === undefined; t += 10) {
      await clock.tick(10);
    }
    assert.equal(error, undefined, `simulateCall rejected: ${error}`);
    assert.equal(report?.ended.by, "caller");
    assert.deepEqual(report!.violations.map((v) => [v.rule, v.detail]), [["raw.hang-up", "boom"]]);
    assert.equal(pair.client.readyState, 3, "the caller's socket is closed");
  });
}
