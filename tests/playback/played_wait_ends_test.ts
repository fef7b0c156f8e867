// A `PlaybackTracker.played` wait (the session's `end`, waiting for its goodbye to play) ends
// three ways: the far end has played all that was sent, its bound passed, or the session's
// signal aborted. Whichever ends it, nothing of it is left behind: no listener on the signal (a
// signal that outlives many waits would gather them, each holding its wait's closure), and no
// waiter that keeps the tracker's events timer armed once nobody waits.
import assert from "node:assert/strict";
import { playbackReportName } from "../../src/_playback_reports.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { settledNow, trackerWithAudioPlaying } from "./_lone_tracker.ts";

/** An abort signal that says which "abort" listeners it holds now. */
function watchedSignal(): { controller: AbortController; listeners: Set<unknown> } {
  const controller = new AbortController();
  const signal = controller.signal;
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (type: string, listener: unknown, options?: unknown) => {
    if (type === "abort") listeners.add(listener);
    add(type, listener as EventListener, options as AddEventListenerOptions);
  };
  signal.removeEventListener = (type: string, listener: unknown, options?: unknown) => {
    if (type === "abort") listeners.delete(listener);
    remove(type, listener as EventListener, options as EventListenerOptions);
  };
  // A once listener goes as it fires: the signal holds none after an abort.
  add("abort", () => listeners.clear());
  return { controller, listeners };
}

Deno.test("`PlaybackTracker.played` leaves no listener on its signal once its wait has ended", async () => {
  const clock = new FakeClock();
  const { tracker, timeline } = trackerWithAudioPlaying(clock);
  const { listeners, controller } = watchedSignal();
  for (let wait = 0; wait < 10; wait++) {
    if (wait > 0) timeline.append(1000, clock.now()); // another second to wait for
    const answer = tracker.played(controller.signal);
    assert.equal(listeners.size, 1, `wait ${wait}: one listener while it waits`);
    await clock.tick(1000); // the second has played by the estimate
    assert.deepEqual(await settledNow(answer), { value: true }, `wait ${wait}`);
    // Before the fix: 1, 2, … 10 listeners, one for every wait that had ended.
    assert.equal(listeners.size, 0, `wait ${wait}: none once it has ended`);
  }
  // One the session's end settles goes too.
  timeline.append(1000, clock.now());
  const answer = tracker.played(controller.signal);
  tracker.end();
  assert.deepEqual(await settledNow(answer), { value: false });
  assert.equal(listeners.size, 0, "none once the session's end settled it");
});

Deno.test("`PlaybackTracker.played` aborted leaves no timer armed, and another wait still ends when the audio has played", async () => {
  const clock = new FakeClock();
  const { tracker } = trackerWithAudioPlaying(clock);
  const aborted = new AbortController();
  const answer = tracker.played(aborted.signal);
  assert.equal(clock.pendingTimers, 1, "the events timer, for the estimated end");
  aborted.abort();
  assert.deepEqual(await settledNow(answer), { value: false });
  // Before the fix: 1, the aborted waiter kept in the tracker until its bound, 3 s on.
  assert.equal(clock.pendingTimers, 0, "nobody waits: no timer");

  // Two waits, one aborted: the other goes on to the audio's end.
  const { tracker: second } = trackerWithAudioPlaying(clock);
  const kept = second.played(new AbortController().signal);
  const dropped = new AbortController();
  const cut = second.played(dropped.signal);
  dropped.abort();
  assert.deepEqual(await settledNow(cut), { value: false });
  assert.equal(clock.pendingTimers, 1, "the other still waits");
  await clock.tick(999);
  assert.equal(await settledNow(kept), undefined, "a millisecond still plays");
  await clock.tick(1);
  assert.deepEqual(await settledNow(kept), { value: true });
  assert.equal(clock.pendingTimers, 0);
});

// A far end that reports its playback (Genesys's Audio Connector) holds the goodbye audible past
// the session's end that follows the wait (see the tracker's `#holdsGoodbye`). An end that cuts
// the wait short (a close while the goodbye plays: the session's signal aborts, then the tracker
// ends, in `WebSocketTransport`'s `#finish`) is no such end: the goodbye stops there, "ended".
Deno.test("`PlaybackTracker.played` aborted by the session's end: a reported goodbye stops then, as ended", async () => {
  const clock = new FakeClock();
  const events: SpeakingEvent[] = [];
  const { tracker } = trackerWithAudioPlaying(clock, {
    playbackReports: true,
    dispatch: (event) => void events.push(event as SpeakingEvent),
  });
  tracker.wantEvents();
  const goodbye = {
    type: "audio" as const,
    audio: new Uint8Array(32_000),
    sampleRate: 16000,
    channels: 1,
    responseId: "goodbye",
  };
  tracker.chunkSent(goodbye, 1000, true, clock.now());
  tracker.drained(clock.now());
  tracker.acknowledge(playbackReportName({ type: "started" })); // Genesys's playback_started
  assert.deepEqual(events.map((e) => e.type), ["speakingstart"]);
  const session = new AbortController();
  const answer = tracker.played(session.signal);
  await clock.tick(500);
  session.abort();
  tracker.end();
  assert.deepEqual(await settledNow(answer), { value: false });
  assert.deepEqual(events.map((e) => `${e.type} ${e.reason ?? ""}`), [
    "speakingstart ",
    "speakingstop ended",
  ]);
  assert.equal(clock.pendingTimers, 0);
});

/** Counts `clock`'s reads from now on: `reads()` says how many so far. */
function countReads(clock: FakeClock): { reads: () => number } {
  let reads = 0;
  const now = clock.now.bind(clock);
  clock.now = () => {
    reads++;
    return now();
  };
  return { reads: () => reads };
}

// A read of the clock is a call out of JavaScript on a real runtime (`performance.now()`), and
// `transport.playback` may be read by hundreds of sessions every 100 ms (a `progress` event).
Deno.test("`PlaybackTracker.state` reads the clock once", () => {
  const clock = new FakeClock();
  const { tracker } = trackerWithAudioPlaying(clock);
  const clockReads = countReads(clock);
  tracker.state(0);
  assert.equal(clockReads.reads(), 1); // before: 2, the update's and the heard position's
});

Deno.test("`PlaybackTracker.interrupt` reads the clock once", () => {
  const clock = new FakeClock();
  const { tracker } = trackerWithAudioPlaying(clock);
  void tracker.played(new AbortController().signal); // a waiter: the interruption arms a timer
  const clockReads = countReads(clock);
  tracker.interrupt(0);
  assert.equal(clockReads.reads(), 1); // before: 3, the update's, the heard position's, the timer's
  tracker.end();
});
