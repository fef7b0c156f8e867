/**
 * A Bun server whose sessions run `../throwing_listener_bot.ts`: prints `listening <port>`.
 *
 * @module
 */

import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { serve } from "./_serve.ts";
import { log, throwingListenerBot } from "../throwing_listener_bot.ts";

const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    const path = new URL(request.url).pathname;
    if (path === "/log") return Response.json(log);
    const { transport, response } = await upgrade(request, server);
    if (transport) throwingListenerBot(transport, path);
    return response;
  },
  websocket,
});
console.log(`listening ${server.port}`);
