// A text talk cycle still open (no `last: true` yet) whose speech has all been heard, with a
// `play` sent in its midst now playing: the caller cuts that `play` short. The speech stops, and
// the text cycle is over with it, as when the cut falls on the text's own speech
// (conversation_relay_play_and_keys_test.ts, "a keypress cuts the text cycle short"): the bot's
// next token begins a new talk cycle, with its own flags, and an `interrupt` over it tells that
// cycle's text alone.
//
// Twilio's "Getting and sending WebSocket messages" (twilio.com/docs/voice/conversationrelay/
// websocket-messages): "Text tokens message" — a talk cycle ends at `last: true`, and carries its
// own `interruptible`; "Play media message" — a `play` is a talk cycle of its own (own
// `interruptible`, `preemptible`, no `last`); "Interrupt message" — sent "when the caller
// interrupts TTS playback by speaking", with `utteranceUntilInterrupt` and
// `durationUntilInterruptMs` of the speech cut short.
import assert from "node:assert/strict";
import { handDrainedRelay, play, spokenMs, token } from "./_relay_context.ts";

const call = handDrainedRelay;
const ms = spokenMs;
Deno.test("ConversationRelay far end: speech over a `play` heard after an open text cycle's speech ends that cycle too", () => {
  const c = call();
  c.bot(token("Let me check ", false), play());
  c.played(ms("Let me check ") + 200); // the text heard through, into the media
  c.speaks();
  assert.deepEqual(c.interrupts(), [{
    type: "interrupt",
    utteranceUntilInterrupt: "",
    durationUntilInterruptMs: 200,
  }]);
  assert.equal(c.queuedMs(), 0);
  // The bot answers the caller: a new talk cycle, not the rest of the one cut short.
  c.bot(token("Sure, go on.", true));
  c.played(ms("Sure"));
  c.speaks();
  assert.deepEqual(c.interrupts()[1], {
    type: "interrupt",
    utteranceUntilInterrupt: "Sure",
    durationUntilInterruptMs: ms("Sure"),
  });
});

Deno.test("ConversationRelay far end: a keypress over a `play` heard after an open text cycle's speech ends that cycle, and its flags with it", () => {
  const c = call();
  // The open cycle may not be cut short; the media may be, by a key.
  c.bot(token("Your account ", false, { interruptible: "none" }), play({ interruptible: "dtmf" }));
  c.played(ms("Your account ") + 300);
  c.far.sendDtmf("0");
  assert.equal(c.clears(), 1, "the media stops");
  // The next reply says it may be cut short: it is a cycle of its own, with its own flag.
  c.bot(token("Transferring you.", true, { interruptible: "any" }));
  c.played(ms("Trans"));
  c.speaks();
  assert.equal(c.clears(), 2, "the new reply takes the caller's speech");
  assert.deepEqual(c.interrupts(), [{
    type: "interrupt",
    utteranceUntilInterrupt: "Trans",
    durationUntilInterruptMs: ms("Trans"),
  }]);
});
