// ConversationRelay's keypad messages (twilio.com/docs/voice/conversationrelay/websocket-messages,
// "DTMF message": `{"type":"dtmf","digit":"1"}` when `dtmfDetection` is on; "Send digits message":
// `{"type":"sendDigits","digits":"9www4085551212"}`, DTMF digits with `w` for a half-second pause;
// Telnyx's copy, developers.telnyx.com, "ConversationRelay WebSocket channel", the same two).
// Neither lists the characters an inbound `digit` may be, so the whole keypad of the `dtmf` frame
// ("0"-"9", "*", "#", "A"-"D") comes in: a caller's key is never lost. `sendDigits` plays 0-9, `*`
// and `#` (and `w`), no keypad letters: the simulator's far end, written from the same page,
// answers "A" with `error` (64107). So a bot's letter, or anything not one keypress, is refused
// before it leaves: an "encode" error, counted in `encodeErrors`, and the session goes on.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { ConversationRelayFarEnd } from "../../src/simulator/far_ends/conversation_relay.ts";
import {
  lettersRefusedThroughTransport,
  NOT_PHONE_KEYS,
  PHONE_KEYS,
} from "./fixtures/keypad_letters.ts";
import { farEndContext } from "../simulator/far_ends/_context.ts";

Deno.test("`ConversationRelaySerializer` takes the keypad's letters A-D from the caller", () => {
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
  }
  assert.throws(() => relay.deserialize('{"type":"dtmf","digit":"E"}'), /keypad digit/);
});

Deno.test("`ConversationRelaySerializer` sends what the far end plays, and refuses the rest with an encode error", () => {
  const relay = new ConversationRelaySerializer();
  const far = new ConversationRelayFarEnd({});
  far.open(farEndContext()); // a violation (an `error` 64107 answer) fails the test
  for (const digit of PHONE_KEYS) {
    const sent = relay.serialize({ type: "dtmf", digit });
    assert.equal(sent, JSON.stringify({ type: "sendDigits", digits: digit }));
    far.receive(sent as string);
  }
  for (const digit of NOT_PHONE_KEYS) {
    assert.throws(
      () => relay.serialize({ type: "dtmf", digit }),
      (e: TransportError) =>
        e.code === "encode" && e.message.includes(JSON.stringify(digit)) &&
        /sendDigits plays 0-9, \* and # only/.test(e.message),
      digit,
    );
  }
});

Deno.test("`ConversationRelaySerializer` through a transport: a bot's keypad letter is counted and reported, and the session goes on", async () => {
  await lettersRefusedThroughTransport(
    new ConversationRelaySerializer(),
    (digit) => ({ type: "sendDigits", digits: digit }),
  );
});
