/**
 * The load benchmark's floor on Bun: `Bun.serve` with its own WebSocket handlers and the same
 * fixed-deadline pacing as the Deno floor ({@linkcode pacedEcho}), so `@x/ws-transport/bun` is
 * judged against its own runtime. Prints `listening 127.0.0.1:PORT`, exits when its stdin closes.
 *
 * @module
 */

import { type PacedEcho, pacedEcho, pacedEchoArgs } from "../../bench/paced_echo.ts";

interface BunSocket {
  data: { echo?: PacedEcho<Uint8Array> };
  readyState: number;
  send(data: Uint8Array): number;
}
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(
      request: Request,
      server: { upgrade(request: Request, options: { data: object }): boolean },
    ): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, message: string | Uint8Array): void;
      close(ws: BunSocket): void;
    };
  }): { port: number };
};
declare const process: {
  argv: string[];
  stdin: { resume(): void; on(event: "end", listener: () => void): void };
  exit(code: number): never;
};

const pacing = pacedEchoArgs(process.argv.slice(2));
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request, server) {
    if (server.upgrade(request, { data: {} })) return undefined;
    return new Response("websocket only", { status: 426 });
  },
  websocket: {
    open(ws) {
      ws.data.echo = pacedEcho<Uint8Array>({
        ...pacing,
        send: (data) => {
          if (ws.readyState === 1) ws.send(data);
        },
      });
    },
    message(ws, message) {
      if (typeof message !== "string") ws.data.echo?.receive(message);
    },
    close(ws) {
      ws.data.echo?.close();
    },
  },
});
console.log(`listening 127.0.0.1:${server.port}`);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
