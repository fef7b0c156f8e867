/**
 * The load benchmark's transport echo on Bun (`@x/ws-transport/bun`): prints
 * `listening 127.0.0.1:PORT`, exits when its stdin closes. `--port P --reuse-port` listens on a
 * port other processes share (`reuse_port_echo.ts` runs several); on SIGTERM it says on stderr
 * how many sessions it served.
 *
 * @module
 */

import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { serve } from "./_serve.ts";
import { echo, echoOptions } from "../load_echo.ts";

declare const process: {
  argv: string[];
  pid: number;
  stdin: { resume(): void; on(event: "end", listener: () => void): void };
  stderr: { write(text: string): void };
  on(event: "SIGTERM", listener: () => void): void;
  exit(code: number): never;
};

const args = process.argv.slice(2);
const portAt = args.indexOf("--port");
let sessions = 0;
const server = serve({
  hostname: "127.0.0.1",
  port: portAt >= 0 ? Number(args[portAt + 1]) : 0,
  reusePort: args.includes("--reuse-port"),
  async fetch(request, server) {
    const { transport, response } = await upgrade(request, server, echoOptions(args));
    if (transport) {
      sessions++;
      echo(transport, args);
    }
    return response;
  },
  websocket,
});
process.on("SIGTERM", () => {
  process.stderr.write(`process ${process.pid} served ${sessions} sessions\n`);
  process.exit(0);
});
console.log(`listening 127.0.0.1:${server.port}`);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
