// The call's `FarEndContext.dropQueued` (far_end.ts): a far end takes part of its playout queue
// out by its platform's own rule (ConversationRelay's preemptible talk cycles). Unlike the bot's
// clear, it dates no barge-in's clear and answers no mark; the marks waiting keep their place in
// what is left: one before the span is reached when the same audio has played as before, one
// within it where the span was, one after it sooner by the audio dropped.
import assert from "node:assert/strict";
import { type CallReport, simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { callWithDrops, rawWithDrops } from "./_raw_far_end_with_drops.ts";

/**
 * `ms` of the bot's audio for the raw far end (16 kHz PCM16): a loud square wave (a constant level
 * is a DC offset, which the talk-spurt detector hears as silence).
 */
const audio = (ms: number) =>
  new Uint8Array(new Int16Array(ms * 16).map((_, i) => (i % 2 ? 8224 : -8224)).buffer);

/** A call of the raw far end with drops (_raw_far_end_with_drops.ts); when it first dropped. */
async function call(bot: (pair: MemorySocketPair) => void) {
  const { report, acks, drops } = await callWithDrops(bot);
  return { report, acks, droppedAt: drops[0]! };
}

Deno.test("dropQueued: the marks waiting keep their place in what is left of the queue", async () => {
  const { report, acks, droppedAt } = await call((pair) => {
    for (const [ms, mark] of [[200, "a"], [200, "b"], [200, "c"]] as const) {
      pair.server.send(audio(ms));
      pair.server.send(`mark:${mark}`);
    }
    pair.server.send(audio(400));
    // 1000 ms queued, marks at 200, 400 and 600: out goes 300 to 500, around the second.
    pair.server.send("drop:300:500");
  });
  assert.deepEqual(report.violations, []);
  assert.deepEqual(
    { a: acks.a! - droppedAt, b: acks.b! - droppedAt, c: acks.c! - droppedAt },
    { a: 200, b: 300, c: 400 },
  );
  assert.deepEqual(
    { acked: report.marks.acked, ackedOnClear: report.marks.ackedOnClear },
    { acked: 3, ackedOnClear: 0 },
    "played, not answered as cleared",
  );
  const { receivedMs, playedMs, clearedMs, chunks } = report.audio;
  assert.deepEqual({ receivedMs, playedMs, clearedMs, chunks }, {
    receivedMs: 1000,
    playedMs: 800,
    clearedMs: 200,
    chunks: 4,
  });
});

Deno.test("dropQueued is no clear of the bot's: a barge-in over the audio is dated by none", async () => {
  // Over the bot's audio, nothing cleared by the bot: the far end's drop is not its clear.
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const reportPromise = simulateCall("ws://bot.invalid/", {
    protocol: rawWithDrops({}, []),
    clock,
    connect: () => pair.client,
    hangUpAtMs: 3_000,
    bargeIn: { afterMs: 300, durationMs: 400, count: 1 },
  });
  await clock.tick(10);
  pair.server.send(audio(2000));
  await clock.tick(500); // the caller barges in at about 310 ms
  pair.server.send("drop:500:1000");
  let report: CallReport | undefined;
  reportPromise.then((r) => (report = r));
  for (let t = 0; t < 5_000 && report === undefined; t += 10) await clock.tick(10);
  assert.ok(report);
  assert.equal(report.bargeIns.length, 1);
  assert.equal(report.bargeIns[0]!.clearAtMs, null);
  assert.equal(report.audio.clearedMs, 500);
});
