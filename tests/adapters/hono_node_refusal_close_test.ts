// Hono on Node: `@hono/node-ws` writes the route's refusal of an upgrade with `socket.end()`
// (1.3.1, `injectWebSocket`), which only half-closes ("Half-closes the socket. i.e., it sends a
// FIN packet", Node's net docs, socket.end), and a `node:http` server keeps its connections
// half-open: as with the Node adapter (node_refusal_close_test.ts), a client that read the
// refusal and never hung up held its connection, a file descriptor, for good.
import assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import { voiceSession } from "../../src/adapters/hono.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

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
  const sockets: { finished: Promise<unknown>; socket: Socket; closed: Promise<unknown> }[] = [];
  server.on("upgrade", (_request, socket: Socket) => {
    sockets.push({ socket, finished: once(socket, "finish"), closed: once(socket, "close") });
  });
  injectWebSocket(server);
  await listening.promise;
  const { port } = server.address() as AddressInfo;
  const conn = await sendRawUpgrade(port, "Origin: https://evil.example\r\n");
  try {
    assert.equal(await readStatusLine(conn), "HTTP/1.1 403 Forbidden");
    const [connection] = sockets;
    assert.ok(connection !== undefined);
    await connection.finished; // the refusal is written: the client keeps its end open
    assert.equal(connection.socket.destroyed, true, "the server still holds the connection");
    await connection.closed;
  } finally {
    conn.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
