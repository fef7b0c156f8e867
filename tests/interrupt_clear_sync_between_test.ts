// A second interruption whose clear leaves at once (`OutboundPath.interruptFarEnd`: the urgent
// line has drained, so `OutboundSender.sendClear` answers now, a synchronous cut) made between a
// first interruption's cut, whose clear waited, and that clear's fate: the first's answer has come
// (no message: "none"), the line drained with it, but its fate is told a few microtasks on. Made at
// each microtask from the first's answer on, so the test does not rest on how many the sender
// takes; at least one of them falls in that window (the second clear left at once, the first's
// fate not yet taken: the second's cut finds nothing the first stopped).
//
// README, "What the caller heard": "a clear answered later with no message is no clear: what was
// sent plays on ... and a reply sent before the interruption but not yet playing plays too". Two
// second interruptions:
//
// - Its clear is sent: the far end drops all it holds then. The reply sent behind it plays at
//   once, as it leaves. Before, the first clear's "none", taken after, placed the far end as
//   playing on what it was sent before the first cut: the reply began ("speakingstart") 260 ms
//   late, and was recorded so.
// - The serializer has no clear for it (null at once): nothing was cleared by either, and the
//   reply the first cut stopped unseen plays. Before, the second cut was taken as one that cut it
//   again and would decide its fate: it played with no event at all.
//
// And, with both clears waiting, the first proving none and the second sent: the reply not begun
// at the cuts is cleared by the second, never begins (the "was this the last cut" check).
//
// The far end speaks no platform's protocol: a message is its JSON, a clear `{"event":"clear"}`,
// audio raw PCM (RawPcmSerializer), played back to back as it comes (the estimate's model).
import assert from "node:assert/strict";
import {
  CallRecorder,
  type Frame,
  type FrameSerializer,
  type InterruptResult,
  RawPcmSerializer,
  type WebSocketTransport,
} from "../mod.ts";
import type { FakeClock } from "../src/testing/mod.ts";
import { reply, SAMPLE_RATE, speakingLog, urgentWireSession } from "./_urgent_wire_session.ts";
import { collect } from "./recording/_call.ts";
import { parseWav, runs, sampleOf } from "./recording/_wav.ts";

const CLEAR = JSON.stringify({ event: "clear" });
const PER_MS = SAMPLE_RATE / 1000; // the recording's samples per ms (it records at 16 kHz)

/**
 * Raw PCM whose interruptions are answered in turn: the first `waiting` later
 * (`answer(message)`: the oldest still waiting, `null` for no message), those after with `atOnce`
 * as they are taken (a clear's message, or `null`: none).
 */
function clearsAnswered(waiting: number, atOnce: string | null) {
  const pcm = new RawPcmSerializer();
  const due: ((message: string | null) => void)[] = [];
  let taken = 0;
  const serializer: FrameSerializer = {
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "interruption") return pcm.serialize(frame);
      if (taken++ >= waiting) return atOnce;
      return new Promise<string | null>((resolve) => due.push(resolve));
    },
  };
  return { serializer, answer: (message: string | null) => due.shift()!(message) };
}

/**
 * Watches `transport` from now on: speaking events and observed interruptions logged as
 * `what@ms since now`, and the bot's side recorded (`placed()`: each reply's run of samples in
 * the recording, by fill byte, as `value@ms+ms`).
 */
function watched(transport: WebSocketTransport, clock: FakeClock) {
  const recorder = new CallRecorder({ layout: "separate" });
  transport.observe(recorder);
  const bot = collect(recorder.bot);
  const { log } = speakingLog(transport, clock);
  const placed = async () => {
    const { samples } = parseWav(await bot);
    const byValue = new Map([1, 2, 3].map((value) => [sampleOf(value), value]));
    return runs(samples[0]!)
      .filter((run) => byValue.has(run.value))
      .map((run) => `${byValue.get(run.value)}@${run.start / PER_MS}+${run.length / PER_MS}`);
  };
  return { log, placed };
}

