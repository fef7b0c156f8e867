// jambonz's `listen` sends "one text frame … immediately after the websocket connection is
// established" with the call's attributes, `sampleRate` and `mixType` (docs.jambonz.org, Verbs →
// listen; listen.js builds it from the verb, whose sampleRate is a number), and answers marks only
// once the bot has sent them. What came before that message was taken quietly: a mark or DTMF
// event handed to the bot, other JSON as a message, audio decoded at a guessed 8 kHz; and a
// `sampleRate` written as a string ("16000") was read as the number. None of it is anything
// jambonz sends: each is now a decode error (the transport counts it in decodeErrors and reports
// it; the session goes on), and the real first message still starts the call.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { TransportError } from "../../src/errors.ts";

const SETUP = {
  inputSampleRate: 8000,
  inputChannels: 1,
  outputSampleRate: 8000,
  outputChannels: 1,
};
const FIRST = JSON.stringify({ sampleRate: 16000, mixType: "mono", callSid: "c1" });

const decodeError = (pattern: RegExp) => (e: unknown) =>
  e instanceof TransportError && e.code === "decode" && pattern.test(e.message);

Deno.test("`JambonzSerializer` refuses events, JSON and audio before the call's first message, then starts on it", () => {
  const jambonz = new JambonzSerializer();
  jambonz.setup(SETUP);
  const early: (string | Uint8Array)[] = [
    '{"type":"mark","data":{"name":"m1","event":"playout"}}',
    '{"event":"dtmf","dtmf":"5","duration":"1600"}',
    '{"type":"transcription","text":"hi"}',
    new Uint8Array(320),
  ];
  for (const message of early) {
    assert.throws(() => jambonz.deserialize(message), decodeError(/before the call's first/));
  }
  assert.deepEqual(jambonz.deserialize(FIRST), {
    type: "start",
    callId: "c1",
    params: { sampleRate: "16000", mixType: "mono", callSid: "c1" },
  });
  // After it, the same messages are what they say.
  assert.deepEqual(jambonz.deserialize('{"event":"dtmf","dtmf":"5","duration":"1600"}'), {
    type: "dtmf",
    digit: "5",
  });
});

Deno.test("`JambonzSerializer` refuses a first message whose sampleRate is a string, and starts on a valid one", () => {
  const jambonz = new JambonzSerializer();
  jambonz.setup(SETUP);
  assert.throws(
    () => jambonz.deserialize('{"sampleRate":"16000","mixType":"mono","callSid":"c1"}'),
    decodeError(/sampleRate is not a number: "16000"/),
  );
  assert.equal(jambonz.streamSampleRate, undefined, "no rate taken from it");
  const start = jambonz.deserialize(FIRST);
  assert.equal((start as { type: string }).type, "start");
  assert.equal(jambonz.streamSampleRate, 16000);
});
