// `speed` sends the caller's audio faster, but "the silence after the caller's audio goes in real
// time" (simulate_call.ts, `speed`):
// - a barge-in into an answer that comes once the audio has ended is made `afterMs` into it and
//   lasts `durationMs`, at any speed, as at speed 1. It was timed on the audio's clock instead
//   (call time = position / speed): at speed 2 the caller spoke over the bot 2 s late (at 4.5 s of
//   the call, not 2.5 s), and the report put it at 2.5 s, 600 ms long;
// - a barge-in begun over the last of the caller's audio and still spoken once it has ended goes
//   on in real time with that silence: at speed 2 one due at 300 ms of the call (600 ms into 1 s
//   of audio, which ends at 500 ms of the call) speaks its first 400 ms by 500 ms and its last
//   800 ms from then on, to 1,300 ms. The report must say so, not time all of it at speed 2 (to
//   900 ms, 600 ms over the bot where the bot heard 1,000).
// A raw bot on a memory socket and a FakeClock answers with 3 s of tone and stops for nothing; the
// caller's audio is 1 s of silence.
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

/**
 * The call's report, and when each loud frame of the caller's (the barge-in) reached the bot, which
 * answers at `answerAtMs` of the call; the barge-in is made `afterMs` into it.
 */
async function bargeInCall(speed: number, answerAtMs: number, afterMs: number) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  pair.server.binaryType = "arraybuffer";
  const loudAt: number[] = [];
  pair.server.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (!(data instanceof ArrayBuffer)) return;
    if (new Int16Array(data).some((s) => Math.abs(s) > 3000)) loudAt.push(clock.now());
  });
  clock.sleep(answerAtMs).then(() => pair.server.send(tone(3000)));
  let report: CallReport | undefined;
  simulateCall("ws://bot.invalid/", {
    protocol: "raw",
    clock,
    connect: () => pair.client,
    speed,
    audio: { pcm: new Uint8Array(2 * RATE), sampleRate: RATE }, // 1 s of silence
    waitForBotHangUp: true,
    maxDurationMs: 6000,
    bargeIn: { afterMs, durationMs: 1200 },
  }).then((r) => (report = r));
  for (let t = 0; t < 10_000 && report === undefined; t += 10) await clock.tick(10);
  return { report: report!, loudAt };
}

Deno.test("a barge-in after the caller's audio is made afterMs into the answer and lasts durationMs, at any speed", async () => {
  for (const speed of [1, 2, 4]) {
    const { report, loudAt } = await bargeInCall(speed, 2000, 500);
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

Deno.test("a barge-in spoken over the end of the caller's audio ends in real time after it, at speed 2", async () => {
  const { report, loudAt } = await bargeInCall(2, 100, 200);
  assert.equal(report.bargeIns.length, 1);
  const [bargeIn] = report.bargeIns;
  // What the bot got: the barge-in's speech well past 900 ms (its voice fades out at its end),
  // never past 1.3 s of the call.
  assert.ok(loudAt.length > 0, "no barge-in reached the bot");
  assert.ok(loudAt.at(-1)! > 1200 && loudAt.at(-1)! <= 1300, `last at ${loudAt.at(-1)}`);
  assert.deepEqual([bargeIn!.atMs, bargeIn!.endMs, bargeIn!.talkedOverMs], [300, 1300, 1000]);
});
