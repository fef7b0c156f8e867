/**
 * The Node adapter (`upgradeHandler` on `node:http` and `ws`, run in Deno) served on 127.0.0.1
 * port 0, with the server's end of each upgrade's connection watched from its start (what a
 * client cannot see: whether the server let go of a refused connection).
 *
 * @module
 */

import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";
import { type NodeUpgradeOptions, upgradeHandler } from "../../src/adapters/node.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** The server's end of one upgrade's connection, watched from the moment it asked to upgrade. */
export interface ServerConnection {
  /** The connection's socket. */
  socket: Socket;
  /** Settles once the socket has written all it was given and ended (its "finish"). */
  finished: Promise<unknown>;
  /** Settles once the socket has closed (its "close"). */
  closed: Promise<unknown>;
}

/** Serves `upgradeHandler` (echoing each session) with `options`. */
export async function serveNodeUpgrades(options: NodeUpgradeOptions = {}) {
  const wss = new WebSocketServer({ noServer: true });
  const sessions: WebSocketTransport[] = [];
  const connections: ServerConnection[] = [];
  const server = createServer();
  // Before the adapter's listener: the socket as it arrives, before anything is written on it.
  server.on("upgrade", (_request, socket: Socket) => {
    connections.push({ socket, finished: once(socket, "finish"), closed: once(socket, "close") });
  });
  server.on(
    "upgrade",
    upgradeHandler(wss as never, (t) => {
      sessions.push(t);
      t.readable.pipeTo(t.writable).catch(() => {});
    }, options),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    for (const t of sessions) await t.closed;
    await new Promise((resolve) => server.close(resolve));
  };
  return { port, connections, close };
}
