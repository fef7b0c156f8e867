// README, the options table (`maxMessageBytes`) and the stats table: a message over
// `maxMessageBytes` is refused unread (1009) and counted in `decodeErrors`, as received in
// `messagesIn`. On Deno the transport refuses it itself, so counts it (`_inbound_decoder.ts`); on
// Node `ws` refuses it from its frame header before the transport sees it (as Bun and workerd do),
// and the adapter reports the refusal as an error (`EventSocket.dispatchRefusal`): it was counted
// nowhere. Both runtimes are served on 127.0.0.1 port 0 (the Node adapter's `node:http` and `ws`
// run in Deno); the client is Deno's own `WebSocket`, sending one message the session reads and
// then one over the limit.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { upgrade } from "../../src/adapters/deno.ts";
import { upgradeHandler } from "../../src/adapters/node.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import type { TransportStats } from "../../src/transport_stats.ts";

const MAX_MESSAGE_BYTES = 1000;
const options = { maxMessageBytes: MAX_MESSAGE_BYTES };

/** A server on one runtime's adapter: its port, the session it makes, and its stop. */
interface Served {
  port: number;
  session: Promise<WebSocketTransport>;
  close(): Promise<unknown>;
}

function echoing(transport: WebSocketTransport): void {
  transport.addEventListener("error", () => {}); // the refusal is expected: heard, not logged
  transport.readable.pipeTo(transport.writable).catch(() => {});
}

async function serveNode(): Promise<Served> {
  let made!: (transport: WebSocketTransport) => void;
  const session = new Promise<WebSocketTransport>((resolve) => (made = resolve));
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  server.on(
    "upgrade",
    upgradeHandler(wss as never, (transport) => {
      echoing(transport);
      made(transport);
    }, options),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    wss.close();
  };
  return { port, session, close };
}

function serveDeno(): Served {
  let made!: (transport: WebSocketTransport) => void;
  const session = new Promise<WebSocketTransport>((resolve) => (made = resolve));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, options);
    if (transport !== null) {
      echoing(transport);
      made(transport);
    }
    return response;
  });
  return { port: server.addr.port, session, close: () => server.shutdown() };
}

/** Sends a message the session reads, then one over the limit; resolves with the close code. */
async function sendSmallThenOversize(port: number): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
  const echoed = new Promise((resolve) => (ws.onmessage = resolve));
  ws.send(JSON.stringify({ hello: "there" }));
  await echoed; // read, decoded and echoed: the oversize message comes after it
  ws.send(new Uint8Array(MAX_MESSAGE_BYTES + 1));
  return (await closed).code;
}

for (const [runtime, serve] of [["Node", serveNode], ["Deno", serveDeno]] as const) {
  Deno.test(`${runtime}: a message over maxMessageBytes is counted in messagesIn and decodeErrors`, async () => {
    const served = await serve();
    try {
      assert.equal(await sendSmallThenOversize(served.port), 1009);
      const transport = await served.session;
      await transport.closed;
      const { messagesIn, decodeErrors }: TransportStats = transport.stats;
      assert.deepEqual({ messagesIn, decodeErrors }, { messagesIn: 2, decodeErrors: 1 });
    } finally {
      await served.close();
    }
  });
}
