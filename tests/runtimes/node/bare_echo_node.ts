/**
 * The load benchmark's floor on Node: `node:http` + `ws` with the same fixed-deadline pacing as
 * the Deno floor ({@linkcode pacedEcho}), so `@x/ws-transport/node` is judged against its own
 * runtime. `ws` hands binary messages over as Buffers; they go back as they came. Bundled and
 * run by `load_runtimes.ts`: prints `listening 127.0.0.1:PORT`, exits when its stdin closes.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { timeMessages } from "./_message_timing.ts";
import { pacedEcho, pacedEchoArgs } from "../../bench/paced_echo.ts";

declare const process: {
  argv: string[];
  stdin: { resume(): void; on(event: "end", listener: () => void): void };
  exit(code: number): never;
};

const pacing = pacedEchoArgs(process.argv.slice(2));
const wss = new WebSocketServer({ noServer: true });
if (process.argv.includes("--time-messages")) timeMessages(wss);
const server = createServer();
server.on("upgrade", (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => {
    const echo = pacedEcho<Uint8Array>({
      ...pacing,
      send: (data) => {
        if (ws.readyState === ws.OPEN) ws.send(data);
      },
    });
    ws.on("message", (data: Uint8Array, isBinary: boolean) => {
      if (isBinary) echo.receive(data);
    });
    ws.on("close", () => echo.close());
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`listening 127.0.0.1:${address.port}`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
