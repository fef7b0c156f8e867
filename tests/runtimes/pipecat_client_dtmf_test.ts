// The official pipecat JS client's keypad, end to end: `PipecatClient.sendDTMF` (client-js 1.13,
// from npm, unmodified) against a Deno server speaking `ProtobufSerializer`. The client sends its
// keys as an RTVI `dtmf` message once a bot of protocol 2.0+ is ready (`{buttons}` for 2.1.0, the
// version `rtviBotReady` announces); pipecat's own server makes each key an `InputDTMFFrame`
// (`processors/frameworks/rtvi/processor.py`, `_handle_dtmf`), and so the bot reads `dtmf` frames.
import assert from "node:assert/strict";
import { logger, LogLevel, PipecatClient } from "@pipecat-ai/client-js";
import { WebSocketTransport as PipecatWebSocketTransport } from "@pipecat-ai/websocket-transport";
import { upgrade } from "../../src/adapters/deno.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import type { DtmfFrame, Frame } from "../../src/frames.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { within } from "../_ws_client.ts";
import { StandInMediaManager } from "./_stand_in_media_manager.ts";

Deno.test("the pipecat JS client's sendDTMF reaches the bot as dtmf frames, key by key", async () => {
  logger.setLevel(LogLevel.WARN);
  const keys: DtmfFrame[] = [];
  const messages: unknown[] = [];
  let threeKeys!: () => void;
  const pressed = new Promise<void>((resolve) => threeKeys = resolve);
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
      for await (const frame of transport.readable as AsyncIterable<Frame>) {
        const reply = rtviBotReady(frame);
        if (reply) await writer.write(reply);
        else if (frame.type === "message") messages.push(frame.message);
        else if (frame.type === "dtmf") {
          keys.push(frame);
          if (keys.length === 3) threeKeys();
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
  const client = new PipecatClient({
    transport: new PipecatWebSocketTransport({ mediaManager: new StandInMediaManager() }),
    enableMic: true,
    enableCam: false,
  });
  try {
    const connecting = client.connect({ wsUrl: `ws://127.0.0.1:${server.addr.port}/` });
    const ready = await within(connecting, 5000, "bot-ready");
    assert.equal(ready.version, "2.1.0");
    client.sendDTMF("9*#");
    await within(pressed, 5000, "three dtmf frames");
    assert.deepEqual(keys, [
      { type: "dtmf", digit: "9" },
      { type: "dtmf", digit: "*" },
      { type: "dtmf", digit: "#" },
    ]);
    assert.deepEqual(messages, [], "no RTVI dtmf message left for the bot to read");
  } finally {
    await client.disconnect();
    await session?.closed;
    await bot;
    await server.shutdown();
    if (!hadWindow) delete host.window;
  }
});
