/**
 * A Bun server (`@x/ws-transport/bun`) for clients that send or leave as soon as they read the
 * 101, within the task in which the adapter's "open" waits: each session answers its first frame
 * with whether it was "connected" by then, and logs its events in order. `GET /log?sessions=N`
 * answers with the logs once N sessions have ended (at most 5 s on). Prints `listening <port>`.
 *
 * @module
 */

import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { serve } from "./_serve.ts";

/** Each ended session's events, in the order the transport dispatched them. */
const ended: string[][] = [];

/** Wakes the `/log` request waiting for sessions to end (one at a time: the test asks once). */
let sessionEnded: (() => void) | undefined;

async function logResponse(url: URL): Promise<Response> {
  const sessions = Number(url.searchParams.get("sessions"));
  const deadline = Date.now() + 5000;
  while (ended.length < sessions && Date.now() < deadline) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      sessionEnded = resolve;
      timer = setTimeout(resolve, deadline - Date.now());
    });
    clearTimeout(timer);
  }
  return Response.json(ended);
}

const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    const url = new URL(request.url);
    if (url.pathname === "/log") return await logResponse(url);
    const { transport, response } = await upgrade(request, server);
    if (!transport) return response;
    const events: string[] = [];
    transport.addEventListener("connected", () => events.push("connected"));
    transport.addEventListener("disconnected", () => events.push("disconnected"));
    transport.receive(() => {
      events.push(`frame (connected: ${transport.connected})`);
      transport.send({ type: "message", message: { connected: transport.connected } });
    });
    void transport.closed.then(() => {
      ended.push(events);
      sessionEnded?.();
    });
    return response;
  },
  websocket,
});
console.log(`listening ${server.port}`);