/**
 * r1 and r2, 200 ms each, written at once (both leave at once: 400 ms ahead); interrupted 100 ms
 * in, its clear waiting, answered with no message at 140; `microtasks` later, interrupted again,
 * its clear answered at once with `second`; then, where `r3`, a third reply of 200 ms written.
 */
async function secondBetweenCutAndFate(second: string | null, microtasks: number, r3: boolean) {
  const later = clearsAnswered(1, second);
  const s = await urgentWireSession(later.serializer, 5000, { sendAheadMs: 400 });
  const w = watched(s.transport, s.clock);
  s.transport.send(reply(200, "r1", 1));
  s.transport.send(reply(200, "r2", 2));
  await s.clock.tick(100);
  const first = s.transport.interrupt();
  await s.clock.tick(40);
  later.answer(null); // no clear: what left plays on, as far as the first one goes
  for (let i = 0; i < microtasks; i++) await Promise.resolve();
  const sentBefore = s.pair.server.sent.length;
  const secondResult = s.transport.interrupt();
  // Its clear left at once: a synchronous cut (with none, nothing to see on the wire; the
  // serializer answered at once all the same).
  const atOnce = s.pair.server.sent.length > sentBefore;
  if (r3) s.transport.send(reply(200, "r3", 3));
  await s.clock.tick(0);
  const results: InterruptResult[] = [await first, await secondResult];
  await s.clock.tick(1000);
  await s.transport.close();
  return { ...s, ...w, results, atOnce };
}

Deno.test("a reply written behind a clear that left at once, between an earlier clear's cut and its 'none', begins as it leaves, not behind what the earlier one left playing", async () => {
  let inTheWindow = 0;
  for (let microtasks = 0; microtasks < 8; microtasks++) {
    const s = await secondBetweenCutAndFate(CLEAR, microtasks, true);
    const at = `${microtasks} microtasks`;
    // The second cut found nothing the first had stopped: the first's fate not yet taken.
    if (s.atOnce && s.results[1]!.responseId === undefined) inTheWindow++;
    assert.deepEqual(s.wire(), ["audio1", "audio2", "clear", "audio3"], at);
    assert.deepEqual(s.results[0], {
      responseId: "r1",
      heardMs: 200,
      droppedMs: 0,
      acknowledged: false,
    }, at);
    // The far end dropped r2 at the clear (140), and played r3 from then on.
    assert.deepEqual(s.log.filter((line) => !line.startsWith("interrupted")), [
      "speakingstart r1@0 heard 0",
      "speakingstop r1@100 heard 100 interrupted",
      "speakingstart r3@140 heard 0", // before, in the window: "@400"
      "speakingstop r3@540 heard 200 played", // over the quiet time after it ran dry, at 340
    ], at);
    // All of r3 recorded, in one run. (Where: behind all of r1 and r2, at 400, as the observers
    // are told the first interruption heard all that left and the second's cut erases nothing:
    // a fault of the observers' positions with both clears waiting too, see the w6 report.)
    const r3 = (await s.placed()).filter((run) => run.startsWith("3@"));
    assert.equal(r3.length, 1, at);
    assert.match(r3[0]!, /\+200$/, at);
  }
  assert.ok(inTheWindow > 0, "no second clear left at once before the first's fate was taken");
});

Deno.test("a reply not yet begun at a waiting clear's cut, where a second interruption with no clear comes before that clear's 'none', begins as it plays and stops once played", async () => {
  let inTheWindow = 0;
  for (let microtasks = 0; microtasks < 8; microtasks++) {
    const s = await secondBetweenCutAndFate(null, microtasks, false);
    const at = `${microtasks} microtasks`;
    if (microtasks > 0 && s.results[1]!.responseId === undefined) inTheWindow++;
    assert.deepEqual(s.wire(), ["audio1", "audio2"], `${at}: no clear left, all of it plays`);
    // r2 played from 200 to 400. Once the first's fate is taken, the second cut (no clear: all
    // that left plays) begins and stops it itself, heard whole; before, in the window, nothing.
    const r2 = s.log.filter((line) => line.includes(" r2@"));
    const told = [
      ["speakingstart r2@200 heard 0", "speakingstop r2@400 heard 200 played"],
      ["speakingstart r2@140 heard 0", "speakingstop r2@140 heard 200 interrupted"],
    ];
    assert.ok(told.some((lines) => JSON.stringify(lines) === JSON.stringify(r2)), `${at}: ${r2}`);
    assert.deepEqual(await s.placed(), ["1@0+200", "2@200+200"], at);
  }
  assert.ok(inTheWindow > 0, "no second cut came before the first's fate was taken");
});

