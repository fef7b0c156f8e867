/**
 * A Bun server whose sessions run `../throwing_listener_bot.ts`: prints `listening <port>`.
 *
 * @module
 */

import { type BunServer, upgrade, websocket } from "../../../src/adapters/bun.ts";
import { log, throwingListenerBot } from "../throwing_listener_bot.ts";

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Promise<Response | undefined>;
    websocket: typeof websocket;
  }): { port: number };
};

const server = Bun.serve({
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
