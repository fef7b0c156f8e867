// Review of the simulated Vonage's frame-size rule against this package's own Vonage bot with the
// serializer's defaults. Vonage plays "320 or 640 bytes (depending on sample rate)" of 20 ms
// (developer.vonage.com, Voice API, "WebSockets", writing audio to the WebSocket) and stops
// listening at any other size (Vonage's log quoted in vocodedev/vocode-core#727: "unexpected frame
// size 160, when required 320", "Unexpected error, stop listening"), which the simulator now plays
// as the end of the call. The serializer must therefore never send a short frame: not at a reply's
// end when the reply is no whole number of frames, not where a barge-in clears a reply mid-frame,
// not when it resamples a bot's 24 kHz or 44.1 kHz to the call's rate, at 8 kHz or 16 kHz.
import assert from "node:assert/strict";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { type OnBargeIn, serveBot } from "./_bot.ts";
import { Lockstep } from "../_lockstep.ts";

async function vonageCall(rate: number, botRate: number, onBargeIn: OnBargeIn) {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = serveBot({
    clock,
    serializer: () => new VonageSerializer(),
    onSession: (t) => lockstep.register(t),
    answerDelayMs: 150,
    // 333 ms: 16 whole frames and a part, cut by the caller's next utterance 320 ms in.
    answerMs: 333,
    onBargeIn,
    sampleRate: botRate,
  });
  try {
    const report = await lockstep.run(simulateCall(server.url, {
      protocol: "vonage",
      clock,
      connect: lockstep.connectCaller,
      platform: { sampleRate: rate },
      audio: syntheticCaller({ utterancesMs: Array(10).fill(230), pauseMs: 470 }),
      lingerMs: 1500,
    }));
    return { report, session: server.sessions[0]! };
  } finally {
    await server.close();
  }
}

for (const [rate, botRate] of [[8000, 24000], [16000, 44100]] as const) {
  for (const onBargeIn of ["interrupt", "ignore"] as const) {
    Deno.test(`a Vonage bot with the serializer's defaults sends only whole frames at ${rate} Hz (bot at ${botRate} Hz, barge-ins: ${onBargeIn})`, async () => {
      const { report, session } = await vonageCall(rate, botRate, onBargeIn);
      assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
      assert.equal(report.ended.brokenRule, undefined, report.ended.detail);
      assert.equal(session.answers.length, 10);
      assert.equal(session.interrupts.length, onBargeIn === "interrupt" ? 9 : 0);
      assert.ok(report.audio.chunks > 0, "the bot was heard");
    });
  }
}
