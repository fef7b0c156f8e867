// A server's shutdown, given to the Hono adapter as `shutdownSignal`, on Hono + Deno.serve and
// Hono + Node (@hono/node-server, @hono/node-ws): each live call gets its goodbye and 1001 (RFC
// 6455, 7.4.1: "a server going down"), then upgrades get 503 (RFC 9110, 15.6.4). Real servers on
// 127.0.0.1 port 0, real clients.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import { type Context, Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { HonoUpgradeWebSocket } from "../../src/adapters/hono.ts";
import { JsonSerializer } from "../../mod.ts";
import { sessionsEnded, voiceSession } from "../../src/adapters/hono.ts";
import { within, WsClient } from "../_ws_client.ts";
import { assertRefusesUpgrades, assertSaidGoingAway } from "./_shutdown_checks.ts";

/** An echo route at `/ws` on `app`, its sessions ended by `shutdown`. */
function echoRoute<U>(
  app: Hono,
  upgrade: HonoUpgradeWebSocket<Context, U>,
  shutdown: AbortSignal,
): void {
  app.get(
    "/ws",
    voiceSession(upgrade, (transport) => {
      void transport.readable.pipeTo(transport.writable).catch(() => {});
    }, { serializer: () => new JsonSerializer(), shutdownSignal: shutdown }),
  );
}

/** Checks, on the server at `port`, that the shutdown ends a live call and refuses the next. */
async function assertShutdown(port: number, shutdown: AbortController): Promise<void> {
  const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
  try {
    client.send('{"type":"message","message":"hello"}');
    await client.next(); // echoed: the session is up both ends
    shutdown.abort();
    await assertSaidGoingAway(client);
    await within(sessionsEnded(shutdown.signal), 3000, "the end of every session");
    await assertRefusesUpgrades(port);
  } finally {
    await client.close(); // where the shutdown left it open, so the server can close
  }
}

Deno.test("Hono `voiceSession` on Deno: aborting `shutdownSignal` says each session's goodbye, closes it with 1001 and refuses new upgrades with 503", async () => {
  const shutdown = new AbortController();
  const app = new Hono();
  echoRoute(app, upgradeWebSocket, shutdown.signal);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    await assertShutdown(server.addr.port, shutdown);
  } finally {
    await server.shutdown();
  }
});

Deno.test("Hono `voiceSession` on Node: aborting `shutdownSignal` says each session's goodbye, closes it with 1001 and refuses new upgrades with 503", async () => {
  const shutdown = new AbortController();
  const app = new Hono();
  const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });
  echoRoute(app, upgradeWebSocket, shutdown.signal);
  const listening = Promise.withResolvers<void>();
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => {
    listening.resolve();
  });
  injectWebSocket(server);
  await listening.promise;
  try {
    await assertShutdown((server.address() as AddressInfo).port, shutdown);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
