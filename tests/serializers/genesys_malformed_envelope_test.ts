// A client message whose envelope lacks what every AudioHook message has: a `type` that is a
// string, `parameters` that are an object (present), the `version` "2". Genesys's reference server refuses
// each as "Message not a well-formed client message" and asks the client to end the session,
// `disconnect` with reason `error` (purecloudlabs/audiohook-reference-implementation,
// protocol/validators.ts, isMessageBase: `msg['version'] === '2'`, `isString(msg['type'])`,
// `isJsonObject(msg['parameters'])`, used by isClientMessageBase; server/serversessionimpl.ts,
// onTextMessage, through signalClientError). The serializer made the first two plain decode errors,
// the session left to go on, and never looked at `version`; later it took a message without
// `parameters` as one with empty ones, which the reference refuses as well (`isMessageBase`), as
// the Audio Connector's own reference declares them on every message
// (GenesysCloudBlueprints/audioconnector-server-reference-implementation, src/protocol/message.ts,
// `MessageBase`). A type the reference does not know is
// still no breach here (its onTextMessage refuses it, "not a supported client message"): the
// Audio Connector sends `dtmf`, `playback_started` and `playback_completed`, which it lacks.
//
// The far end is the AudioHook client fixture (the reference client's behaviour: it answers
// `disconnect` with `close`, and closes the socket on `closed`); the malformed message goes
// straight onto its socket, as a faulty client would send it.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import { sessionMeeting } from "./fixtures/audiohook_text_session.ts";
import { boundGenesys, openMessage, SESSION } from "./fixtures/genesys_open.ts";

/**
 * A client message as the reference implementation's `ClientMessageBase` is (protocol/message.ts),
 * `seq` 2 (after the `open`) and acknowledging our `opened`, with `fields` changed: a field set to
 * `undefined` is left out.
 */
function clientMessage(fields: Record<string, unknown>): string {
  return JSON.stringify({
    version: "2",
    id: SESSION,
    type: "ping",
    seq: 2,
    serverseq: 1,
    position: "PT1S",
    parameters: {},
    ...fields,
  });
}

const malformed: [string, string, string][] = [
  ["no type", clientMessage({ type: undefined }), "type is not a string: undefined"],
  ["a type that is no string", clientMessage({ type: 7 }), "type is not a string: 7"],
  ["no parameters", clientMessage({ parameters: undefined }), "Missing parameters"],
  ["null parameters", clientMessage({ parameters: null }), "parameters are not an object: null"],
  ["parameters in a list", clientMessage({ parameters: [] }), "parameters are not an object: []"],
  [
    "parameters in a string",
    clientMessage({ parameters: "rtt" }),
    'parameters are not an object: "rtt"',
  ],
  ["no version", clientMessage({ version: undefined }), 'version is not "2": undefined'],
  ["version 1", clientMessage({ version: "1" }), 'version is not "2": "1"'],
  ["version 2 as a number", clientMessage({ version: 2 }), 'version is not "2": 2'],
];

for (const [what, text, info] of malformed) {
  Deno.test(`Genesys: a message with ${what} asks Genesys to end the session`, async () => {
    const s = await sessionMeeting(text);
    // Worded as the reference server words a client's fault (signalClientError).
    assert.deepEqual(s.disconnects, [{ reason: "error", info: `Client Error: ${info}` }]);
    // Not acted on (a `ping` unanswered: no `pong`); the client's close transaction answers the
    // `disconnect`, and the session ends as AudioHook ends it.
    assert.deepEqual(s.seen, ["opened", "disconnect", "closed"]);
    assert.deepEqual(s.client.violations, []);
    assert.ok(s.clock.now() < 1000, "by the client's close, not on closeTimeoutMs");
    // Nothing of it reached the bot; counted and reported once, as a decode error.
    assert.deepEqual(s.after, [{ type: "end", reason: "disconnect" }]);
    assert.equal(s.transport.stats.decodeErrors, 1);
    assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [["decode", `genesys: ${info}`]]);
  });
}

Deno.test("Genesys: a type the reference server does not know still reaches the bot", async () => {
  // The Audio Connector's own messages are no AudioHook Monitor client message; nor may a newer
  // one be: the bot reads it, and the session goes on.
  const text = clientMessage({ type: "audio_connector_news", parameters: { said: "hello" } });
  const s = await sessionMeeting(text);
  assert.deepEqual(s.disconnects, []);
  // Read by the bot; the session then ended by our own close (the test's), no `end` frame.
  assert.deepEqual(s.after, [{ type: "message", message: JSON.parse(text) }]);
  assert.equal(s.transport.stats.decodeErrors, 0);
  assert.deepEqual(s.errors, []);
});

Deno.test("Genesys: a close after our disconnect is answered whatever its version", () => {
  // Genesys's close transaction answers our `disconnect`, and its client waits for `closed`: the
  // close is answered even when its envelope is off, the fault counted and reported (the
  // serializer's rule for a late close, `#closeWhileEnding`), the version now among the faults.
  const { genesys, sent, reported, counted } = boundGenesys();
  genesys.deserialize(openMessage());
  sent.length = 0;
  // A `seq` out of order: the breach that sends our `disconnect`.
  assert.throws(() => genesys.deserialize(clientMessage({ seq: 5 })), /Invalid seq value 5/);
  const close = clientMessage({
    type: "close",
    seq: 2,
    version: "3",
    parameters: { reason: "end" },
  });
  const frames = genesys.deserialize(close);
  assert.deepEqual(frames, { type: "end", reason: "end" });
  assert.deepEqual(sent.map((m) => JSON.parse(m as string).type), ["disconnect", "closed"]);
  assert.equal(counted.decodeErrors, 1);
  assert.deepEqual(reported.map((e: TransportError) => [e.code, e.message]), [[
    "decode",
    `genesys: version is not "2": "3" (in Genesys's close, answered all the same)`,
  ]]);
});
