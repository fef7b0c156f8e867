/**
 * Under Node, a session of `upgradeHandler` with `maxMessageBytes: 1000` reads one message, then
 * `ws`'s client sends one over the limit, which the server's `ws` refuses from its frame header:
 * prints, as JSON, the close code the client got and what the session counted. Bundled and run by
 * `../node_refused_message_counted_test.ts`.
 *
 * @module
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";
import type { WebSocketTransport } from "../../../src/transport.ts";

let made!: (transport: WebSocketTransport) => void;
const session = new Promise<WebSocketTransport>((resolve) => (made = resolve));
const server = createServer();
server.on(
  "upgrade",
  upgradeHandler(new WebSocketServer({ noServer: true }), (transport) => {
    transport.addEventListener("error", () => {}); // the refusal is expected
    transport.readable.pipeTo(transport.writable).catch(() => {});
    made(transport);
  }, { maxMessageBytes: 1000 }),
);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

const client = new WebSocket(`ws://127.0.0.1:${port}`);
await new Promise((resolve) => client.once("open", resolve));
const closed = new Promise<number>((resolve) => client.once("close", resolve));
client.send(JSON.stringify({ hello: "there" }));
await new Promise((resolve) => client.once("message", resolve)); // read and echoed
client.send(new Uint8Array(1001));
const code = await closed;
const transport = await session;
await transport.closed;
const { messagesIn, decodeErrors } = transport.stats;
console.log(JSON.stringify({ code, messagesIn, decodeErrors }));
server.close();
