// A server's shutdown, given to the Node adapter as `shutdownSignal`: `server.close()` stops
// listening but leaves upgraded connections alone ("Stops the server from accepting new
// connections", Node's http docs, server.close; an upgraded socket is no longer the server's), so
// a live call would be cut only when the process exits. Each session ends with its goodbye and
// 1001 (RFC 6455, 7.4.1: "a server going down"); an upgrade asked for then gets 503 (RFC 9110,
// 15.6.4). `ws` on `node:http`, run in Deno, on 127.0.0.1 port 0, with a real client.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { JsonSerializer, type WebSocketTransport } from "../../mod.ts";
import { sessionsEnded, upgradeHandler } from "../../src/adapters/node.ts";
import { within, WsClient } from "../_ws_client.ts";
import {
  assertFarewellCutAtGrace,
  assertRefusesUpgrades,
  assertSaidGoingAway,
} from "./_shutdown_checks.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";

Deno.test("Node `upgradeHandler`: aborting `shutdownSignal` says each session's goodbye, closes it with 1001 and refuses new upgrades with 503", async () => {
  const shutdown = new AbortController();
  const server = await serveNodeUpgrades({
    serializer: () => new JsonSerializer(),
    shutdownSignal: shutdown.signal,
  });
  let client: WsClient | undefined;
  try {
    client = await WsClient.open(`ws://127.0.0.1:${server.port}/`);
    client.send('{"type":"message","message":"hello"}');
    await client.next(); // echoed: the session is up both ends

    shutdown.abort();
    await assertSaidGoingAway(client);
    await within(sessionsEnded(shutdown.signal), 3000, "the end of every session");

    await assertRefusesUpgrades(server.port);
  } finally {
    await client?.close(); // where the shutdown left it open, so the server can close
    await server.close();
  }
});

Deno.test("Node `upgradeHandler`: past `shutdownGraceMs`, a session playing its farewell gets the shutdown's goodbye and 1001", async () => {
  const shutdown = new AbortController();
  const sessions: WebSocketTransport[] = [];
  const server = createServer();
  server.on(
    "upgrade",
    upgradeHandler(new WebSocketServer({ noServer: true }) as never, (transport) => {
      sessions.push(transport);
      // The bot's last words as it answers: a minute of speech, then its `end`.
      transport.addEventListener("connected", () => {
        const audio = new Uint8Array(1_920_000);
        transport.send({ type: "audio", audio, sampleRate: 16000, channels: 1 });
        void transport.send({ type: "end" });
      });
    }, {
      serializer: () => new JsonSerializer(),
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      shutdownSignal: shutdown.signal,
      shutdownGraceMs: 200,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let client: WsClient | undefined;
  try {
    client = await WsClient.open(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await assertFarewellCutAtGrace(client!, () => sessions[0]!, shutdown, 1_920_000);
  } finally {
    await client?.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

Deno.test("Node `upgradeHandler`: a `shutdownGraceMs` that is no number is a TypeError naming it, where the handler is made", () => {
  const wss = { handleUpgrade() {} };
  const shutdownGraceMs = "5000" as unknown as number; // from an environment variable, unparsed
  assert.throws(() => upgradeHandler(wss, () => {}, { shutdownGraceMs }), {
    name: "TypeError",
    message: "shutdownGraceMs must be a number of milliseconds, got a string (5000)",
  });
});
