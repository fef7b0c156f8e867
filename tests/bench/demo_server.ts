/**
 * The demo's handler (`examples/demo/handler.ts`) served on 127.0.0.1 port 0 for the load
 * benchmark. The first stdout line is `listening 127.0.0.1:PORT`; it exits when its stdin closes,
 * so it never outlives the harness.
 *
 * @module
 */

import { createDemoHandler } from "../../examples/demo/handler.ts";

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) => console.log(`listening ${hostname}:${port}`),
}, createDemoHandler());

// The harness holds our stdin open; EOF means it is gone (even if it was SIGKILLed). Open
// WebSockets would hold a graceful shutdown, and there is nothing to save: exit at once.
for await (const _ of Deno.stdin.readable) { /* discard */ }
Deno.exit(0);
