// A start's parameters are named by the caller's application (Twilio `<Parameter>`s, Vonage
// headers, jambonz's and FreeSWITCH's metadata, Asterisk's channel variables, Genesys'
// `customConfig`, Plivo's `extra_headers`), and JSON.parse keeps a field named `__proto__` as any
// other. Assigned one by one into the start's `params`, it reached `Object.prototype`'s setter,
// which ignores a string on Node and Bun (ECMAScript B.2.2.1.2): the parameter was lost without a
// word. Run under that setter (Deno's own makes a field, and hid it).
import assert from "node:assert/strict";
import type { Frame, StartFrame } from "../../src/frames.ts";
import { JsonSerializer } from "../../src/serializers/json.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { openStartFrame } from "../../src/serializers/_audiohook_open.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { plivoCall } from "./fixtures/plivo_call.ts";
import { withStandardProtoSetter } from "./_standard_proto_setter.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

/** The start frame among what `serializer` made of `message`, read under the standard setter. */
function startOf(serializer: FrameSerializer, message: string): StartFrame {
  serializer.setup?.(SETUP);
  const frames = [withStandardProtoSetter(() => serializer.deserialize(message))].flat();
  const start = (frames as Frame[]).find((frame) => frame?.type === "start");
  assert.ok(start !== undefined && start.type === "start", `no start in ${message}`);
  return start;
}

const plivoStart = JSON.parse(JSON.stringify(plivoCall[0]!.wire));
plivoStart.extra_headers = "__proto__=x;lang=en";

const cases: [string, () => StartFrame][] = [
  [
    "JsonSerializer",
    () => startOf(new JsonSerializer(), '{"type":"start","params":{"__proto__":"x","lang":"en"}}'),
  ],
  ["VonageSerializer", () =>
    startOf(
      new VonageSerializer(),
      '{"event":"websocket:connected","content-type":"audio/l16;rate=16000","__proto__":"x","lang":"en"}',
    )],
  [
    "FreeSwitchSerializer",
    () => startOf(new FreeSwitchSerializer(), '{"__proto__":"x","lang":"en"}'),
  ],
  [
    "JambonzSerializer",
    () => startOf(new JambonzSerializer(), '{"sampleRate":8000,"__proto__":"x","lang":"en"}'),
  ],
  ["AsteriskSerializer", () =>
    startOf(
      new AsteriskSerializer(),
      '{"event":"MEDIA_START","connection_id":"c1","channel":"WebSocket/c1/0x1","channel_id":"1.1",' +
        '"format":"ulaw","optimal_frame_size":160,"ptime":20,' +
        '"channel_variables":{"__proto__":"x","lang":"en"}}',
    )],
  ["PlivoSerializer", () => startOf(new PlivoSerializer(), JSON.stringify(plivoStart))],
  [
    "GenesysSerializer's open",
    () =>
      withStandardProtoSetter(() =>
        openStartFrame("s", JSON.parse('{"customConfig":{"__proto__":"x","lang":"en"}}'))
      ),
  ],
];

for (const [name, start] of cases) {
  Deno.test(`${name} keeps a start parameter named \`__proto__\` as a field of its own`, () => {
    const params = start().params;
    assert.ok(params !== undefined && Object.hasOwn(params, "__proto__"), JSON.stringify(params));
    assert.equal(params["__proto__"], "x");
    assert.equal(params.lang, "en");
    assert.equal(Object.getPrototypeOf(params), Object.prototype);
  });
}

Deno.test("the standard `__proto__` setter is put back as it was after each read", () => {
  const before = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__");
  withStandardProtoSetter(() => {});
  assert.deepEqual(Object.getOwnPropertyDescriptor(Object.prototype, "__proto__"), before);
});
