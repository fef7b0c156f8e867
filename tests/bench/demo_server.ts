/**
 * The demo's handler (`examples/demo/handler.ts`) served on 127.0.0.1 port 0 for the load
 * benchmark. The first stdout line is `listening 127.0.0.1:PORT`; it exits when its stdin closes,
 * so it never outlives the harness.
 *
 * @module
 */

import { createDemoHandler } from "../../examples/demo/handler.ts";
import { demoOrigins } from "../../examples/demo/origins.ts";

// The demo answers only the address it is served at: it learns the port once there is one.
let handler: (request: Request) => Response | Promise<Response> = () => new Response(null);
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) => console.log(`listening ${hostname}:${port}`),
}, (request) => handler(request));
handler = createDemoHandler({ origins: demoOrigins("127.0.0.1", server.addr.port) });

// The harness holds our stdin open; EOF means it is gone (even if it was SIGKILLed). Open
// WebSockets would hold a graceful shutdown, and there is nothing to save: exit at once.
for await (const _ of Deno.stdin.readable) { /* discard */ }
Deno.exit(0);
