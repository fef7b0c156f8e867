/**
 * The Node adapter (`upgradeHandler` on `node:http` and `ws`, run in Deno) served on 127.0.0.1
 * port 0, with the server's end of each upgrade's connection watched from its start (what a
 * client cannot see: whether the server let go of a refused connection).
 *
 * @module
 */

import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";
import { type NodeUpgradeOptions, upgradeHandler } from "../../src/adapters/node.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

/** The server's end of one upgrade's connection, watched from the moment it asked to upgrade. */
export interface ServerConnection {
  /** The connection's socket. */
  socket: Socket;
  /** Settles once the socket has written all it was given and ended (its "finish"). */
  finished: Promise<unknown>;
  /** Settles once the socket has closed (its "close"). */
  closed: Promise<unknown>;
}

/** Watches the server's end of each upgrade's connection `server` (a `node:http` server) gets. */
export function watchUpgrades(server: {
  on(event: "upgrade", listener: (request: unknown, socket: Socket) => void): unknown;
}): ServerConnection[] {
  const connections: ServerConnection[] = [];
  server.on("upgrade", (_request, socket) => {
    connections.push({ socket, finished: once(socket, "finish"), closed: once(socket, "close") });
  });
  return connections;
}

/**
 * Asks `port` for an upgrade from an origin it refuses and checks that the server, once its 403
 * is written, closes the connection itself while the client keeps its end open.
 */
export async function assertRefusalCloses(
  port: number,
  connections: readonly ServerConnection[],
): Promise<void> {
  const conn = await sendRawUpgrade(port, "Origin: https://evil.example\r\n");
  try {
    assert.equal(await readStatusLine(conn), "HTTP/1.1 403 Forbidden");
    const [connection] = connections;
    assert.ok(connection !== undefined);
    await connection.finished; // the refusal is written: the client keeps its end open
    assert.equal(connection.socket.destroyed, true, "the server still holds the connection");
    await connection.closed;
  } finally {
    conn.close();
  }
}

/** Serves `upgradeHandler` (echoing each session) with `options`. */
export async function serveNodeUpgrades(options: NodeUpgradeOptions = {}) {
  const wss = new WebSocketServer({ noServer: true });
  const sessions: WebSocketTransport[] = [];
  const server = createServer();
  // Before the adapter's listener: the socket as it arrives, before anything is written on it.
  const connections = watchUpgrades(server);
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
