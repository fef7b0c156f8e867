/**
 * The load benchmark's transport echo on Deno (`@x/ws-transport/deno`), the same app as
 * `echo_server_node.ts` and `../bun/echo_server.ts`: prints `listening 127.0.0.1:PORT`, exits
 * when its stdin closes.
 *
 * @module
 */

import { upgrade } from "../../../src/adapters/deno.ts";
import { echo, echoOptions } from "../load_echo.ts";

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) => console.log(`listening ${hostname}:${port}`),
}, async (request) => {
  const { transport, response } = await upgrade(request, echoOptions(Deno.args));
  if (transport) echo(transport, Deno.args);
  return response;
});
for await (const _ of Deno.stdin.readable) { /* until the harness is gone */ }
Deno.exit(0);
