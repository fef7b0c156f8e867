import assert from "node:assert/strict";
import { PlayoutTimeline } from "../src/_playout_timeline.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";

function send(timeline: PlayoutTimeline, ms: number): number {
  const wait = timeline.reserve(ms);
  timeline.commit();
  return wait;
}

Deno.test("`PlayoutTimeline` places chunks back to back from the first one's arrival", async () => {
  const clock = new FakeClock(1000);
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 20 });
  assert.deepEqual([send(timeline, 20), send(timeline, 20), send(timeline, 20)], [0, 0, 20]);
  assert.equal(timeline.sentMs, 60);
  assert.equal(timeline.playedAt(1000), 0);
  assert.equal(timeline.playedAt(1030), 30);
  assert.equal(timeline.playedAt(2000), 60, "no further than was sent");
  assert.equal(timeline.playsAt(40), 1040);
  await clock.tick(25);
  assert.equal(timeline.unplayedMs, 35);
});

Deno.test("`PlayoutTimeline` starts a new spell after the far end ran dry", async () => {
  const clock = new FakeClock();
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 20 });
  send(timeline, 40);
  await clock.tick(500);
  assert.equal(timeline.unplayedMs, 0);
  send(timeline, 20);
  assert.equal(timeline.playsAt(40), 500, "position 40 plays when it arrives, not at 40");
  assert.equal(timeline.playedAt(510), 50);
});

Deno.test("`PlayoutTimeline.cut` drops what was sent but not played", async () => {
  const clock = new FakeClock();
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 1000 });
  for (let i = 0; i < 10; i++) send(timeline, 100);
  await clock.tick(250);
  assert.equal(timeline.unplayedMs, 750);
  timeline.cut();
  assert.equal(timeline.unplayedMs, 0);
  assert.equal(send(timeline, 100), 0, "the next chunk leaves at once");
  assert.equal(timeline.playedAt(clock.now() + 50), 1050);
});

Deno.test("`PlayoutTimeline` leaves a reserved chunk off the timeline until it is committed", () => {
  const timeline = new PlayoutTimeline({ clock: new FakeClock(), sendAheadMs: 0 });
  send(timeline, 20);
  timeline.reserve(20);
  assert.equal(timeline.sentMs, 20);
  timeline.cut();
  send(timeline, 20);
  assert.equal(timeline.sentMs, 40);
});

Deno.test("`PlayoutTimeline.playedAt` before a new spell began reads the spells playing then", async () => {
  const clock = new FakeClock();
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 20 });
  send(timeline, 40); // plays 0..40
  await clock.tick(100);
  send(timeline, 20); // plays 100..120
  await clock.tick(100);
  send(timeline, 20); // plays 200..220
  assert.equal(timeline.playedAt(20), 20, "the first spell was half played at 20");
  assert.equal(timeline.playedAt(50), 40);
  assert.equal(timeline.playedAt(110), 50);
  assert.equal(timeline.playedAt(150), 60);
  assert.equal(timeline.playedAt(210), 70);
  timeline.cut(); // the far end dropped what it held: nothing sent before is still to play
  send(timeline, 20);
  assert.equal(timeline.playedAt(150), 80);
  assert.equal(timeline.playedAt(clock.now() + 10), 90);
});
