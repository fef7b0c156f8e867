// `bargeIn.count` is how many answers the caller barges in on: a whole number, or Infinity (its
// default, every answer). A fraction passed as a non-negative number and counted as the next
// whole one up (`count: 1.5` barged in twice: the caller stops once it has barged in `count`
// times or more); it is refused before any call, naming the option, as the CLI's --barge-ins is.
import assert from "node:assert/strict";
import { simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

const URL_NEVER_DIALLED = "ws://127.0.0.1:9/";
const refuseToConnect = (): never => {
  throw new Error("connect was called: the options were taken");
};

Deno.test("simulateCall refuses a bargeIn.count that is no whole number, naming it", async () => {
  for (const count of [1.5, 0.1, -1, NaN]) {
    await assert.rejects(
      simulateCall(URL_NEVER_DIALLED, {
        protocol: "raw",
        connect: refuseToConnect,
        bargeIn: { afterMs: 100, count },
      }),
      { name: "RangeError", message: /^bargeIn\.count must be a whole number/ },
      String(count),
    );
  }
});

Deno.test("simulateCall takes a whole bargeIn.count, 0 and Infinity included", async () => {
  for (const count of [0, 2, Infinity]) {
    // Taken: the call is made, and fails to connect, as this one must.
    const report = await simulateCall(URL_NEVER_DIALLED, {
      protocol: "raw",
      connect: refuseToConnect,
      clock: new FakeClock(),
      bargeIn: { afterMs: 100, count },
    });
    assert.equal(report.ended.by, "error", String(count));
  }
});
