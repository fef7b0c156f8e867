// `upgrade({ protocol })` answers the subprotocol only to a client that offers it. RFC 6455 §4.1: a
// client fails the connection when the server answers one it did not offer; §4.2.2: a server may
// answer none. The `ws` client is strict about the first (browsers too; Deno's own client is not)
// and gives up on the second when it offered some, so the clients here are `ws`'s, on a real
// socket on 127.0.0.1 port 0. Deno refused the upgrade (400) to a client that offered none.
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { upgrade } from "../../src/adapters/deno.ts";
import { voiceSession } from "../../src/adapters/hono.ts";
import { connectOffering } from "./_offering_client.ts";

Deno.test("`upgrade({ protocol })` answers it to a client that offers it (in a list with or without spaces), and no subprotocol to one that offers none or others", async () => {
  let sessions = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, { protocol: "audio.v1" });
    if (transport) {
      sessions++;
      transport.readable.pipeTo(transport.writable).catch(() => {});
    }
    return response;
  });
  try {
    const { port } = server.addr;
    assert.equal(await connectOffering(port, ["audio.v1"]), 'open "audio.v1"');
    assert.equal(await connectOffering(port, []), 'open ""');
    // Offered others only: upgraded with none; `ws` then gives up by itself (a browser goes on).
    const noneAnswered = "failed: Server sent no subprotocol";
    assert.equal(await connectOffering(port, ["other"]), noneAnswered);
    // `ws` writes several as "other,audio.v1" (RFC 9110, 5.6.1: no space needed after a comma),
    // which Deno splits only at ", ": it was answered with none, and `ws` gave up.
    assert.equal(await connectOffering(port, ["other", "audio.v1"]), 'open "audio.v1"');
    assert.equal(sessions, 4, "every one upgraded, none refused");
  } finally {
    await server.shutdown();
  }
});

// Hono's Deno adapter answers the first subprotocol offered, the list split at ","
// (hono/dist/adapter/deno/websocket.js), and Deno finds it only in a list split at ", ": offered
// `a,b` (`ws` writes several so; a list may have no space after its commas, RFC 9110, 5.6.1:
// `#element => [ element ] *( OWS "," OWS [ element ] )`), Deno.upgradeWebSocket threw, and the
// route answered 500. The request stays readable in `onSession`, to the session's end.
Deno.test("`voiceSession` on Hono's Deno adapter takes a `ws` client offering several subprotocols", async () => {
  const app = new Hono();
  const readAtEnd: Promise<string>[] = [];
  app.get(
    "/calls/:agent",
    voiceSession(upgradeWebSocket, (transport, c) => {
      transport.readable.pipeTo(transport.writable).catch(() => {});
      const read = () => `${c.req.param("agent")}: ${c.req.header("sec-websocket-protocol")}`;
      readAtEnd.push(transport.closed.then(read));
    }),
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    const { port } = server.addr;
    const several = await connectOffering(port, ["audio.v1", "other"], "/calls/bot");
    assert.equal(several, 'open "audio.v1"');
    assert.equal(await connectOffering(port, ["audio.v1"], "/calls/bot"), 'open "audio.v1"');
    assert.deepEqual(await Promise.all(readAtEnd), ["bot: audio.v1, other", "bot: audio.v1"]);
  } finally {
    await server.shutdown();
  }
});
