import assert from "node:assert/strict";
import { detectProvider } from "../../src/serializers/detect_provider.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
// --- hosted platforms (protocols-b) ---
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
// --- end hosted platforms ---
// --- self-hosted platforms (Asterisk, jambonz) ---
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
// --- end self-hosted platforms ---

// Each provider's first messages, as its documentation shows them.
const FIRST = {
  twilio: [
    { event: "connected", protocol: "Call", version: "1.0.0" },
    {
      event: "start",
      sequenceNumber: "1",
      start: {
        accountSid: "AC1",
        streamSid: "MZ1",
        callSid: "CA1",
        tracks: ["inbound"],
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        customParameters: { lang: "en" },
      },
      streamSid: "MZ1",
    },
  ],
  telnyx: [
    { event: "connected", version: "1.0.0" },
    {
      event: "start",
      sequence_number: "1",
      start: {
        user_id: "u1",
        call_control_id: "v3:c1",
        client_state: "aGk=",
        media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
      },
      stream_id: "s1",
    },
  ],
  plivo: [{
    event: "start",
    sequenceNumber: 0,
    start: {
      callId: "c1",
      streamId: "s1",
      accountId: "a1",
      tracks: ["inbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000 },
    },
    extra_headers: "{}",
  }],
  exotel: [
    { event: "connected" },
    {
      event: "start",
      sequence_number: 1,
      stream_sid: "st1",
      start: {
        stream_sid: "st1",
        call_sid: "ca1",
        account_sid: "ac1",
        from: "+911",
        to: "+912",
        media_format: { encoding: "base64", sample_rate: "8000", bit_rate: "128kbps" },
      },
    },
  ],
  vonage: [{ event: "websocket:connected", "content-type": "audio/l16;rate=16000", user: "ada" }],
  genesys: [{
    version: "2",
    type: "open",
    seq: 1,
    serverseq: 0,
    id: "e160e428-53e2-487c-977d-96989bf5c99d",
    position: "PT0S",
    parameters: {
      organizationId: "d7934305-0972-4844-938e-9060eef73d05",
      conversationId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
      participant: { id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0", ani: "", aniName: "", dnis: "" },
      media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
    },
  }],
};

const CLASSES = {
  twilio: TwilioSerializer,
  telnyx: TelnyxSerializer,
  plivo: PlivoSerializer,
  exotel: ExotelSerializer,
  vonage: VonageSerializer,
  genesys: GenesysSerializer,
};

Deno.test("`detectProvider` tells each provider from its first messages", () => {
  for (const [provider, messages] of Object.entries(FIRST)) {
    const detected = detectProvider(messages.map((m) => JSON.stringify(m)));
    assert.equal(detected?.provider, provider);
    assert.ok(detected.serializer instanceof CLASSES[provider as keyof typeof CLASSES], provider);
  }
});

Deno.test("`detectProvider` waits while a bare `connected` could be Telnyx or Exotel", () => {
  assert.equal(detectProvider([JSON.stringify(FIRST.telnyx[0])]), null);
  assert.equal(detectProvider([JSON.stringify(FIRST.exotel[0])]), null);
  assert.equal(detectProvider([]), null);
  assert.equal(
    detectProvider(["not json", new Uint8Array([1, 2, 3]), "[1]", '{"event":"hello"}']),
    null,
  );
});

Deno.test("`detectProvider` skips binary audio and reads JSON delivered as bytes", () => {
  const bytes = new TextEncoder().encode(JSON.stringify(FIRST.vonage[0]));
  assert.equal(detectProvider([new Uint8Array([0x7b, 0xff, 0x00]), bytes])?.provider, "vonage");
});

Deno.test("`detectProvider`'s serializer takes the provider's options and replays the first messages", () => {
  const detected = detectProvider(FIRST.twilio.map((m) => JSON.stringify(m)), {
    twilio: { authToken: "t", autoHangUp: false },
  })!;
  const serializer = detected.serializer;
  serializer.setup?.({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const frames = FIRST.twilio.map((m) => serializer.deserialize(JSON.stringify(m)));
  assert.deepEqual(frames[1], {
    type: "start",
    streamId: "MZ1",
    callId: "CA1",
    params: { lang: "en" },
  });
  assert.equal(serializer.serialize({ type: "end" }), null); // autoHangUp: false was honoured

  const genesys = detectProvider(FIRST.genesys.map((m) => JSON.stringify(m)))!.serializer;
  const sent: unknown[] = [];
  genesys.bind?.({
    send: (m) => sent.push(JSON.parse(m as string).type),
    count: () => {},
    report: () => {},
  });
  genesys.setup?.({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  genesys.deserialize(JSON.stringify(FIRST.genesys[0]));
  assert.deepEqual(sent, ["opened"]);
});

// --- hosted platforms (protocols-b): ConversationRelay and the Vonage Video Audio Connector ---

Deno.test("`detectProvider` tells ConversationRelay (Twilio's and Telnyx's) from its `setup`", () => {
  // Twilio "Getting and sending WebSocket messages", Setup message; Telnyx's AsyncAPI example.
  const twilio = {
    type: "setup",
    sessionId: "VX00000000000000000000000000000000",
    accountSid: "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    callSid: "CA00000000000000000000000000000000",
    from: "+18005550100",
    to: "+18005550101",
    customParameters: { callReference: "bar" },
  };
  const telnyx = {
    type: "setup",
    sessionId: "7a7e6a4f-1d44-4f0c-b5d4-9f9bf3a5c1f2",
    callSid: "v2:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ",
    callControlId: "v2:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ",
    customParameters: { customer_id: "customer_123" },
  };
  for (const setup of [twilio, telnyx]) {
    const detected = detectProvider([JSON.stringify(setup)], {
      conversationRelay: { handoffData: "h" },
    });
    assert.equal(detected?.provider, "conversationrelay");
    assert.ok(detected.serializer instanceof ConversationRelaySerializer);
    assert.equal(
      detected.serializer.serialize({ type: "end" }),
      '{"type":"end","handoffData":"h"}',
    );
  }
});

Deno.test("`detectProvider` tells the Vonage Video Audio Connector from its bare `content-type`", () => {
  // The Audio Connector guide: the first message is text, the audio format in `content-type`
  // beside the headers given when the connection was started.
  const first = { "content-type": "audio/l16;rate=16000", sessionId: "s1", customer: "c-42" };
  const detected = detectProvider([JSON.stringify(first)]);
  assert.equal(detected?.provider, "vonage");
  assert.ok(detected.serializer instanceof VonageSerializer);
  assert.equal(detectProvider(['{"content-type":"text/plain"}']), null);
});

Deno.test("`detectProvider` reads SignalWire's Twilio-style messages, bare or in their envelope", () => {
  // SignalWire cXML <Stream>, "WebSocket connection": its examples wrap each message.
  const start = {
    event: "start",
    sequenceNumber: "1",
    start: {
      streamSid: "7d56cc11-536d-4a45-b4fb-ed3d55be843b",
      accountSid: "b08dacad-2f6c-4de1-93d6-cc732e0c69c5",
      callSid: "76ac3c36-56da-4a3e-a0d6-b5f8df6da9ad",
      tracks: ["inbound"],
      mediaFormat: { encoding: "audio/x-L16", sampleRate: 24000, channels: 1 },
    },
  };
  const wrapped = { eventType: "start", direction: "inbound", rawEvent: start };
  for (const message of [start, wrapped]) {
    const detected = detectProvider([JSON.stringify(message)]);
    assert.equal(detected?.provider, "twilio");
    assert.ok(detected.serializer instanceof TwilioSerializer);
  }
});

Deno.test("`detectProvider` follows SignalWire's envelope one level, and a client's envelopes nested 10,000 deep are no evidence, not a crash", () => {
  // JSON.parse reads this nesting; following every envelope down overflowed the stack (a
  // RangeError out of `detectProvider`, before any transport or its size limit, ended the server).
  const deep = '{"rawEvent":'.repeat(10_000) + '{"event":"connected"}' + "}".repeat(10_000);
  assert.equal(detectProvider([deep]), null);
  const twice = { rawEvent: { rawEvent: { event: "connected", protocol: "Call", version: "1" } } };
  assert.equal(detectProvider([JSON.stringify(twice)]), null);
});
// --- end hosted platforms ---
// --- self-hosted platforms (Asterisk, jambonz) ---
// First messages as docs.asterisk.org (chan_websocket, "Control Commands and Events") and
// docs.jambonz.org (Verbs → listen) show them.
const ASTERISK_PLAIN =
  "MEDIA_START connection_id:e226e283-c90a-4ea9-9e37-389000b9ef47 channel:WebSocket/connectionid channel_id:pbx1-123456789.999 format:ulaw optimal_frame_size:160 ptime:20";
const ASTERISK_JSON = JSON.stringify({
  event: "MEDIA_START",
  connection_id: "e226e283-c90a-4ea9-9e37-389000b9ef47",
  channel: "WebSocket/connectionid",
  channel_id: "pbx1-123456789.999",
  format: "ulaw",
  optimal_frame_size: 160,
  ptime: 20,
  channel_variables: { SOME_CHANNEL_VARIABLE: "some value" },
});
const JAMBONZ = JSON.stringify({
  sampleRate: 8000,
  mixType: "mono",
  callSid: "9210add6-9573-4860-a003-648c7829faaa",
  direction: "inbound",
  from: "+15083728299",
  to: "+16172375089",
  accountSid: "fef61e75-cec3-496c-a7bc-8368e4d02a04",
});

Deno.test("`detectProvider` tells Asterisk (either control format) and jambonz from their first message", () => {
  for (const first of [ASTERISK_PLAIN, ASTERISK_JSON]) {
    const detected = detectProvider([first], { asterisk: { answer: false } });
    assert.equal(detected?.provider, "asterisk");
    assert.ok(detected.serializer instanceof AsteriskSerializer);
    const start = detected.serializer.deserialize(first) as { callId?: string };
    assert.equal(start.callId, "pbx1-123456789.999");
  }
  const jambonz = detectProvider([JAMBONZ], { jambonz: { streamSampleRate: 16000 } });
  assert.equal(jambonz?.provider, "jambonz");
  assert.ok(jambonz.serializer instanceof JambonzSerializer);
  assert.equal((jambonz.serializer as JambonzSerializer).streamSampleRate, 16000);
  // Neither is mistaken for the other providers, nor they for these.
  for (const [provider, messages] of Object.entries(FIRST)) {
    assert.equal(detectProvider(messages.map((m) => JSON.stringify(m)))?.provider, provider);
  }
  assert.equal(detectProvider(["MEDIA_XON", '{"sampleRate":8000}', "MEDIA_STARTED x"]), null);
});
// --- end self-hosted platforms ---

Deno.test("`detectProvider` reads a message's own fields only, never ones a polluted `Object.prototype` lends it", () => {
  // What the serializers read is the message's own fields (`JsonReader`); detection must agree,
  // or a process whose `Object.prototype` some dependency polluted takes every call for one
  // provider's, whose serializer then refuses it ("start message has no streamSid").
  const prototype = Object.prototype as Record<string, unknown>;
  const telnyx = FIRST.telnyx.map((m) => JSON.stringify(m));
  const vonageVideo = '{"content-type":"audio/l16;rate=16000","sessionId":"s1"}';
  const polluters = [["streamSid", "MZ1"], ["event", "media"], ["type", "setup"]] as const;
  for (const [name, value] of polluters) {
    prototype[name] = value;
    try {
      assert.equal(detectProvider(telnyx)?.provider, "telnyx", name);
      assert.equal(detectProvider([vonageVideo])?.provider, "vonage", name);
      assert.equal(detectProvider(['{"event":"connected"}']), null, name);
    } finally {
      delete prototype[name];
    }
  }
});
