// README, the stats table: a message over `maxMessageBytes` is "refused unread, 1009" and counted
// in `decodeErrors` (received, in `messagesIn`), as the transport counts one it refuses itself on
// Deno. Bun refuses a message over `maxPayloadLength` from its frame header, sends the peer 1009,
// and calls the `close` handler with 1006 "Received too big message" (measured on Bun, see
// src/adapters/_size_refusal.ts): the adapter reports it as the transport's own refusal. It was
// counted nowhere. Bun is not run here: Bun's handlers are called as Bun calls them, on a
// `ServerWebSocket` of the fields the adapter reads (Bun's docs, "WebSockets", `ServerWebSocket`).
import assert from "node:assert/strict";
import { type BunServer, upgrade, websocket } from "../../src/adapters/bun.ts";
import type { BunServerWebSocket } from "../../src/adapters/_bun_socket.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

Deno.test("Bun: a message Bun refused over its size limit is counted in messagesIn and decodeErrors", async () => {
  const raw = {
    data: undefined as unknown,
    readyState: 1,
    binaryType: "nodebuffer",
    getBufferedAmount: () => 0,
    send: () => 1,
    close: () => {},
  };
  // As Bun's: `open` is called inside `upgrade()`, before it returns.
  const server: BunServer = {
    upgrade(_request, { data }) {
      raw.data = data;
      websocket.open(raw as BunServerWebSocket);
      return true;
    },
  };
  const clock = new FakeClock();
  const { transport } = await upgrade(upgradeRequest(), server, { clock });
  assert.ok(transport);
  const fatal: string[] = [];
  transport.addEventListener("error", (event) => fatal.push(event.error.code));
  websocket.close(raw as BunServerWebSocket, 1006, "Received too big message");
  const { code, initiator } = await transport.closed;
  assert.deepEqual({ code, initiator, fatal }, {
    code: 1009,
    initiator: "local",
    fatal: ["protocol"],
  });
  const { messagesIn, decodeErrors } = transport.stats;
  assert.deepEqual({ messagesIn, decodeErrors }, { messagesIn: 1, decodeErrors: 1 });
});
