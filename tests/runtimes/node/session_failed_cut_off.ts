/**
 * Under Node, an upgrade to `upgradeHandler` whose session cannot start (its `serializer` function
 * throws), from a raw client that reads the 1011 close and never answers it: prints, as JSON, the
 * close code read and how long after it the server let the connection go (`closeTimeoutMs` is
 * 200; `ws`'s own close timer is 30 s). Bundled and run by `../node_session_failed_cut_off_test.ts`.
 *
 * @module
 */

import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";

console.error = () => {}; // the failure is logged, by design
const server = createServer();
server.on(
  "upgrade",
  upgradeHandler(new WebSocketServer({ noServer: true }), () => {}, {
    serializer: () => {
      throw new Error("no serializer for this call");
    },
    closeTimeoutMs: 200,
  }),
);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

const conn = connect(port, "127.0.0.1");
conn.write(
  `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
);
let bytes = Buffer.alloc(0);
let closeCode: number | undefined;
let closeReadAt = 0;
conn.on("data", (data: Buffer) => {
  bytes = Buffer.concat([bytes, data]);
  const head = bytes.indexOf("\r\n\r\n");
  // The close frame after the 101's head (RFC 6455 §5.2: opcode 0x8, unmasked, a 7-bit length;
  // §5.5.1: the code in its first two bytes), read and never answered.
  if (closeCode === undefined && head >= 0 && bytes.length >= head + 4 + 4) {
    const frame = bytes.subarray(head + 4);
    if ((frame[0]! & 0x0f) === 0x8) {
      closeCode = frame.readUInt16BE(2);
      closeReadAt = performance.now();
    }
  }
});
// The server's end: the client's stream ends (at 30 s at the latest, ws's own close timer).
await new Promise((resolve) => conn.once("close", resolve));
const heldMs = Math.round(performance.now() - closeReadAt);
console.log(JSON.stringify({ closeCode, heldMs }));
server.close();
