// A `PlaybackTracker` on its own, as `OutboundPath` builds one, for tests of what it does with a
// wait or a read that no session needs to drive: the timeline is appended to by hand, and the
// socket and serializer are never reached (no marks, unless a test asks for them).
import assert from "node:assert/strict";
import { PlaybackTracker, type PlaybackTrackerOptions } from "../../src/_playback_tracker.ts";
import { PlayoutTimeline } from "../../src/_playout_timeline.ts";
import type { FakeClock } from "../../src/testing/mod.ts";
import { loneSender } from "../_lone_sender.ts";

/** What a test may set of the tracker's options (the rest are built here). */
export type LoneTrackerOptions = Partial<
  Omit<PlaybackTrackerOptions, "timeline" | "sender" | "clock" | "stats">
>;

/**
 * A tracker with a second of audio sent at the clock's now that the far end has not played yet;
 * no acknowledgements (playout is the estimate's), no delay, a 2 s bound, unless `options` say.
 */
export function trackerWithAudioPlaying(
  clock: FakeClock,
  options: LoneTrackerOptions = {},
): { tracker: PlaybackTracker; timeline: PlayoutTimeline } {
  const timeline = new PlayoutTimeline({ sendAheadMs: 0, clock });
  const { sender, stats } = loneSender({
    clock,
    onError: (error) => assert.fail(`no error expected, got ${error.message}`),
  });
  const tracker = new PlaybackTracker({
    timeline,
    sender,
    clock,
    stats,
    markIntervalMs: 0,
    maxMarkIntervalMs: 0,
    quietMs: 200,
    playoutDelayMs: 0,
    playoutTimeoutMs: 2000,
    dispatch: () => {},
    ...options,
  });
  timeline.append(1000, clock.now());
  return { tracker, timeline };
}

/** Whether `promise` has settled once the microtasks queued so far have run (no time passes). */
export async function settledNow<T>(promise: Promise<T>): Promise<{ value: T } | undefined> {
  let outcome: { value: T } | undefined;
  promise.then((value) => (outcome = { value }));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return outcome;
}
