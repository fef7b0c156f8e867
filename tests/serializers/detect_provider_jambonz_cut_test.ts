// jambonz's first message, as its own source builds it (jambonz/jambonz-feature-server,
// `lib/tasks/listen.js`, `_startListening`): `Object.assign({sampleRate, mixType},
// callInfo.toJSON(), verb.metadata)`, handed to mod_audio_fork as its metadata, which keeps 8192
// bytes of it (`MAX_METADATA_LEN`, `mod_audio_fork.h`; `strncpy`). A listen verb with a large
// `metadata` or `customerData` reaches the socket cut, no JSON, and it is the only text jambonz
// sends before the audio (docs.jambonz.org, Verbs → listen: "one text frame is sent immediately
// after the websocket connection is established … the remote side should expect to receive only
// binary frames"). `JambonzSerializer` starts the call on what came before the cut; detection
// skipped the message as "not JSON" and never told the provider, so the server gave the call up.
import assert from "node:assert/strict";
import { detectProvider } from "../../src/serializers/detect_provider.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import type { StartFrame } from "../../src/frames.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

/** `Object.assign({sampleRate, mixType}, callInfo, metadata)`, key order and all. */
function listenMetadata(metadata: Record<string, unknown>): string {
  const callInfo = {
    callSid: "b6c7a1de-0a1b-4c2d-9e3f-112233445566",
    direction: "inbound",
    from: "+15083728299",
    to: "+15083728300",
    callId: "7c0e5a3e-sip-call-id@10.0.0.1",
    accountSid: "acct-9f1e",
    applicationSid: "app-1",
    customerData: { tier: "gold" },
  };
  return JSON.stringify(Object.assign({ sampleRate: 8000, mixType: "mono" }, callInfo, metadata));
}

Deno.test("`detectProvider` tells jambonz from its first message cut at mod_audio_fork's 8192 bytes, and its serializer starts the call", () => {
  const cut = listenMetadata({ transcript: "x".repeat(9000) }).slice(0, 8192);
  assert.throws(() => JSON.parse(cut), SyntaxError, "the cut message is no JSON");
  const detected = detectProvider([cut]);
  assert.equal(detected?.provider, "jambonz");
  assert.ok(detected.serializer instanceof JambonzSerializer);
  detected.serializer.setup?.(SETUP);
  const start = detected.serializer.deserialize(cut) as StartFrame;
  assert.equal(start.type, "start");
  assert.equal(start.callId, "b6c7a1de-0a1b-4c2d-9e3f-112233445566");
});

Deno.test("`detectProvider` tells jambonz whatever the verb's metadata names, `event` among them", () => {
  // The verb's metadata is the application's own, beside the call's attributes: a key named as
  // another provider's field does not make the message that provider's.
  for (
    const metadata of [
      { event: "support-line" },
      { type: "setup", sessionId: "web-session-1" }, // ConversationRelay's `setup` fields
      { version: "2", type: "inbound", id: "agent-7" }, // Genesys's `open` fields
    ]
  ) {
    assert.equal(
      detectProvider([listenMetadata(metadata)])?.provider,
      "jambonz",
      JSON.stringify(metadata),
    );
  }
  // Text that is cut JSON of another shape is still no evidence.
  assert.equal(detectProvider(['{"sampleRate":8000,"mix']), null);
  assert.equal(detectProvider(['{"event":"start","start":{"callSid":"CA1"']), null);
});
