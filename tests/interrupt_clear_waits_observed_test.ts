// What the observers (a `CallRecorder`: README, "Recording as heard") and the speaking events are
// told of an interruption whose clear cannot leave at once: an urgent message taken before it is
// answered later by its serializer, or the serializer answers the clear itself later (README,
// "What the caller heard": "`heardMs` counts what the far end played meanwhile"). The far end plays
// on what it was sent until the clear reaches it, so the recording keeps what it played meanwhile,
// and a clear answered with no message is no clear: all that left plays on, as for raw PCM.
// A reply written after the interruption leaves only behind the clear: it begins then.
//
// The far end here speaks no platform's protocol: a message is its JSON, a clear
// `{"event":"clear"}`, audio raw PCM (RawPcmSerializer); `MemorySocket.sent` is the wire's order.
// It plays what it is sent as it comes, back to back (the estimate's model: no acknowledgements).
import assert from "node:assert/strict";
import { CallRecorder, type SpeakingEvent } from "../mod.ts";
import { BYTES_PER_MS, reply, SAMPLE_RATE, urgentWireSession } from "./_urgent_wire_session.ts";
import { collect } from "./recording/_call.ts";
import { count, parseWav } from "./recording/_wav.ts";
import { handAnsweredPcm } from "./_hand_answered_pcm.ts";

const PER_MS = SAMPLE_RATE / 1000; // the recording's samples per ms (it records at 16 kHz)
const R1 = 0x0101; // the sample a byte 1 of 16-bit PCM makes: the interrupted reply's
const R2 = 0x0202; // the next reply's

/**
 * A session 400 ms ahead of playing, recorded (the bot's side alone), whose observer calls and
 * speaking events are logged as `what@ms since the reply began`; a 2 s reply r1 300 ms in.
 * Without `slowClear`, urgent message A, answered later, is taken then, and 40 ms on the next
 * chunk's send waits behind it.
 */
async function interruptedSession(slowClear: boolean) {
  const slow = handAnsweredPcm({ everyMessage: true, clear: slowClear });
  const s = await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 });
  const recorder = new CallRecorder({ layout: "separate" });
  s.transport.observe(recorder);
  const bot = collect(recorder.bot);
  const t0 = s.clock.now();
  const log: string[] = [];
  const at = () => s.clock.now() - t0;
  s.transport.observe({
    interrupted: (info) => log.push(`interrupted@${at()} heard ${info.heardPosition}`),
    outboundDropped: (info) => log.push(`dropped@${at()} from ${info.position}`),
    closed: () => log.push(`closed@${at()}`),
  });
  for (const type of ["speakingstart", "speakingstop"]) {
    s.transport.addEventListener(type, (event) => {
      const { responseId, heardMs } = event as SpeakingEvent;
      log.push(`${type} ${responseId}@${at()} heard ${heardMs}`);
    });
  }
  s.transport.send(reply(2000, "r1", 1));
  await s.clock.tick(300);
  if (!slowClear) s.transport.send({ type: "message", message: { name: "A" }, urgent: true });
  await s.clock.tick(40);
  /** The bot's side as recorded: the samples of r1, then of r2, in ms. */
  const recorded = async () => {
    const { samples } = parseWav(await bot);
    return { r1: count(samples[0]!, R1) / PER_MS, r2: count(samples[0]!, R2) / PER_MS };
  };
  return { ...s, ...slow, log, recorded, bot };
}

Deno.test("an interruption whose clear waits behind an urgent message answered later is told to the observers once the clear left, at what was heard then: the recording keeps what the far end played meanwhile", async () => {
  const s = await interruptedSession(false);
  const interrupted = s.transport.interrupt();
  await s.clock.tick(100);
  s.answer("A");
  await s.clock.tick(0);
  assert.equal((await interrupted).heardMs, 440);
  assert.deepEqual(s.wire(), ["audio1", "A", "clear"]);
  await s.clock.tick(500);
  await s.transport.close();
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@340 heard 340", // at the interruption, as the README says
    // 100 ms more played before the clear reached the far end; the chunk behind A never left.
    "interrupted@440 heard 440",
    "dropped@440 from 720",
    "closed@940",
  ]);
  assert.deepEqual(await s.recorded(), { r1: 440, r2: 0 });
});

Deno.test("an interruption whose clear is answered later with no message tells the observers what a far end with no clear hears: all that left plays on, recorded, and the next reply after it", async () => {
  const s = await interruptedSession(true);
  const left = s.audioBytes(1) / BYTES_PER_MS; // 400 ms ahead of playing, and the next chunk
  assert.equal(left, 760);
  const interrupted = s.transport.interrupt();
  s.transport.send(reply(300, "r2", 2));
  await s.clock.tick(100);
  s.answer("clear", null);
  await s.clock.tick(0);
  assert.equal((await interrupted).heardMs, left);
  await s.clock.tick(2000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "audio2"], "no clear left");
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@340 heard 340",
    `interrupted@440 heard ${left}`,
    // r2 waited behind the clear's answer; it plays after all of r1 that left.
    `speakingstart r2@${left} heard 0`,
    `speakingstop r2@${left + 300} heard 300`,
    "closed@2440",
  ]);
  assert.deepEqual(await s.recorded(), { r1: left, r2: 300 });
});

