// A far end that ends the call before its handshake completes (a custom far end refusing the call
// in `open`, or on the bot's first message) ends it there: the wait for the handshake used to
// listen for the call's end only after it had come, so it ran the platform's whole 15 s wait and
// then blamed the bot with a `<protocol>.no-handshake` violation it never earned.
import assert from "node:assert/strict";
import { type CallReport, simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { rawOpenedAs } from "./_raw_far_end.ts";

/** The raw far end, except that it hangs up in `open`, before saying it is ready. */
const refusing = rawOpenedAs((context) =>
  context.endCall("caller", "the far end refused the call")
);

Deno.test("a far end that ends the call before it is ready ends it at once", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  let report: CallReport | undefined;
  void simulateCall("ws://bot.invalid/", {
    protocol: refusing,
    clock,
    connect: () => pair.client,
  }).then((r) => (report = r));
  for (let t = 0; t < 1_000 && report === undefined; t += 10) await clock.tick(10);
  assert.ok(report, "the call's report came within 1 s, not after the 15 s handshake wait");
  assert.equal(report.ended.by, "caller");
  assert.equal(report.ended.atMs, 0);
  assert.deepEqual(report.violations, [], "the bot broke no rule");
  assert.equal(pair.client.readyState, 3, "the caller's socket is closed");
  // Whatever is left runs out: no timer of the call's outlives its report.
  await clock.tick(20_000);
});
