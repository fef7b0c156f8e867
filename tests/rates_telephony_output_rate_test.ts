// `TelephonyAudio.setup` checked the transport's input rate against the resampler's rates, not
// its output rate. With `audioOut.sampleRate` 11025 (the transport takes 1 to 384,000 Hz) every
// chunk the bot writes, as the transport told it to, and every background slot, was an `encode`
// error: the bot was never heard for the whole call, though the rate was known before the first
// message. Now refused at set-up as the input rate is, the session ends at once with the rate
// named and the rates listed.
// Twilio's outbound media is audio/x-mulaw at 8000 Hz ("Send audio back to Twilio", Media Streams
// WebSocket messages, https://www.twilio.com/docs/voice/media-streams/websocket-messages): the bot's
// audio must be resampled to it, and 11025 Hz cannot be.
import assert from "node:assert/strict";
import { TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";

Deno.test("TwilioSerializer: an audioOut.sampleRate the resampler does not take is refused at set-up", async () => {
  const clock = new FakeClock();
  const { server } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new TwilioSerializer(),
    audioOut: { sampleRate: 11025 },
    clock,
  });
  const errors: unknown[] = [];
  transport.addEventListener(
    "error",
    (e) => errors.push((e as ErrorEvent).error),
  );
  await clock.tick(0); // a set-up that throws is held for the first listener, a task on
  try {
    assert.equal(errors.length, 1, "the refused set-up, reported");
    assert.ok(errors[0] instanceof TransportError);
    assert.match(
      String(errors[0]),
      /serializer setup failed: .*outputSampleRate must be one of 8000, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 96000, 192000 Hz, got 11025/,
    );
    assert.equal(
      transport.ending,
      true,
      "the session ends, its output never encodable",
    );
  } finally {
    await transport.close();
  }
});
