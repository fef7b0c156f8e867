/**
 * A whole call whose caller presses 5 at 200 ms and hangs up at 1 s, on in-memory sockets and a
 * FakeClock: for the tests of how a far end sends, or does not send, a keypress and how the report
 * counts it.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
} from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/**
 * The call on `protocol` (and `platform`): its report, and the `type` of each text message the bot
 * got (binary audio left out), to tell whether a `dtmf` message reached it.
 */
export async function callPressingFive(
  options: Pick<SimulateCallOptions, "protocol" | "platform">,
): Promise<{ report: CallReport; types: string[] }> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const types: string[] = [];
  pair.server.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") types.push(JSON.parse(data).type);
  });
  let report: CallReport | undefined;
  void simulateCall("ws://bot.invalid/", {
    ...options,
    clock,
    connect: () => pair.client,
    dtmf: [{ atMs: 200, digit: "5" }],
    hangUpAtMs: 1_000,
  }).then((r) => (report = r));
  // Bounded: the call hangs up at 1 s of fake time; 5 s without a report is a failure.
  for (let t = 0; t < 5_000 && report === undefined; t += 10) await clock.tick(10);
  assert.ok(report, "the call ended");
  // Past every close and drain timer, so no timer outlives the test.
  await clock.tick(20_000);
  return { report, types };
}
