// One call of the official pipecat JS client (`@pipecat-ai/client-js` + `@pipecat-ai/
// websocket-transport` from npm, unmodified) against a Deno server on 127.0.0.1 port 0 speaking
// `ProtobufSerializer` through `WebSocketTransport`, for the tests that drive the client: the
// server answers the client's `client-ready` (`rtviBotReady`) and hands every other frame to the
// test's bot; the client runs in Deno with the stand-in media manager.
import assert from "node:assert/strict";
import { logger, LogLevel, PipecatClient } from "@pipecat-ai/client-js";
import { WebSocketTransport as PipecatWebSocketTransport } from "@pipecat-ai/websocket-transport";
import { upgrade } from "../../src/adapters/deno.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import type { Frame } from "../../src/frames.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { within } from "../_ws_client.ts";
import { StandInMediaManager } from "./_stand_in_media_manager.ts";

/** What a test's bot is handed for each frame the client sent, but the `client-ready` answered. */
export type PipecatBot = (
  frame: Frame,
  writer: WritableStreamDefaultWriter<Frame>,
) => void | Promise<void>;

/**
 * Runs `test` with a client connected (bot-ready seen, protocol 2.1.0) to a server whose bot is
 * `bot` (16 kHz mono in, 24 kHz mono out in 20 ms chunks, as the client sends and plays), and the
 * server's session; the client disconnected, the session and the server ended afterwards,
 * whatever `test` did.
 */
export async function withPipecatClient(
  bot: PipecatBot,
  test: (
    client: PipecatClient,
    media: StandInMediaManager,
    session: WebSocketTransport,
  ) => Promise<void>,
): Promise<void> {
  logger.setLevel(LogLevel.WARN);
  let session: WebSocketTransport | undefined;
  let running: Promise<void> | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      serializer: new ProtobufSerializer(),
      audioIn: { sampleRate: 16000, channels: 1 },
      audioOut: { sampleRate: 24000, channels: 1, chunkMs: 20 },
    });
    if (!transport) return response;
    session = transport;
    running = (async () => {
      const writer = transport.writable.getWriter();
      for await (const frame of transport.readable as AsyncIterable<Frame>) {
        const reply = rtviBotReady(frame);
        if (reply) await writer.write(reply);
        else await bot(frame, writer);
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
    await test(client, media, session!); // upgraded before the bot-ready it answered
  } finally {
    await client.disconnect();
    await session?.closed;
    await running;
    await server.shutdown();
    if (!hadWindow) delete host.window;
  }
}
