// What the speaking events and the observers (a `CallRecorder`, a `SessionMetrics`) are told where
// an interruption's clear waits and proves to be none (README, "What the caller heard": "a clear
// answered later with no message is no clear: what was sent plays on"), of a reply sent whole but
// not yet begun as the interruption came: the far end had nothing cleared, and plays it after the
// reply interrupted. It is told so: "speakingstart" as it begins, "speakingstop" once played. The
// cut had stopped it unseen, as a clear drops it, and nothing brought it back: it played with no
// event, and a turn of the caller's it answered went unmeasured. Where the clear is sent before
// it plays, it never begins.
//
// Two far ends. One speaks no platform's protocol: a message is its JSON, a clear
// `{"event":"clear"}`, audio raw PCM (RawPcmSerializer), played back to back as it comes (the
// estimate's model: no acknowledgements). The other answers marks: FakeFarEnd
// (tests/_fake_far_end.ts), Twilio's rule, a mark comes back "when the media sent before it has
// been played" (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message"), its
// serializer answering the interruption later (a remote encoder, a worker).
import assert from "node:assert/strict";
import {
  CallRecorder,
  type Frame,
  type FrameSerializer,
  RawPcmSerializer,
  SessionMetrics,
  type WebSocketTransport,
} from "../mod.ts";
import type { FakeClock } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";
import { laterClears } from "./_later_clears.ts";
import {
  BYTES_PER_MS,
  reply,
  SAMPLE_RATE,
  speakingLog,
  urgentWireSession,
} from "./_urgent_wire_session.ts";
import { collect } from "./recording/_call.ts";
import { count, parseWav } from "./recording/_wav.ts";

const PER_MS = SAMPLE_RATE / 1000; // the recording's samples per ms (it records at 16 kHz)
const SAMPLE = [0, 0x0101, 0x0202]; // the sample a byte `n` of 16-bit PCM makes

/**
 * Raw PCM whose clear is answered only once `answer()` is called: with its message, or with
 * `answer(null)` none.
 */
function slowSerializer() {
  const pcm = new RawPcmSerializer();
  let answer: (answer?: null) => void = () => {};
  const serializer: FrameSerializer = {
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "interruption") return pcm.serialize(frame);
      const clear = JSON.stringify({ event: "clear" });
      return new Promise<string | null>((resolve) =>
        answer = (none?: null) => resolve(none === undefined ? clear : none)
      );
    },
  };
  return { serializer, answer: (none?: null) => answer(none) };
}

/**
 * Watches `transport` on `clock` from now on: its observer calls and speaking events logged as
 * `what@ms since now`, a recorder of the bot's side (`recorded()`: the ms of each reply's samples,
 * by fill byte), and its `SessionMetrics`.
 */
function watched(transport: WebSocketTransport, clock: FakeClock) {
  const recorder = new CallRecorder({ layout: "separate" });
  transport.observe(recorder);
  const bot = collect(recorder.bot);
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  const { log, at } = speakingLog(transport, clock, (log, at) => ({
    outboundDropped: (info) => log.push(`dropped@${at()} from ${info.position}`),
  }));
  const recorded = async (...values: number[]) => {
    const { samples } = parseWav(await bot);
    return values.map((value) => count(samples[0]!, SAMPLE[value]!) / PER_MS);
  };
  return { log, metrics, recorded, at };
}

/** An open raw PCM session on {@linkcode slowSerializer}, 400 ms ahead of playing, watched. */
async function slowSession() {
  const slow = slowSerializer();
  const s = await urgentWireSession(slow.serializer, 5000, { sendAheadMs: 400 });
  return { ...s, ...slow, ...watched(s.transport, s.clock) };
}

/**
 * r1 and r2, 200 ms each, written at once (both leave at once: 400 ms ahead), a raw PCM far end;
 * interrupted 100 ms in, the caller's turn ending 60 ms on, the clear answered after `answerMs`:
 * `fate` "none" (no message), or "sent".
 */
