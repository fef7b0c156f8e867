/**
 * The behavioural suite's Hono app on Bun (`hono/bun`). Bundled and run by `bun` (see
 * `../hono_test.ts`); prints `listening <port>`.
 *
 * @module
 */

import { upgradeWebSocket, websocket } from "hono/bun";
import { behaviourApp } from "./app.ts";

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
    websocket: unknown;
  }): { port: number };
};

const app = behaviourApp(upgradeWebSocket);
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch, websocket });
console.log(`listening ${server.port}`);
