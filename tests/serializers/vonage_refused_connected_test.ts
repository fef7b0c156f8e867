// developer.vonage.com, Voice API, "WebSockets": "First message": the connection opens with
// `websocket:connected`, whose `content-type` (`audio/l16;rate=16000` or `audio/l16;rate=8000`)
// is the audio format of the whole connection; "Binary audio messages": every binary message after
// it is 20 ms of 16-bit linear PCM at that rate. A `websocket:connected` naming a format we refuse
// (another codec, a rate Vonage does not stream at) says the binary messages after it are in that
// format: decoded at the rate before, they would reach the bot as speech at the wrong speed. They
// are refused until a `websocket:connected` we read, as the other telephony serializers refuse the
// media after a `start` they cannot decode: each counted in `decodeErrors`, the first reported.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import type { Frame } from "../../src/frames.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const connected = (contentType: string) =>
  JSON.stringify({ event: "websocket:connected", "content-type": contentType });

for (
  const { contentType, frameBytes } of [
    { contentType: "audio/l16;rate=48000", frameBytes: 1920 }, // 20 ms at 48 kHz
    { contentType: "audio/pcmu;rate=8000", frameBytes: 160 }, // 20 ms of G.711 μ-law
  ]
) {
  Deno.test(`\`VonageSerializer\` refuses the binary media after a websocket:connected of ${contentType}, until one it reads`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, {
      serializer: new VonageSerializer(),
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000 },
      clock,
    });
    const heard: Frame[] = [];
    const errors: TransportError[] = [];
    transport.addEventListener("error", (event) => errors.push(event.error));
    transport.receive((frame) => void heard.push(frame));

    pair.client.send(connected(contentType));
    for (let i = 0; i < 10; i++) pair.client.send(new Uint8Array(frameBytes));
    await clock.tick(0);
    assert.equal(
      heard.filter((frame) => frame.type === "audio").length,
      0,
      "no audio decoded at a rate the far end did not announce",
    );
    assert.equal(transport.stats.decodeErrors, 11, "the connected message and each frame after it");
    assert.deepEqual(errors.map((error) => error.code), ["decode", "decode"], "reported once");
    assert.match(errors[1]!.message, /refused/);

    // Vonage's own format again: its media is the caller's speech.
    pair.client.send(connected("audio/l16;rate=16000"));
    pair.client.send(new Uint8Array(640));
    await clock.tick(0);
    assert.deepEqual(heard.map((frame) => frame.type), ["start", "audio"]);
    assert.equal(transport.stats.decodeErrors, 11);
    pair.client.close(1000);
    await transport.closed;
  });
}