Deno.test("a reply not yet begun at two waiting clears' cuts, the first proving none, the second sent, never begins", async () => {
  const later = clearsAnswered(2, null);
  const s = await urgentWireSession(later.serializer, 5000, { sendAheadMs: 400 });
  const w = watched(s.transport, s.clock);
  s.transport.send(reply(200, "r1", 1));
  s.transport.send(reply(200, "r2", 2));
  await s.clock.tick(100);
  const first = s.transport.interrupt();
  await s.clock.tick(20);
  const second = s.transport.interrupt();
  await s.clock.tick(40);
  later.answer(null); // the first: no clear, all it left plays on, r2 too, as far as it goes
  await s.clock.tick(10);
  later.answer(CLEAR); // the second: the far end drops all it had at 170, r2 with it
  await s.clock.tick(0);
  assert.deepEqual(await first, {
    responseId: "r1",
    heardMs: 200,
    droppedMs: 0,
    acknowledged: false,
  });
  await second;
  await s.clock.tick(1000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "audio2", "clear"]);
  assert.deepEqual(w.log.filter((line) => line.includes(" r2@")), [], "r2 was cleared unheard");
});

// The same two waiting clears, and a reply written at 200, after both fates. The first's "none"
// (160) placed the far end as playing on to 400; the second's clear, sent at 170, dropped all it
// held then. Before, with nothing sent since the second cut, that "sent" moved nothing: the reply
// began at 400 though it played from 200, and the second interruption, its heard position read
// at its cut on the timeline the first cut had left dry (= all that left), told the observers
// 400: the recorder kept r2 (`2@200+200`), cleared unplayed.
Deno.test("a reply written after two waiting clears, the first proving none, the second sent, begins as it leaves, and the second's heard position is where the clear found the far end", async () => {
  const later = clearsAnswered(2, null);
  const s = await urgentWireSession(later.serializer, 5000, { sendAheadMs: 400 });
  const w = watched(s.transport, s.clock);
  s.transport.send(reply(200, "r1", 1));
  s.transport.send(reply(200, "r2", 2));
  await s.clock.tick(100);
  const first = s.transport.interrupt();
  await s.clock.tick(20);
  const second = s.transport.interrupt();
  await s.clock.tick(40);
  later.answer(null); // the first: no clear, what it left plays on
  await s.clock.tick(10);
  later.answer(CLEAR); // the second: the far end drops all it had at 170
  await s.clock.tick(30);
  s.transport.send(reply(200, "r3", 3)); // at 200: plays as it leaves
  await s.clock.tick(0);
  const results = [await first, await second];
  await s.clock.tick(1000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "audio2", "clear", "audio3"]);
  assert.deepEqual(results, [
    { responseId: "r1", heardMs: 200, droppedMs: 0, acknowledged: false },
    { responseId: undefined, heardMs: 0, droppedMs: 0, acknowledged: false },
  ]);
  assert.deepEqual(w.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@100 heard 100 interrupted",
    "interrupted@160 heard 400", // none: all that left plays on, as far as it goes
    "interrupted@170 heard 170", // before: 400
    "speakingstart r3@200 heard 0", // before: "@400"
    "speakingstop r3@600 heard 200 played", // over the quiet time after it ran dry, at 400
  ]);
  // Recorded as heard: r1 until the second clear found the far end at 170 (the first's "none"
  // erased nothing, and left r1 and r2 for a later cut to reach), r2 not at all, r3 from 200.
  // Before, that first cut let go of r1 and r2 and put the floor at 400: the second erased
  // nothing, r2 was kept whole, and r3 went after it ("1@0+200", "2@200+200", "3@400+200").
  assert.deepEqual(await w.placed(), ["1@0+170", "3@200+200"]);
});
