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

Deno.test("`PlayoutTimeline.playedAt` reads the 32 spells before the current one once the ring has wrapped", async () => {
  const clock = new FakeClock();
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 20 });
  // 40 spells: spell k is position 20k..20k+20, playing at 100k..100k+20 (the far end runs dry
  // between them). The current one is spell 39; spells 7..38 are kept, 0..6 overwritten.
  for (let k = 0; k < 40; k++) {
    send(timeline, 20);
    if (k < 39) await clock.tick(100);
  }
  assert.equal(timeline.playedAt(3910), 790, "in the current spell");
  assert.equal(timeline.playedAt(3810), 770, "in the newest kept");
  assert.equal(timeline.playedAt(3850), 780, "between spells: the one before played whole");
  assert.equal(timeline.playedAt(710), 150, "in the oldest kept");
  assert.equal(timeline.playedAt(310), 140, "older than every kept spell: the oldest one's start");
});

Deno.test("`PlayoutTimeline.commit` places a chunk that left after its slot began where it plays", async () => {
  const clock = new FakeClock(1000);
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 20 });
  send(timeline, 20); // plays 1000..1020
  assert.equal(timeline.reserve(20), 0); // 1020..1040, due now (the lead)
  timeline.commit(clock.now()); // left in time: it stays in its slot
  assert.equal(timeline.playsAt(20), 1020);
  assert.equal(timeline.reserve(20), 20); // 1040..1060, due at 1020
  await clock.tick(100); // its timer fires late (a stall): the far end ran dry at 1040
  timeline.commit(clock.now());
  assert.equal(timeline.playsAt(40), 1100, "it plays as it arrives");
  assert.equal(timeline.lastDeadline, 1100);
  assert.equal(timeline.playedAt(1100), 40, "all before it had played, none of it");
  assert.equal(timeline.playedAt(1050), 40);
  assert.equal(timeline.reserve(20), 0, "the next is paced from it: the lead");
  timeline.commit(clock.now());
  assert.equal(timeline.playsAt(60), 1120);
  assert.equal(timeline.reserve(20), 20);
});

Deno.test("`PlayoutTimeline.replaceFrom` paces what follows a chunk that left late after it, where it plays", async () => {
  const clock = new FakeClock(1000);
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 20 });
  send(timeline, 20); // plays 1000..1020, then a listener works 300 ms before the turn ends
  await clock.tick(300);
  assert.equal(timeline.replaceFrom(0, clock.now()), 0);
  assert.equal(timeline.playsAt(0), 1300, "it plays as it arrives, after the work");
  assert.equal(send(timeline, 20), 0, "the next is the lead: it leaves now");
  assert.equal(timeline.playsAt(20), 1320, "after the first, which plays from 1300");
  assert.equal(timeline.playedAt(1310), 10);
  assert.equal(timeline.playedAt(1330), 30);
  assert.equal(send(timeline, 20), 20);
  assert.ok(Number.isNaN(timeline.replaceFrom(40, clock.now())), "in time: nothing moves");
  assert.equal(send(timeline, 20), 40);
  assert.equal(timeline.playsAt(60), 1360);
});

Deno.test("`PlayoutTimeline.commit` keeps the schedule for a chunk late by less than its slot", async () => {
  const clock = new FakeClock(1000);
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 0 });
  send(timeline, 20); // plays 1000..1020
  assert.equal(timeline.reserve(20), 20); // 1020..1040, due at 1020
  await clock.tick(23); // its timer fired 3 ms late: the far end ran dry for 3 ms
  timeline.commit(clock.now());
  assert.equal(timeline.playsAt(20), 1023, "it plays as it arrives");
  assert.equal(timeline.reserve(20), 17, "the next keeps its deadline: no drift");
  await clock.tick(17);
  timeline.commit(clock.now());
  assert.equal(timeline.playsAt(40), 1043, "it plays after the late one");
  assert.equal(timeline.playedAt(1043), 40);
});

Deno.test("`PlayoutTimeline.replaceFrom` places everything a late turn sent where it plays", async () => {
  const clock = new FakeClock(1000);
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 40 });
  send(timeline, 20); // an earlier turn: plays 1000..1020
  await clock.tick(10);
  send(timeline, 20); // this turn sends two (the lead), then a listener works 300 ms
  send(timeline, 20);
  await clock.tick(300);
  assert.equal(timeline.replaceFrom(20, clock.now()), 20);
  assert.equal(timeline.playsAt(20), 1310, "the turn's first chunk plays as it arrives");
  assert.equal(timeline.playsAt(40), 1330, "and the next one after it");
  assert.equal(timeline.playedAt(1015), 15, "the earlier turn's chunk keeps its place");
  assert.equal(timeline.playedAt(1200), 20, "nothing of the late turn's audio before it left");
  assert.equal(timeline.playedAt(1340), 50);
  assert.equal(send(timeline, 20), 0, "the next is within the lead of the new spell");
  assert.equal(timeline.playsAt(60), 1350, "it goes on with the spell");
  assert.ok(Number.isNaN(timeline.replaceFrom(60, clock.now())), "in time: nothing moves");
  timeline.cut();
  assert.ok(Number.isNaN(timeline.replaceFrom(60, clock.now() + 500)), "cut: nothing plays");
});

Deno.test("`PlayoutTimeline.cutBehind` drops what was sent, and keeps the chunk reserved behind the clear, placed as it leaves", async () => {
  const clock = new FakeClock();
  const timeline = new PlayoutTimeline({ clock, sendAheadMs: 20 });
  for (let i = 0; i < 5; i++) send(timeline, 20);
  assert.ok(timeline.reserve(20) > 0, "the next chunk waits for its slot");
  await clock.tick(30);
  timeline.cutBehind(clock.now()); // the far end dropped 30..100 now
  assert.equal(timeline.unplayedMs, 0);
  assert.equal(timeline.playedAt(clock.now()), 100);
  await clock.tick(10);
  timeline.commit(clock.now()); // it leaves at 40: `cut` lost it (its commit added nothing)
  assert.equal(timeline.sentMs, 120);
  assert.equal(timeline.playsAt(100), 40, "it plays as it leaves");
  assert.equal(timeline.playedAt(50), 110);
});
