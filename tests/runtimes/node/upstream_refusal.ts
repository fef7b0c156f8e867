/**
 * Under Node, `upgradeHandler` refusing with an upstream's response that `authorize` hands back
 * (`return await fetch(authService)`), asked by the `ws` library's client: prints, as JSON, what
 * the client made of each refusal (`[status, body]`, or the client's error). Bundled and run by
 * `../node_upstream_refusal_test.ts`.
 *
 * @module
 */

import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { WebSocket, WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";

const REFUSAL = '{"error":"token expired"}';

// The auth service: a body of no declared length goes chunked (Node's http docs,
// response.write); the other is gzipped, as a service behind compression answers.
const upstream = createServer((request, response) => {
  if (request.url === "/gzip") {
    response.writeHead(401, { "content-type": "application/json", "content-encoding": "gzip" });
    response.end(gzipSync(REFUSAL));
    return;
  }
  response.writeHead(401, { "content-type": "application/json" });
  response.write(REFUSAL.slice(0, 9));
  response.end(REFUSAL.slice(9));
});
await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const authService = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

const server = createServer();
server.on(
  "upgrade",
  upgradeHandler(new WebSocketServer({ noServer: true }), () => {}, {
    authorize: (request) => fetch(authService + new URL(request.url).pathname),
  }),
);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

/**
 * What `ws`'s client makes of the refusal: its "unexpected-response" event with the response
 * ("Emitted when the server response is not the expected one, for example a 401 response", ws's
 * docs), or its "error".
 */
function ask(path: string): Promise<unknown> {
  return new Promise((resolve) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    client.on("unexpected-response", (_request: unknown, response: IncomingMessage) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve([response.statusCode, body]));
    });
    client.on("error", (error: Error) => resolve(`error: ${error.message}`));
  });
}

console.log(JSON.stringify({ chunked: await ask("/chunked"), gzip: await ask("/gzip") }));
server.close();
upstream.close();
