// `PlaybackTracker.played` asked with a signal that has aborted already (the session over):
// it answers at once, as it answers an abort that comes while it waits, and does not wait out
// the playout bound (the estimated end plus `playoutTimeoutMs`) for an abort it cannot hear.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { settledNow, trackerWithAudioPlaying } from "./_lone_tracker.ts";

Deno.test("`PlaybackTracker.played` with an aborted signal answers at once, as an abort while it waits does", async () => {
  const clock = new FakeClock();
  const waiting = trackerWithAudioPlaying(clock).tracker;
  const stop = new AbortController();
  const answer = waiting.played(stop.signal);
  assert.equal(await settledNow(answer), undefined, "a second still plays: it waits");
  stop.abort();
  assert.deepEqual(await settledNow(answer), { value: false }, "an abort while it waits");

  const late = trackerWithAudioPlaying(new FakeClock()).tracker;
  const aborted = AbortSignal.abort();
  // Before the fix this waited for the bound, 3000 ms of fake time that nothing passes here.
  assert.deepEqual(await settledNow(late.played(aborted)), { value: false });
});
