/**
 * A Deno server whose sessions run `../throwing_listener_bot.ts`: prints `listening <port>`.
 *
 * @module
 */

import { upgrade } from "../../../src/adapters/deno.ts";
import { log, throwingListenerBot } from "../throwing_listener_bot.ts";

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`listening ${port}`),
}, async (request) => {
  const path = new URL(request.url).pathname;
  if (path === "/log") return Response.json(log);
  const { transport, response } = await upgrade(request);
  if (transport) throwingListenerBot(transport, path);
  return response;
});
