/**
 * The load benchmark's transport echo on Node (`@x/ws-transport/node` on `node:http` + `ws`),
 * bundled by `load_runtimes.ts`: prints `listening 127.0.0.1:PORT`, exits when its stdin closes.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { timeMessages } from "./_message_timing.ts";
import { upgradeHandler } from "../../../src/adapters/node.ts";
import { echo, echoOptions } from "../load_echo.ts";

declare const process: {
  argv: string[];
  stdin: { resume(): void; on(event: "end", listener: () => void): void };
  exit(code: number): never;
};

const wss = new WebSocketServer({ noServer: true });
if (process.argv.includes("--time-messages")) timeMessages(wss);
const server = createServer();
server.on(
  "upgrade",
  upgradeHandler(wss, (transport) => {
    echo(transport, process.argv.slice(2));
  }, echoOptions(process.argv.slice(2))),
);
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`listening 127.0.0.1:${address.port}`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
