// The ConversationRelay far end sent the caller's keypresses to the bot as `dtmf` whatever the
// `<ConversationRelay>`'s `dtmfDetection`. Twilio's "<ConversationRelay> TwiML noun" page
// (twilio.com/docs/voice/conversationrelay/conversationrelay-noun), its attributes table:
// `dtmfDetection` says whether keypresses are sent over the WebSocket, `false` by default. With
// it off the far end sends no `dtmf` and, detecting no key, stops no speech (`interruptible`
// `dtmf` or `any` is about keys it detects); the call counts the press as not detected
// (`sendDtmf` "undetected"), not as one the protocol cannot carry (false). The simulator's
// default stays on, as before: see far_end.ts `FarEndOptions.dtmfDetection`. The "dtmf message"
// itself: twilio.com/docs/voice/conversationrelay/websocket-messages, "Getting messages from
// Twilio".
import assert from "node:assert/strict";
import { handDrainedRelay, token } from "./_relay_context.ts";

Deno.test("ConversationRelay far end with dtmfDetection off: a keypress is not sent and stops no speech", () => {
  const c = handDrainedRelay({ dtmfDetection: false });
  c.bot(token("Press one for sales.", true, { interruptible: "dtmf" }));
  const queued = c.queuedMs();
  assert.ok(queued > 0);
  assert.equal(c.far.sendDtmf("1"), "undetected", "not detected: the call counts it so");
  assert.deepEqual(c.sent(), [], "no dtmf message");
  assert.equal(c.clears(), 0, "the speech plays on");
  assert.equal(c.queuedMs(), queued);
});

for (const options of [{}, { dtmfDetection: true }]) {
  Deno.test(`ConversationRelay far end with ${JSON.stringify(options)}: a keypress is sent as dtmf and stops speech that takes one`, () => {
    const c = handDrainedRelay(options);
    c.bot(token("Press one for sales.", true, { interruptible: "dtmf" }));
    assert.equal(c.far.sendDtmf("1"), true);
    assert.deepEqual(c.sent(), [{ type: "dtmf", digit: "1" }]);
    assert.equal(c.clears(), 1);
  });
}
