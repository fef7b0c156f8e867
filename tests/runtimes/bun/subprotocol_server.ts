/**
 * A Bun server (`@x/ws-transport/bun`) whose upgrades answer the subprotocol `audio.v1`, given as
 * `protocol`; `/own` answers `custom` through `headers` instead. Echoes what it reads. Prints
 * `listening <port>`.
 *
 * @module
 */

import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { serve } from "./_serve.ts";

const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    const own = new URL(request.url).pathname === "/own";
    const { transport, response } = await upgrade(request, server, {
      protocol: "audio.v1",
      ...(own ? { headers: { "Sec-WebSocket-Protocol": "custom" } } : {}),
    });
    transport?.readable.pipeTo(transport.writable).catch(() => {});
    return response;
  },
  websocket,
});
console.log(`listening ${server.port}`);