Deno.test("a reply written while the interruption's clear waits for its own answer begins once the clear has left, not at the interruption, and is recorded whole after what the far end played meanwhile", async () => {
  const s = await interruptedSession(true);
  const interrupted = s.transport.interrupt();
  s.transport.send(reply(300, "r2", 2));
  await s.clock.tick(100);
  assert.equal(s.log.length, 2, "r2 has not begun: its audio waits behind the clear");
  s.answer("clear");
  await s.clock.tick(0);
  assert.equal((await interrupted).heardMs, 440);
  await s.clock.tick(1000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "clear", "audio2"]);
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@340 heard 340",
    "speakingstart r2@440 heard 0",
    "interrupted@440 heard 440",
    "speakingstop r2@840 heard 300", // its end settles the quiet time (400 ms) after it left
    "closed@1440",
  ]);
  assert.deepEqual(await s.recorded(), { r1: 440, r2: 300 });
});

Deno.test("an interruption whose clear still waits as the session closes is told to the observers before the close, at what the far end played until then", async () => {
  const s = await interruptedSession(false);
  const interrupted = s.transport.interrupt();
  await s.clock.tick(100);
  const closed = s.transport.close();
  await s.clock.tick(0);
  assert.equal((await interrupted).heardMs, 440);
  await closed;
  assert.deepEqual(s.wire(), ["audio1"], "neither A nor the clear left");
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@340 heard 340",
    "interrupted@440 heard 440",
    "dropped@440 from 720",
    "closed@440",
  ]);
  assert.deepEqual(await s.recorded(), { r1: 440, r2: 0 });
});

Deno.test("a second interruption while the first one's clear waits answers that none of the reply between them was heard: it never left, and never began", async () => {
  const s = await interruptedSession(true);
  const first = s.transport.interrupt();
  s.transport.send(reply(300, "r2", 2));
  await s.clock.tick(50);
  const second = s.transport.interrupt(); // its clear waits behind the first
  s.transport.send(reply(300, "r3", 3));
  await s.clock.tick(50);
  s.answer("clear"); // the first's
  await s.clock.tick(0);
  assert.equal((await first).heardMs, 440);
  await s.clock.tick(50);
  s.answer("clear"); // the second's
  await s.clock.tick(0);
  assert.deepEqual(await second, {
    responseId: "r2",
    heardMs: 0,
    droppedMs: 300,
    acknowledged: false,
  });
  await s.clock.tick(1000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "clear", "clear", "audio3"]);
  assert.ok(!s.log.some((line) => line.includes("r2")), "r2 never began");
  const { samples } = parseWav(await s.bot);
  assert.equal(count(samples[0]!, R1) / PER_MS, 440);
  assert.equal(count(samples[0]!, R2), 0);
  assert.equal(count(samples[0]!, 0x0303) / PER_MS, 300);
});

// A second interruption made just as the first one's clear leaves: its own clear leaves at once
// (the urgent line has drained), but the observers have not been told of the first yet (its fate
// is told a few microtasks on). They hear of the first one first, and its dropped audio, then of
// the second (`SessionObserver.interrupted`: what is told after the interruption meanwhile is told
// after it, in order). Made at each microtask from the first's answer on, so the test does not
// rest on how many the sender takes.
Deno.test("a second interruption whose clear leaves at once, before the first waiting one's fate is told, is told to the observers after the first, and after what the first dropped", async () => {
  for (let microtasks = 0; microtasks < 8; microtasks++) {
    const s = await interruptedSession(false);
    const first = s.transport.interrupt();
    await s.clock.tick(100);
    s.answer("A"); // the first's clear leaves behind A
    for (let i = 0; i < microtasks; i++) await Promise.resolve();
    const second = s.transport.interrupt();
    await s.clock.tick(0);
    assert.equal((await first).heardMs, 440, `${microtasks}`);
    await second;
    await s.clock.tick(500);
    await s.transport.close();
    assert.deepEqual(s.wire(), ["audio1", "A", "clear", "clear"], `${microtasks}`);
    const told = s.log.filter((line) =>
      line.startsWith("interrupted") || line.startsWith("dropped")
    );
    assert.equal(told.length, 3, `${microtasks}: ${told}`);
    assert.deepEqual(
      told.slice(0, 2),
      ["interrupted@440 heard 440", "dropped@440 from 720"],
      `${microtasks}: ${told}`,
    );
    assert.match(told[2]!, /^interrupted@440 /, `${microtasks}: ${told}`);
    assert.deepEqual(await s.recorded(), { r1: 440, r2: 0 }, `${microtasks}`);
  }
});
