// A bot whose clock reads a few ms ahead of the metrics' (`performance.now` read in another worker,
// "a time read on another clock altogether, which this cannot tell from a step": the JSDoc of
// `SessionMetrics.callerTurnEnded`) tells each turn at once, with its own times: each is
// "measured as if it ended when told" (README, "Metrics"), against the bot's next spell — not
// against a spell of the bot's from long before, which answered nothing of it, nor counted
// unmeasured against one let go; and speech it tells takes back the turn waiting, as speech told
// at once always did.
import assert from "node:assert/strict";
import { turnsOnFakeClock } from "./_hand_made_transport.ts";

/** How far the bot's clock reads ahead of the metrics'. */
const AHEAD_MS = 5;

/** The caller speaks 1 s, the bot's recognizer telling it at once in its own time. */
function meteredSession() {
  const session = turnsOnFakeClock();
  const { clock, metrics } = session;
  const callerSpeaks = async () => {
    metrics.callerSpeechStarted(clock.now() + AHEAD_MS);
    await clock.tick(1000);
    metrics.callerTurnEnded(clock.now() + AHEAD_MS);
  };
  return { ...session, callerSpeaks };
}

Deno.test("turns told at once on a clock a few ms ahead are each measured against the bot's answer", async () => {
  const s = meteredSession();
  await s.botSpeaks(); // the greeting
  for (let turn = 0; turn < 3; turn++) {
    await s.clock.tick(500);
    await s.callerSpeaks();
    await s.clock.tick(300);
    await s.botSpeaks();
  }
  assert.deepEqual(s.turns(), { latencies: [300, 300, 300], count: 3, unmeasured: 0 });
});

Deno.test("past 16 spells, such turns are still measured, not counted against a spell let go", async () => {
  const s = meteredSession();
  for (let sentence = 0; sentence < 20; sentence++) await s.botSpeaks(); // a long greeting
  for (let turn = 0; turn < 3; turn++) {
    await s.clock.tick(500);
    await s.callerSpeaks();
    await s.clock.tick(300);
    await s.botSpeaks();
  }
  assert.deepEqual(s.turns(), { latencies: [300, 300, 300], count: 3, unmeasured: 0 });
});

Deno.test("speech told on a clock a few ms ahead takes back the turn waiting: the caller went on", async () => {
  const s = meteredSession();
  await s.botSpeaks();
  await s.clock.tick(500);
  await s.callerSpeaks(); // a pause…
  await s.clock.tick(200);
  await s.callerSpeaks(); // …and the caller goes on
  await s.clock.tick(300);
  await s.botSpeaks();
  assert.deepEqual(s.turns(), { latencies: [300], count: 1, unmeasured: 0 });
});
