// A whole call on the simulator's ConversationRelay far end (written from Twilio's "Getting and
// sending WebSocket messages": a talk cycle of `text` tokens ends at `last: true`; the
// "Interrupt message" tells the app what the caller heard): the caller barges in while the bot is
// still streaming its reply, and the bot, as the README's example does, just stops. The serializer
// closes the cut reply with an empty `last: true` token; the far end takes it (no violation, no
// `error`), and the bot's next reply is a talk cycle of its own, spoken whole.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import { MS_PER_CHARACTER } from "../../src/simulator/far_ends/conversation_relay.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { startCall } from "../playback/_provider_call.ts";
import { WatchedRelay } from "./_watched_relay.ts";

const FIRST = "Well, let me think about that for a little while ";
const SECOND = "Yes?";

/** Streams its first reply and never ends it (the caller cuts in); ends its second. */
function slowBot(seen: Frame[]) {
  return (frame: Frame, transport: WebSocketTransport) => {
    seen.push(frame);
    if (frame.type !== "transcription") return;
    if (frame.text === "utterance 1") return void transport.send({ type: "text", text: FIRST });
    transport.send({ type: "text", text: SECOND });
    transport.send({ type: "text", text: "" });
  };
}

Deno.test("ConversationRelay: a streamed reply the caller cut short is closed, and the next reply is heard whole", async () => {
  const seen: Frame[] = [];
  const relay = new WatchedRelay({ streamText: true });
  const call = startCall(
    {
      protocol: "conversationrelay",
      serializer: () => relay,
      rate: 8000,
      chunkMs: 20,
    },
    { jitterMs: 0, returnMs: 0 },
    {
      audio: syntheticCaller({ utterancesMs: [800], pauseMs: 6000 }),
      bargeIn: { afterMs: 600, durationMs: 700, count: 1 },
      lingerMs: 4000,
    },
    slowBot(seen),
  );
  await call.clock.tick(30_000);
  const report = await call.report;
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.bargeIns.length, 1);
  assert.ok(seen.some((f) => f.type === "interruption"), "the bot heard of the barge-in");
  assert.deepEqual(relay.sentAtOnce.map((m) => JSON.parse(m)), [
    { type: "text", token: "", last: true },
  ]);
  assert.ok(seen.some((f) => f.type === "transcription" && f.text === "utterance 2"));
  assert.ok(
    !seen.some((f) => f.type === "message" && (f.message as { type?: string }).type === "error"),
    "the far end took every message",
  );
  const heardFirstMs = 600;
  assert.ok(
    report.audio.playedMs >= heardFirstMs + SECOND.length * MS_PER_CHARACTER,
    `played ${report.audio.playedMs} ms`,
  );
  assert.deepEqual(call.errors, []);
});
