/**
 * A Node server (`upgradeHandler` on `node:http` and `ws`) whose upgrades answer the subprotocol
 * `audio.v1`, given as `protocol`, for `../node_subprotocol_test.ts`. Routes:
 *
 * - `/`: a plain `WebSocketServer`, where `ws` completes the upgrade inside `handleUpgrade`;
 * - `/async`: one with an asynchronous `verifyClient`, where `ws` completes it a turn later;
 * - `/ws-default`: no `protocol`, what `ws` answers by itself;
 * - `/own`: no `protocol`, the server's own `handleProtocols` (it answers `custom`);
 * - `/jambonz`, `/asterisk`: two handlers (`audio.jambonz.org`, `media`) on one server whose
 *   asynchronous `verifyClient` holds each handshake until two are waiting, then lets both on.
 *
 * GET `/settings` says whether every server's settings are still its own. Prints
 * `listening <port>`.
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

type Done = (verified: boolean) => void;

const echo: NodeSessionHandler = (transport) => {
  transport.readable.pipeTo(transport.writable).catch(() => {});
};

const plain = new WebSocketServer({ noServer: true });
const later = (_info: unknown, done: Done) => void setTimeout(() => done(true), 5);
const asynchronous = new WebSocketServer({ noServer: true, verifyClient: later });
const ownChoice = (offered: Set<string>) => offered.has("custom") ? "custom" : false;
const own = new WebSocketServer({ noServer: true, handleProtocols: ownChoice });
const waiting: (() => void)[] = [];
const inPairs = (_info: unknown, done: Done) => {
  waiting.push(() => done(true));
  if (waiting.length === 2) { for (const letOn of waiting.splice(0)) letOn(); }
};
const shared = new WebSocketServer({ noServer: true, verifyClient: inPairs });

const routes = new Map<string, NodeUpgradeListener>([
  ["/", upgradeHandler(plain, echo, { protocol: "audio.v1" })],
  ["/async", upgradeHandler(asynchronous, echo, { protocol: "audio.v1" })],
  ["/ws-default", upgradeHandler(plain, echo)],
  ["/own", upgradeHandler(own, echo)],
  ["/jambonz", upgradeHandler(shared, echo, { protocol: "audio.jambonz.org" })],
  ["/asterisk", upgradeHandler(shared, echo, { protocol: "media" })],
]);

/** Whether each server's settings are the ones it was made with. */
function settingsKept(): boolean {
  const { options } = asynchronous;
  return plain.options.handleProtocols === null && options.handleProtocols === null &&
    options.verifyClient === later && own.options.handleProtocols === ownChoice &&
    shared.options.handleProtocols === null && shared.options.verifyClient === inPairs &&
    [plain, asynchronous, own, shared].every((wss) => wss.options.maxPayload === 100 * 1024 * 1024);
}

const server = createServer((request, response) => {
  response.end(request.url === "/settings" ? String(settingsKept()) : "voice bot\n");
});
server.on("upgrade", (request, socket, head) => {
  const route = routes.get(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
  if (route) void route(request, socket, head);
  else socket.destroy();
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as { port: number }).port}`);
});
