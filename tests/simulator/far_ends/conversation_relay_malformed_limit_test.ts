// Twilio's ConversationRelay, like Telnyx's, gives up on a bot whose messages it cannot take ten
// times in a row. Twilio's "Getting and sending WebSocket messages" (twilio.com/docs/voice/
// conversationrelay/websocket-messages), "Handling errors": "If your WebSocket sends unidentified
// messages to ConversationRelay and the last 10 messages remain unidentified, we will terminate
// the connection. The status code will be 1007 with the reason 'Too many consecutive malformed
// messages.'"; each one before is answered by an `error` message and not processed ("Sending
// messages to Twilio": error 64107, "A failed validation check does not end the session"). The
// simulated platform used to end no Twilio call for it, only Telnyx's: a bot that sent Twilio ten
// bad messages in a row passed a simulated call that the real platform would have cut off.
import assert from "node:assert/strict";
import { ConversationRelayFarEnd } from "../../../src/simulator/far_ends/conversation_relay.ts";
import type { EndCallOptions } from "../../../src/simulator/far_end.ts";
import { farEndContext } from "./_context.ts";

/** A Twilio ConversationRelay far end, and how it answered and ended. */
function twilioRelay() {
  const errors: unknown[] = [];
  const endings: { by: string; reason: string; options: EndCallOptions | undefined }[] = [];
  const far = new ConversationRelayFarEnd({}, "twilio");
  far.open(farEndContext({
    violation: () => {},
    send: (m) => {
      const message = JSON.parse(m as string);
      if (message.type === "error") errors.push(message);
    },
    endCall: (by, reason, options) => void endings.push({ by, reason, options }),
  }));
  return { far, errors, endings };
}

const MALFORMED = '{"type":"text","last":true}'; // no token: "Required. Cannot be null."

Deno.test("Twilio's ConversationRelay far end closes after ten invalid messages in a row", () => {
  const { far, errors, endings } = twilioRelay();
  for (let i = 0; i < 9; i++) far.receive(MALFORMED);
  assert.equal(errors.length, 9, "each answered by `error`");
  assert.equal(endings.length, 0, "nine in a row: the session goes on");
  far.receive("not JSON at all");
  assert.equal(endings.length, 1, "the tenth ends it");
  assert.equal(endings[0]!.by, "caller", "the platform's doing, on the bot's rule");
  assert.match(endings[0]!.reason, /10 invalid messages in a row/);
  assert.equal(endings[0]!.options?.brokenRule, "conversationrelay.invalid-message");
});

Deno.test("Twilio's ConversationRelay far end counts only invalid messages in a row", () => {
  const { far, errors, endings } = twilioRelay();
  for (let i = 0; i < 9; i++) far.receive(MALFORMED);
  far.receive('{"type":"text","token":"Hello.","last":true}'); // taken: the run is broken
  for (let i = 0; i < 9; i++) far.receive(MALFORMED);
  assert.equal(errors.length, 18);
  assert.equal(endings.length, 0, "never ten in a row");
});
