// Vonage plays the bot's binary messages only as whole 20 ms frames: the "WebSockets" guide
// (developer.vonage.com, voice-api/concepts/websockets, "Writing audio to the WebSocket"): "It is
// important that each message is 320 or 640 bytes (depending on sample rate) and contains 20ms of
// audio." What it does otherwise is in Vonage's own log, quoted from Vonage API Support in
// vocodedev/vocode-core#727 ("Intermittent Vonage Disconnections Due to Mismatched Audio Chunk
// Size"): `"clockRate": 16000, "error": "unexpected frame size 160, when required 320", "msg":
// "Unexpected error, stop listening"`, and the bot's socket dropped (1006). The far end reported
// the message and played it, the call going on: a bot that cuts its last frame short passed here
// and loses the call live. Vonage now ends the call there, on the rule the bot broke.
import assert from "node:assert/strict";
import { farEndContext } from "./far_ends/_context.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import type { EndCallOptions } from "../../src/simulator/far_end.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { serveBot } from "./_bot.ts";
import { Lockstep } from "../_lockstep.ts";

function vonageAt(sampleRate: number) {
  const rules: string[] = [];
  const played: number[] = [];
  const endings: { by: string; options?: EndCallOptions }[] = [];
  const farEnd = FAR_ENDS["vonage"]!({ sampleRate });
  farEnd.open(farEndContext({
    violation: (rule) => rules.push(rule),
    play: (samples) => played.push(samples.length),
    endCall: (by, _reason, options) => endings.push({ by, ...(options ? { options } : {}) }),
  }));
  return { farEnd, rules, played, endings };
}

for (const [rate, frameBytes] of [[16000, 640], [8000, 320]] as const) {
  Deno.test(`the vonage far end at ${rate} Hz hangs up on a message that is not one ${frameBytes}-byte frame`, () => {
    for (const wrong of [frameBytes / 2, frameBytes * 2]) {
      const vonage = vonageAt(rate);
      vonage.farEnd.receive(new Uint8Array(frameBytes));
      assert.deepEqual(vonage.endings, [], "a whole frame plays");
      vonage.farEnd.receive(new Uint8Array(wrong));
      assert.deepEqual(vonage.rules, ["vonage.frame-size"]);
      assert.deepEqual(vonage.played, [frameBytes / 2], `the ${wrong}-byte message is not played`);
      assert.deepEqual(vonage.endings, [
        { by: "caller", options: { brokenRule: "vonage.frame-size" } },
      ]);
      // It stopped listening: what comes before the socket is gone is not read.
      vonage.farEnd.receive(new Uint8Array(frameBytes));
      vonage.farEnd.receive(new Uint8Array(wrong));
      assert.deepEqual(vonage.played, [frameBytes / 2]);
      assert.equal(vonage.endings.length, 1);
      assert.deepEqual(vonage.rules, ["vonage.frame-size"]);
    }
  });
}

Deno.test("a bot cutting Vonage's 16 kHz audio into 320-byte packets loses the call at its first", async () => {
  // The vocode bug of #727 made with this package: `fixedAudioPacketSize: 320` (the 8 kHz frame)
  // on a 16 kHz Vonage leg. The caller's audio the bot never heard is the bot's doing.
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = serveBot({
    clock,
    serializer: () => new VonageSerializer(),
    onSession: (t) => lockstep.register(t),
    answerDelayMs: 500,
    answerMs: 800,
    transport: { fixedAudioPacketSize: 320 },
  });
  try {
    const report = await lockstep.run(simulateCall(server.url, {
      protocol: "vonage",
      clock,
      connect: lockstep.connectCaller,
      audio: syntheticCaller({ utterancesMs: [1000, 1200], pauseMs: 2000 }),
    }));
    assert.equal(report.ended.by, "caller", report.ended.detail);
    assert.equal(report.ended.brokenRule, "vonage.frame-size");
    assert.deepEqual(report.violations.map((v) => [v.rule, v.count]), [["vonage.frame-size", 1]]);
    assert.equal(report.utterances.length, 1, "the second utterance was never said");
  } finally {
    await server.close();
  }
});
