// The aggregate of calls at max speed (`--calls N --speed max`) read "responses 0/0 answered":
// at speed Infinity no answer is measured (report.ts), so their utterances are left out, and the
// line told of a run whose caller said nothing. A single call's report says "not measured at max
// speed"; the aggregate now says so too, and counts such calls apart when a run mixes them.
// A bot that says nothing on 127.0.0.1 port 0, bot and simulator on one FakeClock
// (./_silent_bot_call.ts).
import assert from "node:assert/strict";
import { aggregateReports, formatReport, syntheticCaller } from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

const call = (speed: number) =>
  callSilentBot({
    protocol: "raw",
    audio: syntheticCaller({ utterancesMs: [400, 400], pauseMs: 300 }),
    speed,
    lingerMs: 300,
  });

Deno.test("the aggregate of calls at max speed says their answers were not measured, not 0/0 answered", async () => {
  const report = await call(Infinity);
  const total = aggregateReports([report, report]);
  assert.equal(total.unmeasuredCalls, 2);
  assert.equal(total.utterances, 0);
  const text = formatReport(total);
  assert.match(text, /\n {2}responses {8}not measured at max speed \(2 calls\)\n/, text);
});

Deno.test("an aggregate that mixes speeds counts the calls at max speed apart", async () => {
  const fast = await call(Infinity);
  const real = await call(1);
  const total = aggregateReports([real, fast]);
  assert.equal(total.unmeasuredCalls, 1);
  assert.equal(total.utterances, 2);
  assert.match(
    formatReport(total),
    /\n {2}responses {8}0\/2 answered, 1 call at max speed not measured · —\n/,
  );
});
