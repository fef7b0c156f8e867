// An injected barge-in goes only over a bot the caller can hear. The bot's spurt detector stays
// active 250 ms past its last sound (its hangover); a barge-in due in that time was made over a
// bot already silent and reported as one it "stopped for in 0 ms", skewing stop latency to 0.
// Bot and simulator on one FakeClock over real sockets (./_twilio_talking_bot.ts): exact times.
import assert from "node:assert/strict";
import type { BargeIn } from "../../src/simulator/mod.ts";
import { callTalkingTwilioBot } from "./_twilio_talking_bot.ts";

/**
 * A Twilio call to a bot that plays `answer` (tone and silence, in ms, alternating) from 100 ms
 * on, and never stops for the caller; the caller says nothing and barges in as `bargeIn` says.
 */
async function bargeIns(answer: number[], afterMs: number): Promise<BargeIn[]> {
  const report = await callTalkingTwilioBot(answer, {
    audio: { pcm: new Uint8Array(16000 * 2 * 3), sampleRate: 16000 }, // 3 s of silence
    hangUpAtMs: 2500,
    bargeIn: { afterMs, durationMs: 400 },
  });
  return report.bargeIns.filter((b) => b.source === "injected");
}

Deno.test("a barge-in due while the bot is already silent (within its hangover) is not made", async () => {
  // 300 ms of tone at 100 ms: silent from 400 ms, its spurt under way until 650 ms.
  const made = await bargeIns([300], 500);
  assert.deepEqual(
    made.map((b) => [b.atMs, b.stopLatencyMs]),
    [],
    "no barge-in over a bot silent since 400 ms",
  );
});

Deno.test("a barge-in due while the bot is audible is made, and the bot's talking over it counted", async () => {
  const [made, ...more] = await bargeIns([300], 200);
  assert.equal(more.length, 0);
  assert.equal(made?.atMs, 300);
  assert.equal(made?.stopLatencyMs, 100, "the tone ran to 400 ms");
  assert.equal(made?.talkedOverMs, 100);
});

Deno.test("a barge-in due in a pause of the bot's is made when the bot speaks on", async () => {
  // Tone 100–400 ms, a 100 ms pause (within the hangover), tone 500–800 ms: due at 420 ms.
  const [made, ...more] = await bargeIns([300, 100, 300], 320);
  assert.equal(more.length, 0);
  assert.equal(made?.atMs, 500, "at the first frame the bot is heard again");
  assert.equal(made?.stopLatencyMs, 300);
});
