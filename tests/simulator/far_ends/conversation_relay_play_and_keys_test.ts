// The ConversationRelay far end on three edges of its docs: a `play` sent while a text talk cycle
// is still open, a keypress over the speech, and a `play` of `loop: 0`.
//
// - Twilio's "Getting and sending WebSocket messages" (twilio.com/docs/voice/conversationrelay/
//   websocket-messages): "Play media message" carries its own `interruptible` and `preemptible`
//   and no `last`, so a `play` is a talk cycle of its own; "Text tokens message" ends a talk cycle
//   at `last: true`, so the tokens after a `play` sent in its midst are still that cycle's.
// - Same page, "Interrupt message": sent "when the caller interrupts TTS playback by speaking".
//   Twilio's changelog "New Features Now Available for ConversationRelay" (2025-04-01):
//   `interruptible` "Values can be "none", "dtmf", "speech", or "any"" — so a keypress stops speech
//   whose `interruptible` is `dtmf` or `any`, and the bot hears of it by the `dtmf` message alone.
// - Same page, "Play media message", `loop`: "Number of times to play the media. A value of 0
//   plays it 1,000 times (maximum). Default is 1."; "Optional, integer value". Twilio's TwiML
//   `<Play>` reference (twilio.com/docs/voice/twiml/play) allows "integer >= 0" (error 13410).
import assert from "node:assert/strict";
import { MS_PER_CHARACTER } from "../../../src/simulator/far_ends/conversation_relay.ts";
import { handDrainedRelay, play, spokenMs, token } from "./_relay_context.ts";

const call = handDrainedRelay;
const ms = spokenMs;
/** What one second of the simulated media lasts, a loop. */
const LOOP_MS = 1000;

Deno.test("ConversationRelay far end: a `play` in the midst of an open text cycle is judged by its own `interruptible`", () => {
  const c = call();
  c.bot(token("Let me check ", false), play({ interruptible: "none" }), token("that.", true));
  assert.equal(c.queuedMs(), ms("Let me check ") + LOOP_MS + ms("that."));
  c.played(ms("Let me check ") + 200); // into the media
  c.speaks();
  assert.deepEqual(c.interrupts(), [], "the media takes no interruption");
  assert.equal(c.clears(), 0);
});

Deno.test("ConversationRelay far end: the tokens after a `play` go on with their text cycle: a preemptible reply does not cut its own start", () => {
  const c = call();
  c.bot(token("Please ", false, { preemptible: true }), play(), token("hold.", true));
  assert.equal(c.queuedMs(), ms("Please ") + LOOP_MS + ms("hold."), "nothing given way");
  // The next reply is a new cycle: the preemptible one gives way, the `play` (not preemptible)
  // plays on.
  c.played(2 * MS_PER_CHARACTER);
  c.bot(token("Thanks.", true));
  assert.equal(c.queuedMs(), LOOP_MS + ms("Thanks."));
});

Deno.test("ConversationRelay far end: `interrupt` over a text cycle split by a `play` tells that cycle's own text and speech", () => {
  const c = call();
  c.bot(token("Please ", false), play(), token("hold on.", true));
  c.played(ms("Please ") + LOOP_MS + 3 * MS_PER_CHARACTER); // "Please ", the media, "hol"
  c.speaks();
  assert.deepEqual(c.interrupts(), [{
    type: "interrupt",
    utteranceUntilInterrupt: "Please hol",
    durationUntilInterruptMs: ms("Please hol"),
  }]);
  assert.equal(c.queuedMs(), 0);
});

Deno.test("ConversationRelay far end: a keypress stops speech that takes one, told by `dtmf` alone, never `interrupt`", () => {
  for (const interruptible of ["any", "dtmf", true]) {
    const c = call();
    c.bot(token("Press one for sales.", true, { interruptible }));
    c.played(6 * MS_PER_CHARACTER);
    c.far.sendDtmf("1");
    assert.equal(c.clears(), 1, `${interruptible}: the speech stops`);
    assert.equal(c.queuedMs(), 0);
    assert.deepEqual(c.sent(), [{ type: "dtmf", digit: "1" }], String(interruptible));
  }
  for (const interruptible of ["speech", "none", false]) {
    const c = call();
    c.bot(token("Press one for sales.", true, { interruptible }));
    c.played(6 * MS_PER_CHARACTER);
    c.far.sendDtmf("1");
    assert.equal(c.clears(), 0, `${interruptible}: the speech plays on`);
    assert.equal(c.queuedMs(), ms("Press one for sales.") - 6 * MS_PER_CHARACTER);
    assert.deepEqual(c.sent(), [{ type: "dtmf", digit: "1" }], String(interruptible));
  }
});

Deno.test("ConversationRelay far end: a keypress cuts the text cycle short: its next token begins a new cycle", () => {
  const c = call();
  c.bot(token("One moment ", false));
  c.far.sendDtmf("5");
  c.bot(token("please.", true));
  assert.equal(c.queuedMs(), ms("please."), "the cut speech is not heard on");
  c.played(2 * MS_PER_CHARACTER);
  c.speaks();
  assert.deepEqual(c.interrupts(), [{
    type: "interrupt",
    utteranceUntilInterrupt: "pl",
    durationUntilInterruptMs: ms("pl"),
  }]);
});

Deno.test("ConversationRelay far end: `play` with `loop: 0` plays 1,000 times, the most", () => {
  const c = call();
  c.bot(play({ loop: 0 }), token("Thanks for holding.", true));
  assert.equal(c.queuedMs(), 1000 * LOOP_MS + ms("Thanks for holding."), "the reply waits");
  // Hold music as a bot means it: looping, preemptible, cut by the reply when it comes.
  const hold = call();
  hold.bot(play({ loop: 0, preemptible: true }));
  hold.played(5 * LOOP_MS);
  assert.equal(hold.queuedMs(), 995 * LOOP_MS, "still looping");
  hold.bot(token("Thanks for holding.", true));
  assert.equal(hold.queuedMs(), ms("Thanks for holding."));
  assert.deepEqual(c.sent(), [], "taken, no error");
});

Deno.test("ConversationRelay far end: `loop` counts whole plays: absent once, a number of times, 1,000 at most", () => {
  const once = call();
  once.bot(play());
  assert.equal(once.queuedMs(), LOOP_MS);
  const thrice = call();
  thrice.bot(play({ loop: 3 }));
  assert.equal(thrice.queuedMs(), 3 * LOOP_MS);
  const most = call();
  most.bot(play({ loop: 1e9 }));
  assert.equal(most.queuedMs(), 1000 * LOOP_MS, "1,000 times at most");
});
