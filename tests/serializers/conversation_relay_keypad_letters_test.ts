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
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { farEndContext } from "../simulator/far_ends/_context.ts";

const SENDABLE = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"];
const REFUSED = ["A", "B", "C", "D", "a", "w", "12", "", "E"];

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
  for (const digit of SENDABLE) {
    const sent = relay.serialize({ type: "dtmf", digit });
    assert.equal(sent, JSON.stringify({ type: "sendDigits", digits: digit }));
    far.receive(sent as string);
  }
  for (const digit of REFUSED) {
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
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new ConversationRelaySerializer(),
    clock,
  });
  const sent: string[] = [];
  pair.client.addEventListener("message", (e) => sent.push((e as MessageEvent).data));
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  for (const digit of ["1", "A", "D", "#"]) transport.send({ type: "dtmf", digit });
  await clock.tick(10);
  assert.deepEqual(sent.map((m) => JSON.parse(m)), [
    { type: "sendDigits", digits: "1" },
    { type: "sendDigits", digits: "#" },
  ]);
  assert.equal(transport.stats.encodeErrors, 2);
  assert.ok(errors.length >= 1, "reported");
  assert.ok(errors.every((e) => e.code === "encode" && !e.fatal), errors.map(String).join(" | "));
  assert.match(errors[0]!.message, /"A" cannot be sent/);
  pair.client.close(1000);
  await transport.closed;
});
