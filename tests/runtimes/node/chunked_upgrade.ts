/**
 * Under Node, a GET upgrade to `upgradeHandler` whose body is chunked (RFC 9112, 7.1), written
 * byte for byte: prints, as JSON, the status line the server answered. Bundled and run by
 * `../node_chunked_upgrade_test.ts`.
 *
 * @module
 */

import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";

const server = createServer();
server.on(
  "upgrade",
  upgradeHandler(new WebSocketServer({ noServer: true }), (transport) => {
    transport.addEventListener("error", () => {}); // its body read as frames: not the point here
  }),
);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

const conn = connect(port, "127.0.0.1");
conn.write(
  `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
);
const reply = await new Promise<string>((resolve) => conn.once("data", (d) => resolve(`${d}`)));
console.log(JSON.stringify({ status: reply.split("\r\n")[0] }));
conn.destroy();
server.close();
server.closeAllConnections?.();
