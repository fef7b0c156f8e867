/**
 * The behavioural suite's Hono app on Node: `@hono/node-server` plus `@hono/node-ws`. Bundled
 * to JavaScript and run by `node` (see `../hono_test.ts`); prints `listening <port>`.
 *
 * @module
 */

import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import { behaviourApp } from "./app.ts";

const root = new Hono();
const { injectWebSocket, upgradeWebSocket, wss } = createNodeWebSocket({ app: root });
wss.options.maxPayload = 1 << 20; // the transport's maxMessageBytes, as the README says
root.route("/", behaviourApp(upgradeWebSocket));
const server = serve({ fetch: root.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  console.log(`listening ${info.port}`);
});
injectWebSocket(server);
