/**
 * The Bun server of the behavioural suite: `Bun.serve` through `@x/ws-transport/bun`. Bun runs
 * the TypeScript sources as they are (see `../bun_test.ts`); prints `listening <port>`.
 *
 * @module
 */

import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { serve } from "./_serve.ts";
import { ADMISSION, logResponse, optionsFor, runBot } from "../behaviour/bot.ts";

const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    const url = new URL(request.url);
    if (url.pathname === "/log") return await logResponse(url);
    const options = { ...ADMISSION, ...optionsFor(url.pathname) };
    const { transport, response } = await upgrade(request, server, options);
    if (transport) runBot(transport, url);
    return response;
  },
  websocket,
});
console.log(`listening ${server.port}`);
