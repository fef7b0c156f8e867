// Review of the simulated Genesys's binary rate limit against this package's own Genesys bot, set
// up as README.md says (`fixedAudioPacketSize: 1600, padByte: 0xff`). Genesys takes the server's
// binary messages at 5 a second on average and 25 at once (developer.genesys.cloud, Genesys Cloud
// limits, AudioHook section, `global.inbound.binary.average.rate.per.second` and
// `global.inbound.binary.max`, as Rasa's Genesys Cloud Voice channel page quotes them under "Rate
// Limits"): a bot that paces 200 ms packets in real time keeps to it however often the caller
// barges in, a clear (Genesys's `barge_in` event) followed at once by the next reply included,
// and however its replies end (each one's last, partial packet padded and sent). A simulator that
// cut such a bot off would fail the setup the README recommends.
import assert from "node:assert/strict";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { type OnBargeIn, serveBot } from "./_bot.ts";
import { Lockstep } from "../_lockstep.ts";

/** A call of 24 short utterances to the README's Genesys bot, its replies `answerMs` long. */
async function longCall(answerMs: number, onBargeIn: OnBargeIn) {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = serveBot({
    clock,
    serializer: () => new GenesysSerializer(),
    onSession: (t) => lockstep.register(t),
    answerDelayMs: 100,
    answerMs,
    onBargeIn,
    transport: { fixedAudioPacketSize: 1600, padByte: 0xff },
  });
  try {
    const report = await lockstep.run(simulateCall(server.url, {
      protocol: "genesys",
      clock,
      connect: lockstep.connectCaller,
      // 24 turns: the caller speaks 300 ms, then again 700 ms later, 600 ms into the reply.
      audio: syntheticCaller({ utterancesMs: Array(24).fill(300), pauseMs: 700 }),
      lingerMs: 1500,
    }));
    return { report, session: server.sessions[0]! };
  } finally {
    await server.close();
  }
}

Deno.test("the README's Genesys bot keeps to Genesys's rate limit through 23 barge-ins, each clear followed at once by the next reply", async () => {
  const { report, session } = await longCall(3010, "interrupt");
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.ended.brokenRule, undefined, report.ended.detail);
  assert.equal(report.utterances.length, 24);
  assert.equal(session.answers.length, 24);
  assert.equal(session.interrupts.length, 23, "every reply but the last barged into");
});

Deno.test("the README's Genesys bot keeps to Genesys's rate limit with 24 replies that each end in a padded partial packet", async () => {
  // 1,010 ms replies the bot plays out whatever the caller says: five whole packets and a padded
  // sixth each, one after another with 300 ms of the caller's speech between them.
  const { report, session } = await longCall(1010, "ignore");
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.ended.brokenRule, undefined, report.ended.detail);
  assert.equal(session.answers.length, 24);
  assert.equal(session.interrupts.length, 0);
});
