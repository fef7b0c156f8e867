// The ConversationRelay far end when the talk cycles queued carry mixed flags. Twilio's "Getting
// and sending WebSocket messages" (twilio.com/docs/voice/conversationrelay/websocket-messages):
// "Text tokens message" and "Play media message" carry `interruptible` and `preemptible` for the
// talk cycle they belong to; Twilio's changelog "New Features Now Available for ConversationRelay"
// (2025-04-01) words them: `interruptible` "specifies if caller speech can interrupt TTS
// playback" ("none", "dtmf", "speech", "any"; `true` is "any", `false` "none"), `preemptible`
// "specifies if the TTS of the current talk cycle can allow text tokens from the subsequent talk
// cycle to interrupt". So `preemptible` is the flag of the cycle that gives way, not of the one
// that comes: a new cycle cuts short the preemptible cycles still to be heard, and only those; a
// cycle not preemptible ahead of them plays on. "Interrupt message": sent "when the caller
// interrupts TTS playback", judged by the `interruptible` of the cycle being heard, telling what
// was heard of it (`utteranceUntilInterrupt`, `durationUntilInterruptMs`).
import assert from "node:assert/strict";
import { MS_PER_CHARACTER } from "../../../src/simulator/far_ends/conversation_relay.ts";
import { handDrainedRelay, spokenMs } from "./_relay_context.ts";

/** A far end whose playout queue the test drains by hand (_relay_context.ts), driven by JSON. */
const call = handDrainedRelay;
const ms = spokenMs;
const text = (token: string, flags: Record<string, unknown> = {}) => ({
  type: "text",
  token,
  last: true,
  ...flags,
});

const NOTICE = "This call is recorded.";
const HOLD = "Please hold.";
const ANSWER = "How can I help?";

Deno.test("ConversationRelay far end: a cycle not preemptible plays on when the preemptible one queued behind it gives way", () => {
  const c = call();
  c.bot(text(NOTICE), text(HOLD, { preemptible: true }));
  c.played(5 * MS_PER_CHARACTER); // "This " heard
  c.bot(text(ANSWER)); // the next cycle: the hold message gives way, the notice does not
  assert.equal(c.queuedMs(), ms(NOTICE) - 5 * MS_PER_CHARACTER + ms(ANSWER));
  // The notice is heard on from where it was: the caller's speech now reports what was heard of it.
  c.played(4 * MS_PER_CHARACTER);
  c.speaks();
  assert.deepEqual(c.interrupts(), [{
    type: "interrupt",
    utteranceUntilInterrupt: "This call",
    durationUntilInterruptMs: 9 * MS_PER_CHARACTER,
  }]);
});

Deno.test("ConversationRelay far end: a preemptible cycle being heard gives way at once; the next, not preemptible, keeps its place", () => {
  const c = call();
  c.bot(text(HOLD, { preemptible: true }));
  c.played(3 * MS_PER_CHARACTER);
  c.bot(text(ANSWER));
  assert.equal(c.queuedMs(), ms(ANSWER), "the hold message is cut, the answer plays");
  c.bot(text("Anything else?"));
  assert.equal(c.queuedMs(), ms(ANSWER) + ms("Anything else?"), "queued behind the answer");
});

Deno.test("ConversationRelay far end: a preemptible cycle gives way only to a new cycle, not to the rest of its own", () => {
  const c = call();
  c.bot({ type: "text", token: "Please ", last: false, preemptible: true });
  c.bot({ type: "text", token: "hold.", last: true });
  assert.equal(c.queuedMs(), ms(HOLD), "both tokens are one talk cycle");
});

Deno.test("ConversationRelay far end: a preemptible `play` queued behind speech gives way to the next text, the speech plays on", () => {
  const c = call();
  c.bot(text(NOTICE), { type: "play", source: "https://example.com/music.mp3", preemptible: true });
  assert.equal(c.queuedMs(), ms(NOTICE) + 1000, "one second a loop");
  c.bot(text(ANSWER));
  assert.equal(c.queuedMs(), ms(NOTICE) + ms(ANSWER));
  assert.equal(c.interrupts().length, 0);
});

Deno.test("ConversationRelay far end: a `play` not preemptible is not cut by the next text; a preemptible one being heard is", () => {
  const kept = call();
  kept.bot({ type: "play", source: "https://example.com/a.mp3", loop: 2 });
  kept.played(500);
  kept.bot(text(ANSWER));
  assert.equal(kept.queuedMs(), 1500 + ms(ANSWER));

  const cut = call();
  cut.bot({ type: "play", source: "https://example.com/a.mp3", loop: 2, preemptible: true });
  cut.played(500);
  cut.bot(text(ANSWER));
  assert.equal(cut.queuedMs(), ms(ANSWER));
});

Deno.test("ConversationRelay far end: caller speech over mixed cycles is judged by the cycle being heard", () => {
  const c = call();
  // Not to be cut by anyone, nor preempted; then a preemptible hold message; then an answer only
  // speech may cut.
  c.bot(text(NOTICE, { interruptible: false }), text(HOLD, { preemptible: true }));
  c.bot(text(ANSWER, { interruptible: "speech" }));
  assert.equal(c.queuedMs(), ms(NOTICE) + ms(ANSWER), "the hold message gave way");
  c.played(5 * MS_PER_CHARACTER);
  c.speaks();
  c.far.sendDtmf("1");
  assert.deepEqual(c.interrupts(), [], "the notice is not interruptible");
  assert.equal(c.clears(), 0, "the preemption is no clear of the bot's: nothing cleared");
  // The notice heard through, and "How " of the answer.
  c.played(ms(NOTICE) - 5 * MS_PER_CHARACTER + 4 * MS_PER_CHARACTER);
  // A keypress is never told as `interrupt` (it comes as `dtmf` alone): what shows it stopped
  // nothing is the queue, still whole.
  const queuedBeforeKey = c.queuedMs();
  c.far.sendDtmf("2");
  assert.equal(c.clears(), 0, "the answer takes speech only: the key stops nothing");
  assert.equal(c.queuedMs(), queuedBeforeKey);
  c.speaks();
  assert.deepEqual(c.interrupts(), [{
    type: "interrupt",
    utteranceUntilInterrupt: "How ",
    durationUntilInterruptMs: 4 * MS_PER_CHARACTER,
  }]);
  assert.equal(c.queuedMs(), 0);
});

Deno.test("ConversationRelay far end: a `play` that takes no interruption is not cut by the caller; the preemptible text behind it still gives way", () => {
  const c = call();
  c.bot(
    { type: "play", source: "https://example.com/a.mp3", interruptible: "none" },
    text(HOLD, { preemptible: true, interruptible: "any" }),
  );
  c.played(200);
  c.speaks();
  assert.deepEqual(c.interrupts(), []);
  c.bot(text(ANSWER));
  assert.equal(c.queuedMs(), 800 + ms(ANSWER));
});
