/**
 * A Node server (`upgradeHandler`, as the README sets it up) whose `authorize` takes 50 ms, for
 * clients that reset their connection mid-admission (see `../node_test.ts`). `GET /authorized`
 * answers once an `authorize` call has finished (at most 5 s on); prints `listening <port>`.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";

const wss = new WebSocketServer({ noServer: true });
let authorized = 0;
const waiting: (() => void)[] = [];
const server = createServer((request, response) => {
  if (request.url !== "/authorized") response.end("voice bot\n");
  else if (authorized > 0) response.end(String(authorized));
  else {
    const timer = setTimeout(() => response.writeHead(504).end("no authorize finished"), 5000);
    waiting.push(() => (clearTimeout(timer), response.end(String(authorized))));
  }
});
server.on(
  "upgrade",
  upgradeHandler(wss, (transport) => void transport.readable.pipeTo(transport.writable), {
    allowedOrigins: ["https://app.example.com"],
    authorize: async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 50)); // a token check against a store
      authorized++;
      for (const wake of waiting.splice(0)) setTimeout(wake, 50); // after the listener goes on
      return new URL(request.url).searchParams.get("token") === "s3cret";
    },
  }),
);
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as { port: number }).port}`);
});
