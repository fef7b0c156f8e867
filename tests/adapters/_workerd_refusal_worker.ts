/**
 * A Worker whose sessions, by the Cloudflare adapter (`/direct`) or Hono's Workers helper
 * (`/hono`), echo and log how they ended, and what they counted of the messages received:
 * `GET /log` answers with the log, as JSON.
 *
 * @module
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/cloudflare-workers";
import type { WebSocketTransport } from "../../src/transport.ts";
import { upgrade } from "../../src/adapters/cloudflare.ts";
import { voiceSession } from "../../src/adapters/hono.ts";

/**
 * How each session ended: its path, close code, initiator, the fatal error's code, and its
 * `messagesIn` and `decodeErrors`.
 */
const log: unknown[] = [];

function logged(transport: WebSocketTransport, path: string): void {
  let fatal: string | undefined;
  transport.addEventListener(
    "error",
    (event) => void (event.error.fatal && (fatal = event.error.code)),
  );
  void transport.closed.then(({ code, initiator }) => {
    const { messagesIn, decodeErrors } = transport.stats;
    log.push({ path, code, initiator, fatal, messagesIn, decodeErrors });
  });
  transport.readable.pipeTo(transport.writable).catch(() => {});
}

const app = new Hono();
app.get("/log", () => Response.json(log));
app.get("/hono", voiceSession(upgradeWebSocket, (transport) => logged(transport, "/hono")));
app.get("/direct", async (c) => {
  const { transport, response } = await upgrade(c.req.raw);
  if (transport) logged(transport, "/direct");
  return response;
});

export default app;
