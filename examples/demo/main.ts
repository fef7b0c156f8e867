/**
 * The barge-in demo: `npm start` (or `deno task start`) serves it on http://127.0.0.1:8000.
 * Open the page, click Talk, say something and pause: a parrot bot says it back through
 * `@x/ws-transport`; talk over it and it stops. The echo line hears you back.
 *
 * Environment: `PORT` (default 8000; 0 picks a free one), `HOST` (default 127.0.0.1; `0.0.0.0`
 * listens on every interface) and `ORIGINS` (comma-separated origins to serve besides the
 * listening address and its loopback names, e.g. `https://demo.example` behind a proxy).
 *
 * @module
 */

import { createDemoHandler } from "./handler.ts";
import { demoOrigins, parseOrigins } from "./origins.ts";

const hostname = Deno.env.get("HOST") || "127.0.0.1";
const portText = Deno.env.get("PORT") || "8000";
const port = Number(portText);
if (!/^\d{1,5}$/.test(portText) || port > 65535) {
  console.error(`PORT must be a port number from 0 to 65535, got ${JSON.stringify(portText)}`);
  Deno.exit(2);
}
let extraOrigins: string[] = [];
try {
  extraOrigins = parseOrigins(Deno.env.get("ORIGINS") ?? "");
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(2);
}

// Made once the port is known (PORT=0 picks one): the demo serves only its own origins.
let handler: (request: Request) => Promise<Response> = () =>
  Promise.resolve(new Response("starting", { status: 503 }));
try {
  Deno.serve({
    hostname,
    port,
    onListen(address) {
      handler = createDemoHandler({
        log: console.log,
        origins: [...demoOrigins(hostname, address.port), ...extraOrigins],
      });
      // The first origin is the address itself, or 127.0.0.1 when listening on every interface.
      console.log(`Barge-in demo on ${demoOrigins(hostname, address.port)[0]}/ (click Talk)`);
    },
  }, (request) => handler(request));
} catch (error) {
  // A port in use, or a HOST that is no address of this machine: say which setting to change,
  // not a stack trace of Deno.serve.
  console.error(
    `Cannot listen on HOST=${JSON.stringify(hostname)} PORT=${port}: ${(error as Error).message}`,
  );
  Deno.exit(2);
}
