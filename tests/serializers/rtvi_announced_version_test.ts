// The version `rtviBotReady` announces is read by `@pipecat-ai/client-js` (pipecat-client-web,
// client-js `client/client.ts`, `handleMessage`, case `BOT_READY`) as
// `data.version.split(".").map(Number)`: one that is no string throws there, in the client's
// message handler, which its WebSocket transport catches and logs ("Failed to deserialize incoming
// message"), so `connect()`, which resolves only in that handler, never does. pipecat's versions
// are three numbers (`PROTOCOL_VERSION = "2.1.0"`; its `_handle_client_ready` takes a client's only
// as three integers). A version of another kind or shape is refused where the reply is made, a
// `TypeError` or a `RangeError` naming it, instead of a client left waiting.
import assert from "node:assert/strict";
import { logger, LogLevel, PipecatClient } from "@pipecat-ai/client-js";
import { WebSocketTransport as PipecatWebSocketTransport } from "@pipecat-ai/websocket-transport";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import type { Frame } from "../../src/frames.ts";
import { StandInMediaManager } from "../runtimes/_stand_in_media_manager.ts";

const clientReady: Frame = {
  type: "message",
  message: { id: "c1", label: "rtvi-ai", type: "client-ready", data: { version: "2.1.0" } },
};

Deno.test("`rtviBotReady` refuses a version that is no string, or not three numbers", () => {
  for (const version of [2, 2.1, true, { major: 2 }]) {
    assert.throws(
      () => rtviBotReady(clientReady, { version: version as never }),
      (e: unknown) => e instanceof TypeError && /RTVI version must be a string/.test(e.message),
      String(version),
    );
  }
  for (const version of ["", "2", "2.1", "v2.1.0", "2.1.0-beta", " 2.1.0"]) {
    assert.throws(
      () => rtviBotReady(clientReady, { version }),
      (e: unknown) => e instanceof RangeError && e.message.includes(JSON.stringify(version)),
      version,
    );
  }
  for (const version of ["2.0.0", "2.1.0", "10.20.30"]) {
    const reply = rtviBotReady(clientReady, { version });
    assert.equal((reply?.message as { data: { version: string } }).data.version, version);
  }
  // Other frames are no client-ready: nothing is made, nothing checked.
  assert.equal(rtviBotReady({ type: "text", text: "hi" }, { version: 2 as never }), null);
});

Deno.test("the pipecat client's bot-ready handler throws on a version that is no string", () => {
  logger.setLevel(LogLevel.ERROR);
  // The client reads `window.navigator` when made; Deno has `navigator` but no `window`.
  const host = globalThis as { window?: unknown };
  const hadWindow = "window" in host;
  if (!hadWindow) host.window = globalThis;
  try {
    const client = new PipecatClient({
      transport: new PipecatWebSocketTransport({ mediaManager: new StandInMediaManager() }),
      enableMic: false,
      enableCam: false,
    });
    const handle = (client as unknown as { handleMessage(message: unknown): void }).handleMessage
      .bind(client);
    const botReady = (version: unknown) => ({
      id: "c1",
      label: "rtvi-ai",
      type: "bot-ready",
      data: { version },
    });
    assert.throws(() => handle(botReady(2)), TypeError);
    handle(botReady("2.1.0"));
  } finally {
    if (!hadWindow) delete host.window;
  }
});
