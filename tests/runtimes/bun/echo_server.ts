/**
 * The load benchmark's transport echo on Bun (`@x/ws-transport/bun`): prints
 * `listening 127.0.0.1:PORT`, exits when its stdin closes.
 *
 * @module
 */

import { type BunServer, upgrade, websocket } from "../../../src/adapters/bun.ts";
import { ECHO_OPTIONS } from "../behaviour/bot.ts";
import { echo } from "../load_echo.ts";

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Promise<Response | undefined>;
    websocket: typeof websocket;
  }): { port: number };
};
declare const process: {
  argv: string[];
  stdin: { resume(): void; on(event: "end", listener: () => void): void };
  exit(code: number): never;
};

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    const { transport, response } = await upgrade(request, server, ECHO_OPTIONS);
    if (transport) echo(transport, process.argv.slice(2));
    return response;
  },
  websocket,
});
console.log(`listening 127.0.0.1:${server.port}`);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
