/**
 * A Node server (`upgradeHandler`) whose `authorize` turns every upgrade down with the status that
 * the request's `?status=` names (and the reason phrase `?text=` gives, if any), for the status
 * lines of refusals outside `admit`'s own (see `../node_test.ts`); prints `listening <port>`.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";

const wss = new WebSocketServer({ noServer: true });
const server = createServer((_request, response) => void response.end("voice bot\n"));
server.on(
  "upgrade",
  upgradeHandler(wss, (transport) => void transport.readable.pipeTo(transport.writable), {
    authorize: (request) => {
      const query = new URL(request.url).searchParams;
      const statusText = query.get("text");
      return new Response(null, {
        status: Number(query.get("status")),
        ...(statusText === null ? {} : { statusText }),
      });
    },
  }),
);
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as { port: number }).port}`);
});
