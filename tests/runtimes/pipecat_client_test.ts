// The official pipecat JS client (`@pipecat-ai/client-js` + `@pipecat-ai/websocket-transport`
// from npm, unmodified) against a Deno server speaking `ProtobufSerializer` through
// `WebSocketTransport`. The client runs in Deno itself: Deno has a WebSocket client, and the one
// browser-only piece, the media manager (microphone and speaker), is replaced by a stand-in that
// feeds a synthetic 16 kHz tone as the microphone and records what it is given to play.
import assert from "node:assert/strict";
import { logger, LogLevel, PipecatClient } from "@pipecat-ai/client-js";
import { WebSocketTransport as PipecatWebSocketTransport } from "@pipecat-ai/websocket-transport";
import { upgrade } from "../../src/adapters/deno.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { analyze, tone } from "../serializers/fixtures/telephony_harness.ts";
import { within } from "../_ws_client.ts";
import { StandInMediaManager } from "./_stand_in_media_manager.ts";

Deno.test("the pipecat JS client connects, streams 16 kHz mic audio and plays our 24 kHz audio", async () => {
  logger.setLevel(LogLevel.WARN);
  const inbound: AudioFrame[] = [];
  const messages: unknown[] = [];
  let session: WebSocketTransport | undefined;
  let bot: Promise<void> | undefined;

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      serializer: new ProtobufSerializer(),
      audioIn: { sampleRate: 16000, channels: 1 },
      audioOut: { sampleRate: 24000, channels: 1, chunkMs: 20 },
    });
    if (!transport) return response;
    session = transport;
    bot = (async () => {
      const writer = transport.writable.getWriter();
      let spoke = false;
      for await (const frame of transport.readable as AsyncIterable<Frame>) {
        const reply = rtviBotReady(frame);
        if (reply) {
          await writer.write(reply);
          continue;
        }
        if (frame.type === "message") messages.push(frame.message);
        if (frame.type !== "audio") continue;
        inbound.push(frame);
        if (!spoke && inbound.length >= 5) {
          spoke = true;
          // 300 ms of a 1 kHz tone at 24 kHz, in 20 ms frames.
          const speech = tone(1000, 24000, 7200, 0.5);
          for (let at = 0; at < speech.length; at += 480) {
            const chunk = speech.slice(at, at + 480);
            await writer.write({
              type: "audio",
              audio: new Uint8Array(chunk.buffer),
              sampleRate: 24000,
              channels: 1,
            });
          }
        }
      }
      writer.releaseLock();
    })();
    return response;
  });

  // The client reads `window.navigator.userAgent` to describe itself in client-ready; Deno 2 has
  // `navigator` but no `window`, so the browser's alias of the global object stands in for it.
  const host = globalThis as { window?: unknown };
  const hadWindow = "window" in host;
  if (!hadWindow) host.window = globalThis;
  const media = new StandInMediaManager();
  const client = new PipecatClient({
    transport: new PipecatWebSocketTransport({ mediaManager: media }),
    enableMic: true,
    enableCam: false,
  });
  try {
    // connect() resolves only on bot-ready; without one it would wait forever, so bound it.
    const connecting = client.connect({ wsUrl: `ws://127.0.0.1:${server.addr.port}/` });
    const ready = await within(connecting, 5000, "bot-ready");
    assert.equal(ready.version, "2.1.0");

    await media.playedAtLeast(7200, 5000);
    // The microphone arrived as 16 kHz mono audio frames carrying the tone.
    assert.ok(inbound.length >= 5);
    assert.ok(inbound.every((f) => f.sampleRate === 16000 && f.channels === 1));
    const mic = new Int16Array(inbound.reduce((n, f) => n + f.audio.length / 2, 0));
    let at = 0;
    for (const f of inbound) {
      mic.set(new Int16Array(f.audio.slice().buffer), at);
      at += f.audio.length / 2;
    }
    assert.ok(Math.abs(analyze(mic, 16000).frequency - 440) < 2);
    // What the client was given to play is our 24 kHz tone, sample for sample in frequency and level.
    const played = new Int16Array(media.played.reduce((n, s) => n + s.length, 0));
    at = 0;
    for (const s of media.played) {
      played.set(s, at);
      at += s.length;
    }
    const heard = analyze(played, 24000);
    assert.ok(Math.abs(heard.frequency - 1000) < 2, `played ${heard.frequency} Hz`);
    assert.ok(Math.abs(heard.dbfs - analyze(tone(1000, 24000, 7200, 0.5), 24000).dbfs) < 0.1);
    assert.deepEqual(messages, []); // client-ready was answered, nothing else was sent
  } finally {
    await client.disconnect();
    await session?.closed;
    await bot;
    await server.shutdown();
    if (!hadWindow) delete host.window;
  }
});
