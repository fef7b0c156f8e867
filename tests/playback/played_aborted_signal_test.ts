// `PlaybackTracker.played` asked with a signal that has aborted already (the session over):
// it answers at once, as it answers an abort that comes while it waits, and does not wait out
// the playout bound (the estimated end plus `playoutTimeoutMs`) for an abort it cannot hear.
import assert from "node:assert/strict";
import { OutboundSender } from "../../src/_outbound_sender.ts";
import { PlaybackTracker } from "../../src/_playback_tracker.ts";
import { PlayoutTimeline } from "../../src/_playout_timeline.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { emptyStats } from "../../src/transport_stats.ts";

/** A tracker with a second of audio sent at 0 ms that the far end has not played yet. */
function trackerWithAudioPlaying(clock: FakeClock): PlaybackTracker {
  const stats = emptyStats();
  const timeline = new PlayoutTimeline({ sendAheadMs: 0, clock });
  const sender = new OutboundSender({
    socket: new MemorySocketPair().server,
    serializer: { serialize: () => null, deserialize: () => null },
    clock,
    stats,
    addWavHeader: false,
    packetizer: undefined,
    maxBufferedBytes: 1 << 20,
    sendTimeoutMs: 1000,
    signal: new AbortController().signal,
    onError: (error) => assert.fail(`no error expected, got ${error.message}`),
  });
  const tracker = new PlaybackTracker({
    timeline,
    sender,
    clock,
    stats,
    markIntervalMs: 0, // no acknowledgements: playout is the estimate's
    maxMarkIntervalMs: 0,
    quietMs: 200,
    playoutDelayMs: 0,
    playoutTimeoutMs: 2000,
    dispatch: () => {},
  });
  timeline.append(1000, clock.now());
  return tracker;
}

/** Whether `promise` has settled once the microtasks queued so far have run (no time passes). */
async function settledNow<T>(promise: Promise<T>): Promise<{ value: T } | undefined> {
  let outcome: { value: T } | undefined;
  promise.then((value) => (outcome = { value }));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return outcome;
}

Deno.test("`PlaybackTracker.played` with an aborted signal answers at once, as an abort while it waits does", async () => {
  const clock = new FakeClock();
  const waiting = trackerWithAudioPlaying(clock);
  const stop = new AbortController();
  const answer = waiting.played(stop.signal);
  assert.equal(await settledNow(answer), undefined, "a second still plays: it waits");
  stop.abort();
  assert.deepEqual(await settledNow(answer), { value: false }, "an abort while it waits");

  const late = trackerWithAudioPlaying(new FakeClock());
  const aborted = AbortSignal.abort();
  // Before the fix this waited for the bound, 3000 ms of fake time that nothing passes here.
  assert.deepEqual(await settledNow(late.played(aborted)), { value: false });
});
