// `sendTimeoutMs` bounds a `serialize` that answers with a promise (README, "sendTimeoutMs"; a
// promise not settled in it ends the session, 1011), and the serializer holds an `end` at most
// `sendTimeoutMs` less 250 ms. Where that leaves nothing (250 ms or less; 0 is a valid setting:
// no send may wait), the goodbye cannot be waited for: the `end` must go at once, reported, not
// as a promise due the moment the transport's bound runs out. On the system clock both timers
// fall due together, and the bound, checked before the promise's answer comes, gave the answer
// up: the `end` never sent, the session ended 1011 ("serialize did not answer an end frame
// within 0 ms").
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import type { SerializerContext } from "../../src/serializer.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

for (const sendTimeoutMs of [0, 100, 250]) {
  Deno.test(`ConversationRelay: with sendTimeoutMs ${sendTimeoutMs}, an end after a goodbye goes at once, reported, with no promise to race the bound`, () => {
    const clock = new FakeClock();
    const reports: TransportError[] = [];
    const context: SerializerContext = {
      send: () => {},
      count: () => {},
      report: (error) => void reports.push(error),
      clock,
      sendTimeoutMs,
    };
    const relay = new ConversationRelaySerializer();
    relay.bind(context);
    relay.serialize({ type: "text", text: "Goodbye!" });
    const end = relay.serialize({ type: "end" });
    assert.equal(end, '{"type":"end"}', "the end, at once");
    assert.deepEqual(reports.map((e) => e.code), ["timeout"]);
    assert.match(reports[0]!.message, /may not hear all of the goodbye/);
    assert.equal(clock.pendingTimers, 0, "no hold left behind");
  });
}
