// Hono on Node: `@hono/node-ws` writes the route's refusal of an upgrade with `socket.end()`
// (1.3.1, `injectWebSocket`), which only half-closes ("Half-closes the socket. i.e., it sends a
// FIN packet", Node's net docs, socket.end), and a `node:http` server keeps its connections
// half-open: as with the Node adapter (node_refusal_close_test.ts), a client that read the
// refusal and never hung up held its connection, a file descriptor, for good.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import { voiceSession } from "../../src/adapters/hono.ts";
import { assertRefusalCloses, watchUpgrades } from "./_node_upgrades.ts";

Deno.test("Hono on Node closes a connection whose upgrade it refused once the refusal is written, whether or not the client hangs up", async () => {
  const app = new Hono();
  const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });
  app.get(
    "/ws",
    voiceSession(upgradeWebSocket, () => {}, { allowedOrigins: ["https://app.example.com"] }),
  );
  const listening = Promise.withResolvers<void>();
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => {
    listening.resolve();
  });
  const connections = watchUpgrades(server);
  injectWebSocket(server);
  await listening.promise;
  const { port } = server.address() as AddressInfo;
  try {
    await assertRefusalCloses(port, connections);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
