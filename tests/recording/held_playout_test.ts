// The recorder told by the transport that the far end holds its playout (`playoutHeld`, as at
// Asterisk's PAUSE_MEDIA, docs.asterisk.org, Configuration → Channel Drivers → WebSocket,
// "Commands": the channel "will then start playing silence to the caller but keep the data you've
// already sent in the queue"), driven here by the observer calls themselves.
import assert from "node:assert/strict";
import { CallRecorder } from "../../src/recording/call_recorder.ts";
import { SampleRing } from "../../src/recording/_sample_ring.ts";
import { BotTrack } from "../../src/recording/_bot_track.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { collect, speech, toldChunk } from "./_call.ts";

const RATE = 16000;

/**
 * 1 s of the bot from t = 0 (20 ms chunks, told as they leave), the far end holding its playout
 * from 400 ms on for `pauseMs`, the caller's frames every 20 ms driving the write-out meanwhile;
 * then it plays on, and the rest plays from then (`playoutMoved`).
 */
async function heldReply(pauseMs: number, tellHold: boolean) {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: RATE, layout: "separate", holdMs: 500 });
  const bot = collect(recorder.bot);
  void collect(recorder.caller);
  const caller = speech(20, 3, "caller"); // the caller's frame (its responseId is not read)
  for (let position = 0; position < 1000; position += 20) {
    recorder.outboundAudio(speech(20, 0x11, "r1"), toldChunk(position, position));
  }
  await clock.tick(400);
  if (tellHold) recorder.playoutHeld({ at: clock.now(), held: true, position: 400 });
  for (let t = 0; t < pauseMs; t += 20) {
    await clock.tick(20);
    recorder.inboundAudio(caller, clock.now());
  }
  const at = clock.now();
  if (tellHold) recorder.playoutHeld({ at, held: false, position: 400 });
  recorder.playoutMoved({ at, position: 400, playsAt: at });
  for (let t = 0; t < 1500; t += 20) {
    await clock.tick(20);
    recorder.inboundAudio(caller, clock.now());
  }
  recorder.stop();
  const samples = new Int16Array((await bot).slice(44).buffer);
  /** Whether the bot is audible 10 ms into each 20 ms step from `from` to `to` (clock ms). */
  const loud = (from: number, to: number) => {
    const steps: boolean[] = [];
    for (let ms = from; ms < to; ms += 20) steps.push(samples[(ms + 10) * 16] !== 0);
    return steps;
  };
  return { loud, stats: recorder.stats, resumedAt: at };
}

Deno.test("`CallRecorder` told the far end holds its playout writes silence in the pause, and the held audio where it plays on", async () => {
  const { loud, stats, resumedAt } = await heldReply(3000, true);
  assert.ok(loud(0, 400).every(Boolean), "the reply before the pause");
  assert.ok(loud(400, resumedAt).every((l) => !l), "silence through the pause");
  assert.ok(loud(resumedAt, resumedAt + 600).every(Boolean), "the rest after it");
  assert.ok(loud(resumedAt + 600, resumedAt + 1400).every((l) => !l), "nothing after the reply");
  assert.equal(stats.lateMs, 0);
});

Deno.test("`CallRecorder` not told of a hold longer than holdMs writes the held audio inside the pause, counted late", async () => {
  // As before `playoutHeld` (an observer list without it): the move alone, at the pause's end.
  const { loud, stats, resumedAt } = await heldReply(3000, false);
  assert.ok(loud(400, 1000).every(Boolean), "written where the estimate had it");
  assert.ok(loud(resumedAt, resumedAt + 600).every((l) => !l), "and missing where it played");
  assert.equal(stats.lateMs, 600);
});

Deno.test("`CallRecorder` lets go of a hold told to end with nothing held: the next reply plays where told", async () => {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: RATE, layout: "separate", holdMs: 500 });
  const bot = collect(recorder.bot);
  recorder.playoutHeld({ at: 0, held: true, position: 0 });
  await clock.tick(1000);
  recorder.playoutHeld({ at: 1000, held: false, position: 0 });
  for (let position = 0; position < 400; position += 20) {
    recorder.outboundAudio(speech(20, 0x11, "r1"), toldChunk(position, 1000 + position));
  }
  await clock.tick(3000);
  recorder.inboundAudio(speech(20, 3, "caller"), clock.now());
  recorder.stop();
  const samples = new Int16Array((await bot).slice(44).buffer);
  assert.equal(samples[990 * 16], 0);
  assert.notEqual(samples[1010 * 16], 0);
  assert.notEqual(samples[1390 * 16], 0);
  assert.equal(samples[1410 * 16], 0);
  assert.equal(recorder.stats.lateMs, 0);
});

Deno.test("a bot track holds at most its bound of audio through an hour's hold, the rest counted late", () => {
  // The transport's hold bound passed, it sends on at the pace of play into the held queue: the
  // track must not hold an hour of it. 30 s held at most (CallRecorder's bound), the ring with it;
  // none of it written out in the pause either (the ring's room is never asked for: it throws).
  const perMs = RATE / 1000;
  const timeline = {
    sampleAt: (ms: number) => Math.round(ms * perMs),
    timeAt: (s: number) => s / perMs,
  };
  const holdMs = 1000;
  const maxHeldMs = 30_000;
  const ring = new SampleRing((holdMs + 2100) * perMs, (holdMs + 100 + 60_000) * perMs, () => {
    throw new Error("the held audio outgrew the ring's room ahead");
  });
  const track = new BotTrack(ring, RATE, timeline, holdMs, maxHeldMs);
  let loudWritten = 0;
  const commit = (now: number) => {
    const to = track.settle(timeline.sampleAt(now - holdMs));
    if (to <= ring.base) return;
    // The reply before the hold (to 400 ms) is written out by 1.4 s; after that, only silence.
    if (now > 1400 + 100 && !ring.silent(to - ring.base)) loudWritten++;
    ring.advance(to - ring.base);
  };
  let position = 0;
  const chunk = speech(20, 0x11, "r1");
  for (; position < 1000; position += 20) track.push(chunk, toldChunk(position, position));
  track.hold(400);
  let largest = 0;
  let longest = 0;
  for (let now = 20; now <= 3_600_000; now += 20) {
    // From 1 s into the pause on, a chunk every 20 ms, told as though the far end played it.
    if (now >= 1400) {
      track.push(chunk, toldChunk(position, now));
      position += 20;
    }
    commit(now);
    largest = Math.max(largest, ring.capacity);
    longest = Math.max(longest, ring.end - ring.base);
    if (now === 20_000) assert.equal(ring.end - ring.base > 18_000 * perMs, true, "held so far");
  }
  assert.equal(loudWritten, 0, "none of the held audio written out in the pause");
  // A power of two over 30 s plus the hold and a commit, at 16 kHz: 2^19 samples (1 MiB).
  assert.ok(largest <= 2 ** 19, `the ring grew to ${largest} samples`);
  // Never more than the bound (a chunk and a step past the write-out) ahead of the write-out.
  assert.ok(longest <= (maxHeldMs + holdMs + 1100) * perMs, `${longest / perMs} ms held`);
  // At the bound from some 30 s in (600 ms held as it began): the hour's other chunks are late.
  const sentMs = 3_600_000 - 1400 + 20;
  const lateMs = track.late / perMs;
  assert.ok(Math.abs(lateMs - (sentMs - (maxHeldMs - 600))) <= 40, `${lateMs} ms late`);
});
