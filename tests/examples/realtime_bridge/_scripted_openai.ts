// A server on 127.0.0.1 playing OpenAI's Realtime service event by event, for the tests of the
// bridge's model side (shapes from OpenAI's Realtime reference).
import { within } from "../../_ws_client.ts";

export type Json = Record<string, unknown>;

/** A server that hands each client event to `script`, which answers through `send`. */
export function scripted(script: (event: Json, send: (event: Json) => void) => void) {
  const received: Json[] = [];
  let closed: () => void = () => {};
  const done = new Promise<void>((resolve) => (closed = resolve));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const send = (event: Json) => socket.send(JSON.stringify(event));
    // server-events, `session.created`: "the first server event when a new connection is
    // established".
    socket.onopen = () => send({ type: "session.created", session: { type: "realtime" } });
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      received.push(event);
      script(event, send);
    };
    socket.onclose = () => closed();
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/v1/realtime`,
    received,
    async close() {
      await within(done, 3000, "the model's close");
      await server.shutdown();
    },
  };
}
