/**
 * The Node server of the behavioural suite: `node:http` plus the `ws` library, through
 * `@x/ws-transport/node`. Bundled to JavaScript and run by `node` (see `../node_test.ts`);
 * prints `listening <port>`.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";
import { ADMISSION, BLAST_OPTIONS, ECHO_OPTIONS, logResponse, runBot } from "../behaviour/bot.ts";

const wss = new WebSocketServer({ noServer: true });
const urlOf = (path = "/") => new URL(path, "http://127.0.0.1");
const server = createServer(async (request, response) => {
  const url = urlOf(request.url);
  const reply = url.pathname === "/log"
    ? await logResponse(url)
    : new Response("not found", { status: 404 });
  response.writeHead(reply.status, { "content-type": "application/json" });
  response.end(await reply.text());
});
const echo = upgradeHandler(wss, (t, request) => runBot(t, urlOf(request.url)), {
  ...ADMISSION,
  ...ECHO_OPTIONS,
});
const blast = upgradeHandler(wss, (t, request) => runBot(t, urlOf(request.url)), {
  ...ADMISSION,
  ...BLAST_OPTIONS,
});
server.on("upgrade", (request, socket, head) => {
  const route = urlOf(request.url).pathname === "/ws-blast" ? blast : echo;
  void route(request, socket, head);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
