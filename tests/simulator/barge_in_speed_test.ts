// `speed` sends the caller's audio faster, but "the silence after the caller's audio goes in real
// time" (simulate_call.ts, `speed`): a barge-in into an answer that comes once the audio has
// ended is made `afterMs` into it and lasts `durationMs`, at any speed, as at speed 1. It was timed
// on the audio's clock instead (call time = position / speed): at speed 2 the caller spoke over
// the bot 2 s late (at 4.5 s of the call, not 2.5 s), and the report put it at 2.5 s, 600 ms long.
// A raw bot on a memory socket and a FakeClock: it answers at 2 s of the call, after the caller's
// 1 s of audio (0.5 s of the call at speed 2), with 3 s of tone, and stops for nothing.
import assert from "node:assert/strict";
import { type CallReport, simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const RATE = 16000;

function tone(ms: number): Int16Array {
  const samples = new Int16Array((RATE * ms) / 1000);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  }
  return samples;
}

/** The call's report, and when each loud frame of the caller's (the barge-in) reached the bot. */
async function bargeInAfterTheAudio(speed: number) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  pair.server.binaryType = "arraybuffer";
  const loudAt: number[] = [];
  pair.server.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (!(data instanceof ArrayBuffer)) return;
    if (new Int16Array(data).some((s) => Math.abs(s) > 3000)) loudAt.push(clock.now());
  });
  clock.sleep(2000).then(() => pair.server.send(tone(3000)));
  let report: CallReport | undefined;
  simulateCall("ws://bot.invalid/", {
    protocol: "raw",
    clock,
    connect: () => pair.client,
    speed,
    audio: { pcm: new Uint8Array(2 * RATE), sampleRate: RATE }, // 1 s of silence
    waitForBotHangUp: true,
    maxDurationMs: 6000,
    bargeIn: { afterMs: 500, durationMs: 1200 },
  }).then((r) => (report = r));
  for (let t = 0; t < 10_000 && report === undefined; t += 10) await clock.tick(10);
  return { report: report!, loudAt };
}

Deno.test("a barge-in after the caller's audio is made afterMs into the answer and lasts durationMs, at any speed", async () => {
  for (const speed of [1, 2, 4]) {
    const { report, loudAt } = await bargeInAfterTheAudio(speed);
    assert.equal(report.bargeIns.length, 1, `speed ${speed}`);
    const [bargeIn] = report.bargeIns;
    assert.deepEqual(
      [bargeIn!.atMs, bargeIn!.endMs, bargeIn!.talkedOverMs],
      [2500, 3700, 1200],
      `speed ${speed}`,
    );
    // What the bot got: the caller's speech from the frame after 2.5 s (sent at its end) to 3.7 s.
    assert.ok(loudAt.length > 0, `speed ${speed}: no barge-in reached the bot`);
    assert.ok(loudAt[0]! > 2500 && loudAt[0]! <= 2520, `speed ${speed}: first at ${loudAt[0]}`);
    assert.ok(loudAt.at(-1)! <= 3700, `speed ${speed}: last at ${loudAt.at(-1)}`);
  }
});
