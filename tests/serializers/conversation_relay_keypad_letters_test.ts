// ConversationRelay's keypad messages (twilio.com/docs/voice/conversationrelay/websocket-messages,
// "DTMF message": `{"type":"dtmf","digit":"1"}` when `dtmfDetection` is on; "Send digits message":
// `{"type":"sendDigits","digits":"…"}`; Telnyx's copy, developers.telnyx.com, "ConversationRelay
// WebSocket channel", the same two). Neither page lists the characters a digit may be, so the
// serializer carries the whole keypad of the `dtmf` frame ("0"-"9", "*", "#", "A"-"D") both ways;
// a digit the platform refuses comes back as its `error` message, reported as a "protocol" error.
import assert from "node:assert/strict";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";

Deno.test("`ConversationRelaySerializer` carries the keypad's letters A-D in and out", () => {
  const relay = new ConversationRelaySerializer();
  for (const digit of ["A", "B", "C", "D"]) {
    assert.deepEqual(relay.deserialize(JSON.stringify({ type: "dtmf", digit })), {
      type: "dtmf",
      digit,
    });
    assert.deepEqual(
      relay.deserialize(JSON.stringify({ type: "dtmf", digit: digit.toLowerCase() })),
      { type: "dtmf", digit },
    );
    assert.equal(
      relay.serialize({ type: "dtmf", digit }),
      JSON.stringify({ type: "sendDigits", digits: digit }),
    );
  }
  assert.throws(() => relay.deserialize('{"type":"dtmf","digit":"E"}'), /keypad digit/);
});
