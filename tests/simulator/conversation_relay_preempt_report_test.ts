// A whole ConversationRelay call whose bot's next talk cycle preempts a hold message queued behind
// a notice no one may cut, as the call's report tells it. Twilio's "Getting and sending WebSocket
// messages" (twilio.com/docs/voice/conversationrelay/websocket-messages), "Text tokens message":
// `interruptible` "none" keeps the caller's speech from cutting the notice, and `preemptible`
// lets the next talk cycle cut the hold message (its changelog of 2025-04-01: "the TTS of the
// current talk cycle can allow text tokens from the subsequent talk cycle to interrupt"); the
// notice ahead of it plays on. The platform drops the hold message itself: the bot sent no
// clear, and nothing the caller said stopped anything.
// The far end used to clear its whole queue and queue the notice's rest again, so the report
// read that as the barge-in's clear (`clearAtMs`), counted the notice's rest as cleared and as
// received twice, and a chunk more.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import { MS_PER_CHARACTER } from "../../src/simulator/far_ends/conversation_relay.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { startCall } from "../playback/_provider_call.ts";
import { WatchedRelay } from "./_watched_relay.ts";

const NOTICE = "This call is recorded for quality and training purposes. ";
const HOLD = "Please hold.";
const ANSWER = "Yes?";
const ms = (text: string) => text.length * MS_PER_CHARACTER;

/** Answers the first utterance with the notice and a hold message, anything after with ANSWER. */
function bot(frame: Frame, transport: WebSocketTransport): void {
  if (frame.type !== "transcription") return;
  const text = (token: string, flags: Record<string, unknown> = {}) =>
    void transport.send({
      type: "message",
      message: { type: "text", token, last: true, ...flags },
    });
  if (frame.text !== "utterance 1") return text(ANSWER);
  text(NOTICE, { interruptible: "none" });
  text(HOLD, { preemptible: true });
}

Deno.test("ConversationRelay call: a preempted hold message is no barge-in's clear, and counts once as dropped", async () => {
  const relay = new WatchedRelay({});
  const call = startCall(
    { protocol: "conversationrelay", serializer: () => relay, rate: 8000, chunkMs: 20 },
    { jitterMs: 0, returnMs: 0 },
    {
      audio: syntheticCaller({ utterancesMs: [800], pauseMs: 8000 }),
      // Over the notice: not interruptible, so it plays on; the caller's words are a new prompt,
      // and the bot's answer is the next talk cycle, which the hold message gives way to.
      bargeIn: { afterMs: 600, durationMs: 500, count: 1 },
      lingerMs: 6000,
    },
    bot,
  );
  await call.clock.tick(30_000);
  const report = await call.report;
  assert.deepEqual(report.violations, []);
  assert.ok(!relay.sent.some((m) => JSON.parse(m).type === "clear"), "the bot sent no clear");
  const [bargeIn, ...more] = report.bargeIns;
  assert.equal(more.length, 0);
  assert.equal(bargeIn!.source, "injected");
  assert.equal(bargeIn!.clearAtMs, null, "nothing was cleared for the caller");
  assert.equal(bargeIn!.staleAudioMs, null);
  const { chunks, receivedMs, playedMs, clearedMs } = report.audio;
  assert.deepEqual(
    { chunks, receivedMs, playedMs, clearedMs },
    {
      chunks: 3, // the notice, the hold message, the answer: each synthesized once
      receivedMs: ms(NOTICE) + ms(HOLD) + ms(ANSWER),
      playedMs: ms(NOTICE) + ms(ANSWER), // the notice whole, then the answer
      clearedMs: ms(HOLD), // the hold message, all of it, and nothing else
    },
  );
});
