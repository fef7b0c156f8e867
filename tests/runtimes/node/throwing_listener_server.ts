/**
 * A Node server (`node:http` plus `ws`) whose sessions run `../throwing_listener_bot.ts`: bundled
 * to JavaScript and run by `node`; prints `listening <port>`.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";
import { log, throwingListenerBot } from "../throwing_listener_bot.ts";

const pathOf = (url = "/") => new URL(url, "http://127.0.0.1").pathname;
const server = createServer((request, response) => {
  const found = pathOf(request.url) === "/log";
  response.writeHead(found ? 200 : 404, { "content-type": "application/json" });
  response.end(JSON.stringify(found ? log : "not found"));
});
const onUpgrade = upgradeHandler(
  new WebSocketServer({ noServer: true }),
  (transport, request) => throwingListenerBot(transport, pathOf(request.url)),
);
server.on("upgrade", (request, socket, head) => void onUpgrade(request, socket, head));
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
