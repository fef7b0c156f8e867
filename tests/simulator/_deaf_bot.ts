// A bot (or a proxy before it) that completes the WebSocket handshake and then never answers the
// caller's close (RFC 6455 §5.5.1 asks it to): it reads and discards every frame until the caller
// drops the connection. Written by hand on a TCP listener on 127.0.0.1:0, as Deno.serve's
// WebSocket answers a close by itself.
import { answerUpgrade, ByteReader, untilCloseFrame } from "./_closing_bot.ts";

/** A running deaf bot. */
export interface DeafBot {
  /** Its URL (ws://127.0.0.1:PORT/). */
  url: string;
  /** Resolves when the caller's close frame has come (and gone unanswered). */
  closeReceived: Promise<void>;
  /** Resolves when the caller's side of a connection is gone (its read sees EOF or a reset). */
  gone: Promise<void>;
  /** Stops listening and drops the connections still open. */
  close(): Promise<void>;
}

/** Serves a bot that takes every WebSocket and never answers its close. */
export function serveDeafBot(): DeafBot {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const closeReceived = Promise.withResolvers<void>();
  const gone = Promise.withResolvers<void>();
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      (async () => {
        const reader = new ByteReader(conn);
        if (!(await answerUpgrade(conn, reader))) return;
        if (await untilCloseFrame(reader)) closeReceived.resolve();
        while ((await reader.take(1)) !== null) { /* discard, never answer the close */ }
      })().catch(() => {}).finally(() => gone.resolve());
    }
  })().catch(() => {});
  return {
    url: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    closeReceived: closeReceived.promise,
    gone: gone.promise,
    async close() {
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed already */ }
      }
      listener.close();
      await serving;
    },
  };
}
