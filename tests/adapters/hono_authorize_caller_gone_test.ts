// Hono on Deno.serve: a caller who hangs up while an awaited `authorize` runs is refused, not
// upgraded. Deno aborts a request's signal when its client disconnects before the response
// (Deno's `Request.signal`, "aborted when the request is cancelled"); upgraded all the same, the
// connection never opened and `server.shutdown()` waited on it until the process ended. Real
// server on 127.0.0.1 port 0, a raw TCP client (RFC 6455, 4.1 handshake) that leaves.
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { voiceSession } from "../../src/adapters/hono.ts";
import { within } from "../_ws_client.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

Deno.test("Hono `voiceSession` on Deno: a caller who hangs up while `authorize` runs gets no session, and the server shuts down at once", async () => {
  const asked = Promise.withResolvers<void>();
  const answer = Promise.withResolvers<boolean>(); // a token lookup that answers only later
  const refused = Promise.withResolvers<number>();
  let sessions = 0;
  const app = new Hono();
  app.get(
    "/ws",
    async (c, next) => {
      await next();
      refused.resolve(c.res.status);
    },
    voiceSession(upgradeWebSocket, () => void sessions++, {
      authorize: () => (asked.resolve(), answer.promise),
    }),
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    const conn = await sendRawUpgrade(server.addr.port);
    await within(asked.promise, 3000, "the call to authorize");
    conn.close(); // the caller hangs up during authorize
    assert.equal(await within(refused.promise, 3000, "the route's answer"), 400);
  } finally {
    answer.resolve(true); // the lookup's late yes lets in no one
    await within(server.shutdown(), 3000, "the server's shutdown: no connection held");
  }
  assert.equal(sessions, 0);
});
