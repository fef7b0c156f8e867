// A bot that takes the call and says nothing, never hangs up: Deno.serve on 127.0.0.1 port 0,
// for the command line's tests (a subprocess, real time).

/** A running silent bot. */
export interface SilentServer {
  /** Its URL (ws://127.0.0.1:PORT/). */
  url: string;
  /** Stops it once its connections have ended. */
  close(): Promise<void>;
}

/** Serves a bot that accepts every WebSocket and never sends anything. */
export function serveSilentBot(): SilentServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => {};
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}
