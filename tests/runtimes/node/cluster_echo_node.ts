/**
 * The load benchmark's transport echo on Node with `node:cluster` (`@x/ws-transport/node` on
 * `node:http` + `ws` in each worker), bundled by `load_runtimes.ts`: the primary forks `WORKERS`
 * workers (default 2) that all listen on one port (the primary accepts and hands each connection
 * to a worker, round robin), prints `listening 127.0.0.1:PORT` once every worker listens, and
 * stops them all when its stdin closes. A session lives and ends in the worker that got its
 * connection; each worker says on stderr how many it served when it is stopped.
 *
 * @module
 */

import cluster from "node:cluster";
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";
import { echo, echoOptions } from "../load_echo.ts";

declare const process: {
  argv: string[];
  pid: number;
  env: Record<string, string | undefined>;
  stdin: { resume(): void; on(event: "end", listener: () => void): void };
  stderr: { write(text: string): void };
  on(event: "SIGTERM", listener: () => void): void;
  exit(code?: number): never;
};

const workers = Number(process.env.WORKERS ?? 2);

if (cluster.isPrimary) {
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    // Every worker's listen(0) gets the same port from the primary.
    if (++listening === workers) console.log(`listening 127.0.0.1:${address.port}`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.stdin.on("end", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  });
  process.stdin.resume();
} else {
  let sessions = 0;
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  server.on(
    "upgrade",
    upgradeHandler(wss, (transport) => {
      sessions++;
      echo(transport, process.argv.slice(2));
    }, echoOptions(process.argv.slice(2))),
  );
  server.listen(0, "127.0.0.1");
  process.on("SIGTERM", () => {
    process.stderr.write(`worker ${process.pid} served ${sessions} sessions\n`);
    process.exit(0);
  });
}
