// Vonage's first message carries the application's own fields beside its own: the Voice API's
// WebSockets guide shows `websocket:connected` with `content-type` and the NCCO websocket
// endpoint's `headers` side by side in one object (NCCO reference, connect action, WebSocket
// endpoint: `headers`); the Video API's Audio Connector sends the same object without `event`
// (Audio Connector guide, "Starting a WebSocket connection": `content-type` beside the `headers`
// given to the connect call). `VonageSerializer` reads those headers as the start's params. A
// header set named like another provider's fields (ConversationRelay's `setup` has `type` and
// `sessionId`; Genesys's `open` has `version` "2", `type` and `id`) made detection pick that
// provider, whose serializer then refused the whole call.
import assert from "node:assert/strict";
import { detectProvider } from "../../src/serializers/detect_provider.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { StartFrame } from "../../src/frames.ts";

const HEADER_SETS = [
  { type: "setup", sessionId: "web-session-1" },
  { version: "2", type: "inbound", id: "agent-7" },
];

Deno.test("`detectProvider` tells Vonage by its own `websocket:` event and L16 content type, whatever its custom headers name", () => {
  for (const headers of HEADER_SETS) {
    const voice = {
      event: "websocket:connected",
      "content-type": "audio/l16;rate=16000",
      ...headers,
    };
    const video = { "content-type": "audio/l16;rate=16000", ...headers };
    for (const first of [voice, video]) {
      const detected = detectProvider([JSON.stringify(first)]);
      assert.equal(detected?.provider, "vonage", JSON.stringify(first));
      assert.ok(detected.serializer instanceof VonageSerializer);
      detected.serializer.setup?.({
        inputSampleRate: 16000,
        inputChannels: 1,
        outputSampleRate: 16000,
        outputChannels: 1,
      });
      const start = detected.serializer.deserialize(JSON.stringify(first)) as StartFrame;
      assert.equal(start.params?.type, headers.type, "the headers reach the bot as params");
    }
  }
});

Deno.test("`detectProvider` still tells ConversationRelay and Genesys by those fields where Vonage's are absent", () => {
  const [setup, open] = HEADER_SETS;
  assert.equal(detectProvider([JSON.stringify(setup)])?.provider, "conversationrelay");
  assert.equal(detectProvider([JSON.stringify(open)])?.provider, "genesys");
  // A content type that is not Vonage's audio does not make a message Vonage's.
  const notAudio = { "content-type": "text/plain", ...setup };
  assert.equal(detectProvider([JSON.stringify(notAudio)])?.provider, "conversationrelay");
});
