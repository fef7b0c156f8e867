/**
 * The Node server of the behavioural suite: `node:http` plus the `ws` library, through
 * `@x/ws-transport/node`. Bundled to JavaScript and run by `node` (see `../node_test.ts`);
 * prints `listening <port>`.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import {
  type NodeSessionHandler,
  type NodeUpgradeListener,
  upgradeHandler,
} from "../../../src/adapters/node.ts";
import { ADMISSION, logResponse, optionsFor, runBot, throwingSession } from "../behaviour/bot.ts";

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
/** One upgrade listener per route, made once: the adapter's options are fixed per handler. */
const routes = new Map<string, NodeUpgradeListener>();
function route(pathname: string): NodeUpgradeListener {
  let listener = routes.get(pathname);
  if (!listener) {
    const onSession: NodeSessionHandler = pathname === "/ws-throws"
      ? (_transport, request) => throwingSession(urlOf(request.url))
      : (transport, request) => runBot(transport, urlOf(request.url));
    listener = upgradeHandler(wss, onSession, { ...ADMISSION, ...optionsFor(pathname) });
    routes.set(pathname, listener);
  }
  return listener;
}
server.on("upgrade", (request, socket, head) => {
  void route(urlOf(request.url).pathname)(request, socket, head);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
