// A port that takes TCP connections and never answers the WebSocket handshake (RFC 6455 §4.1:
// the client waits for the server's 101 response, which never comes): a bot whose server hangs.

/** A running silent listener on 127.0.0.1:0. */
export interface SilentTcp {
  /** Its URL (ws://127.0.0.1:PORT/). */
  url: string;
  /** Resolves at the first connection it took: the handshake is under way. */
  accepted: Promise<void>;
  /** Stops listening and drops the connections it holds (a handshake under way then fails). */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:0, takes every connection and never answers it. */
export function silentTcp(): SilentTcp {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const { promise: accepted, resolve } = Promise.withResolvers<void>();
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        held.push(conn);
        resolve();
      }
    } catch { /* closed */ }
  })();
  return {
    url: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    accepted,
    async close() {
      listener.close();
      for (const conn of held) conn.close();
      await loop;
    },
  };
}