async function replyQueuedAtTheCut(fate: "none" | "sent", answerMs: number) {
  const s = await slowSession();
  s.transport.send(reply(200, "r1", 1));
  s.transport.send(reply(200, "r2", 2));
  await s.clock.tick(100);
  const interrupted = s.transport.interrupt();
  await s.clock.tick(60);
  s.metrics.callerTurnEnded();
  await s.clock.tick(answerMs - 60);
  s.answer(fate === "none" ? null : undefined);
  await s.clock.tick(0);
  await interrupted;
  await s.clock.tick(1000);
  const { turnLatency } = s.metrics.snapshot();
  await s.transport.close();
  return { ...s, turnLatency };
}

Deno.test("a reply not yet begun as the interruption came, whose clear proves to be none, begins as it plays after the one interrupted, and stops once played", async () => {
  const s = await replyQueuedAtTheCut("none", 80);
  assert.deepEqual(s.wire(), ["audio1", "audio2"], "no clear left: all of it plays");
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@100 heard 100 interrupted", // at the interruption, as the README says
    "interrupted@180 heard 400",
    // Before: nothing of r2, which played from 200 to 400.
    "speakingstart r2@200 heard 0",
    "speakingstop r2@400 heard 200 played",
  ]);
  // The caller's turn (ended at 160) was answered by r2, audible from 200 on.
  assert.equal(s.turnLatency.count, 1, "before: no turn answered");
  assert.equal(s.turnLatency.last, 40);
  assert.deepEqual(await s.recorded(1, 2), [200, 200]);
});

Deno.test("a reply not yet begun as the interruption came, whose clear proves to be none only once it plays, begins then, what it played meanwhile heard", async () => {
  const s = await replyQueuedAtTheCut("none", 150);
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@100 heard 100 interrupted",
    "speakingstart r2@250 heard 50", // told before the interruption is: the fate is known first
    "interrupted@250 heard 400",
    "speakingstop r2@400 heard 200 played",
  ]);
  assert.equal(s.turnLatency.count, 1);
  assert.deepEqual(await s.recorded(1, 2), [200, 200]);
});

Deno.test("a reply not yet begun as the interruption came, whose clear is sent before it plays, never begins", async () => {
  const s = await replyQueuedAtTheCut("sent", 80);
  assert.deepEqual(s.wire(), ["audio1", "audio2", "clear"]);
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@100 heard 100 interrupted",
    "interrupted@180 heard 180",
  ]);
  assert.equal(s.turnLatency.count, 0, "nothing answered the caller's turn");
  assert.deepEqual(await s.recorded(1, 2), [180, 0]);
});

Deno.test("on a far end answering marks, a reply not yet begun as the interruption came, whose clear proves to be none, begins as the far end plays it, and stops as it has played it", async () => {
  const later = laterClears(new MarkingSerializer());
  const { clock, pair, transport } = await urgentWireSession(later.serializer, 5000, {
    sendAheadMs: 400,
    playoutDelayMs: 60,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 60, bytesPerMs: BYTES_PER_MS });
  const s = watched(transport, clock);
  transport.send(reply(300, "r1", 1));
  transport.send(reply(200, "r2", 2));
  await clock.tick(200);
  const interrupted = transport.interrupt();
  await clock.tick(50);
  later.answer(null); // no clear: the far end plays all it was sent
  await clock.tick(0);
  assert.equal((await interrupted).heardMs, 300, "all of r1 that left plays");
  await clock.tick(1000);
  await transport.close();
  // The far end played r2 from 360 to 560 (its 60 ms buffer behind all of r1).
  const r2 = farEnd.played.filter((span) => span.value === 2);
  const r2From = r2[0]!.at - 1000;
  const r2To = r2.at(-1)!.at + r2.at(-1)!.ms - 1000;
  assert.deepEqual([r2From, r2To], [360, 560]);
  // Before: nothing of r2. Begun, but with the cut's taking all that was sent for acknowledged
  // kept, it read heard whole as it began ("heard 200"), and played out at 480.
  assert.deepEqual(s.log.slice(3), [
    `speakingstart r2@${r2From} heard 0`,
    `speakingstop r2@${r2To} heard 200 played`,
  ]);
  assert.deepEqual(await s.recorded(1, 2), [300, 200]);
});
