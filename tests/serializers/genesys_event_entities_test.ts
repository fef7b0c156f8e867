// An `event` carries at least one entity. Genesys's reference client reads the first entity of
// every `event` it is sent (purecloudlabs/audiohook-reference-implementation,
// client/clientsessionimpl.ts, onEventMessage: `msg.parameters['entities'][0].type`), so an empty
// `entities` list throws in its message handler, which answers any such throw with a fatal
// error 500, "Internal client error", and its close transaction (registerHandlers): the call
// ends. Its validator (protocol/validators.ts, isEventEntities) lets the empty list through, so
// the serializer must refuse it itself, as it refuses the parameters that validator does: an
// "encode" error, nothing sent, no `seq` taken, the session going on.
// (The docs corpus holds no page of the AudioHook protocol reference; the rule is Genesys's own
// reference implementation's.)
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import { boundGenesys, openMessage } from "./fixtures/genesys_open.ts";

function openSession() {
  const { genesys, sent } = boundGenesys();
  genesys.deserialize(openMessage());
  sent.length = 0;
  return { genesys, sent };
}

Deno.test("Genesys: an event with no entities is refused, not sent to a client that would end the call", () => {
  const { genesys, sent } = openSession();
  assert.throws(
    () =>
      genesys.serialize({
        type: "message",
        message: { type: "event", parameters: { entities: [] } },
      }),
    (error: unknown) =>
      error instanceof TransportError && error.code === "encode" &&
      /^genesys: event not sent: entities is empty/.test(error.message),
  );
  assert.deepEqual(sent, []);
  // The session goes on, its numbering unbroken: the next event is the one after opened.
  genesys.serialize({
    type: "message",
    message: { type: "event", parameters: { entities: [{ type: "barge_in", data: {} }] } },
  });
  assert.deepEqual(sent.map((message) => JSON.parse(message as string).seq), [2]);
  assert.equal(genesys.active, true);
});
