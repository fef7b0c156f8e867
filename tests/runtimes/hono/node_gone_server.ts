/**
 * Hono on Node (`@hono/node-server`, `@hono/node-ws`) with an `authorize` that takes 100 ms, for
 * a client that goes away before the upgrade completes (see `../hono_test.ts`), set up as the
 * README says. `GET /sessions?ended=N` answers `{ started, ended }` once N sessions have ended (or
 * after 5 s); prints `listening <port>`.
 *
 * @module
 */

import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import { voiceSession } from "../../../src/adapters/hono.ts";

let started = 0;
let ended = 0;
const waiting: (() => void)[] = [];
const app = new Hono();
const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });
app.get("/sessions", async (c) => {
  const count = Number(c.req.query("ended") ?? 1);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    const check = () => {
      if (ended < count) return void waiting.push(check);
      clearTimeout(timer);
      resolve();
    };
    check();
  });
  return c.json({ started, ended });
});
app.get(
  "/calls/:agent",
  voiceSession(upgradeWebSocket, (transport) => {
    started++;
    void transport.closed.then(() => {
      ended++;
      for (const wake of waiting.splice(0)) wake();
    });
    void transport.readable.pipeTo(transport.writable);
  }, {
    authorize: async () => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a token check against a store
      return true;
    },
  }),
);
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  console.log(`listening ${info.port}`);
});
// As the README says: @hono/node-ws writes to the raw socket with no "error" listener.
server.on("upgrade", (_request, socket) => socket.on("error", () => socket.destroy()));
injectWebSocket(server);
