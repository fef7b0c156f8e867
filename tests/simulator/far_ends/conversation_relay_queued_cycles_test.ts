// The ConversationRelay far end when a talk cycle is queued behind one still being spoken: a bot
// on `ConversationRelaySerializer` without `streamText` sends each `text` frame as a whole talk
// cycle (`last: true`), so two frames in a row are two cycles, the second waiting for the first
// (not `preemptible`, the default). Twilio's "Getting and sending WebSocket messages"
// (twilio.com/docs/voice/conversationrelay/websocket-messages): "Text tokens message" — a talk
// cycle ends at `last: true`, and its `interruptible` says what may cut *its* speech short;
// "Interrupt message" — sent "when the caller interrupts TTS playback by speaking", with what was
// spoken of it until then (`utteranceUntilInterrupt`, `durationUntilInterruptMs`). So a barge-in
// over the first cycle is judged by the first cycle's `interruptible`, and reports what was heard
// of it; a keypress the cycle takes stops it too, told by `dtmf` alone.
import assert from "node:assert/strict";
import { ConversationRelaySerializer } from "../../../src/serializers/conversation_relay.ts";
import type { Frame } from "../../../src/frames.ts";
import { MS_PER_CHARACTER } from "../../../src/simulator/far_ends/conversation_relay.ts";
import { syntheticCaller } from "../../../src/simulator/mod.ts";
import { startCall } from "../../playback/_provider_call.ts";
import { handDrainedRelay } from "./_relay_context.ts";

/** A far end whose playout queue the test drains by hand (_relay_context.ts), driven by frames. */
function call() {
  const relay = handDrainedRelay();
  /** The bot's frames, through the serializer, to the far end. */
  const bot = (serializer: ConversationRelaySerializer, ...frames: Frame[]) => {
    for (const frame of frames) {
      const sent = serializer.serialize(frame);
      if (typeof sent === "string") relay.far.receive(sent);
    }
  };
  return { ...relay, bot };
}

const text = (t: string): Frame => ({ type: "text", text: t });

Deno.test("ConversationRelay far end: a barge-in over the first of two queued replies reports what was heard of it", () => {
  const c = call();
  c.bot(new ConversationRelaySerializer(), text("Hello there."), text("How can I help?"));
  c.played(6 * MS_PER_CHARACTER); // "Hello " heard
  c.speaks(); // `interruptible` "any" by default: the caller's speech cuts the speech short
  assert.deepEqual(c.interrupts(), [{
    type: "interrupt",
    utteranceUntilInterrupt: "Hello ",
    durationUntilInterruptMs: 6 * MS_PER_CHARACTER,
  }]);
  assert.equal(c.queuedMs(), 0, "the rest of both replies is cleared");
});

Deno.test("ConversationRelay far end: the cycle being spoken, not the one queued behind it, says whether a keypress cuts it", () => {
  // A keypress stops speech that takes one (`interruptible` "dtmf" or "any"), told by its `dtmf`
  // message only: `interrupt` is for the caller "interrupts TTS playback by speaking".
  const dtmfOnly = (c: ReturnType<typeof call>) =>
    c.fromPlatform.filter((m) => m.type === "dtmf" || m.type === "interrupt");
  // The first cycle may not be cut short; the one queued behind it may be.
  const guarded = call();
  guarded.bot(
    new ConversationRelaySerializer({ interruptible: "none" }),
    text("This call is recorded."),
  );
  guarded.bot(new ConversationRelaySerializer({ interruptible: "any" }), text("How can I help?"));
  guarded.played(5 * MS_PER_CHARACTER);
  guarded.far.sendDtmf("1");
  assert.equal(guarded.clears(), 0, "the notice plays on");
  assert.equal(
    guarded.queuedMs(),
    ("This call is recorded.".length - 5 + "How can I help?".length) * MS_PER_CHARACTER,
  );
  // The notice heard through and "How " of the next: a keypress now cuts that one short.
  guarded.played(("This call is recorded.".length - 5 + 4) * MS_PER_CHARACTER);
  guarded.far.sendDtmf("2");
  assert.equal(guarded.clears(), 1);
  assert.equal(guarded.queuedMs(), 0);
  assert.deepEqual(dtmfOnly(guarded), [
    { type: "dtmf", digit: "1" },
    { type: "dtmf", digit: "2" },
  ]);

  // The other way round: the first cycle may be cut short, the one behind it not.
  const open = call();
  open.bot(
    new ConversationRelaySerializer({ interruptible: "dtmf" }),
    text("Press one for sales."),
  );
  open.bot(new ConversationRelaySerializer({ interruptible: "none" }), text("Goodbye."));
  open.played(6 * MS_PER_CHARACTER);
  open.far.sendDtmf("1");
  assert.equal(open.clears(), 1, "both replies cleared");
  assert.equal(open.queuedMs(), 0);
  assert.deepEqual(dtmfOnly(open), [{ type: "dtmf", digit: "1" }]);
});

Deno.test("ConversationRelay: the caller talks over the first of two whole replies, the bot learns what was heard of it", async () => {
  const seen: Frame[] = [];
  const first = "You said utterance 1.";
  const call = startCall(
    {
      protocol: "conversationrelay",
      serializer: () => new ConversationRelaySerializer(),
      rate: 8000,
      chunkMs: 20,
    },
    { jitterMs: 0, returnMs: 0 },
    {
      audio: syntheticCaller({ utterancesMs: [800], pauseMs: 4000 }),
      bargeIn: { afterMs: 600, durationMs: 700, count: 1 },
      lingerMs: 2000,
    },
    (frame, transport) => {
      seen.push(frame);
      if (frame.type !== "transcription" || frame.text !== "utterance 1") return;
      transport.send({ type: "text", text: first }); // two talk cycles, the second queued
      transport.send({ type: "text", text: "Anything else?" });
    },
  );
  await call.clock.tick(20_000);
  const report = await call.report;
  assert.deepEqual(report.violations, []);
  const at = seen.findIndex((f) => f.type === "interruption");
  const interrupt = seen[at + 1] as { type: string; message: Record<string, unknown> };
  const heardMs = interrupt.message.durationUntilInterruptMs as number;
  assert.ok(heardMs >= 600 && heardMs <= 640, `heard ${heardMs} ms`);
  assert.equal(
    interrupt.message.utteranceUntilInterrupt,
    first.slice(0, Math.floor(heardMs / MS_PER_CHARACTER)),
  );
});
