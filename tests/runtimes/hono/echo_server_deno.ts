/**
 * The load benchmark's transport echo behind Hono on Deno (`voiceSession` with `hono/deno`'s
 * `upgradeWebSocket`), the same app as `../node/echo_server_deno.ts` with Hono's router in front:
 * prints `listening 127.0.0.1:PORT`, exits when its stdin closes.
 *
 * @module
 */

import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { voiceSession } from "../../../src/adapters/hono.ts";
import { echo, echoOptions } from "../load_echo.ts";

const app = new Hono();
app.get(
  "/ws",
  voiceSession(upgradeWebSocket, (transport) => {
    echo(transport, Deno.args);
  }, echoOptions(Deno.args)),
);
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) => console.log(`listening ${hostname}:${port}`),
}, app.fetch);
for await (const _ of Deno.stdin.readable) { /* until the harness is gone */ }
Deno.exit(0);
