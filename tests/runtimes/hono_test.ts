import assert from "node:assert/strict";
import { dirname } from "node:path";
import "@oven/bun-linux-x64/package.json" with { type: "json" };
import { upgradeWebSocket } from "hono/deno";
import type { WebSocketTransport } from "../../mod.ts";
import {
  type HonoContext,
  type HonoUpgradeWebSocket,
  type HonoWSContext,
  type HonoWSEvents,
  transport as deprecatedTransport,
  voiceSession,
} from "../../src/adapters/hono.ts";
import { WsClient } from "../_ws_client.ts";
import { upgradeRequest } from "../adapters/_upgrade_request.ts";
import { behaviourApp, type RoomGreeting } from "./hono/app.ts";
import { assertRefusesHugeMessage } from "./behaviour/huge_message.ts";
import { behaviourSuite, type SuiteTarget } from "./behaviour/suite.ts";
import { bundleForNode, startChild } from "./node/child_runtime.ts";
import { resetDuringUpgrade } from "./node/resetting_client.ts";
import { miniflareSanitizers } from "./miniflare_sanitizers.ts";
import { closeFrame, maskedFrame, RawPeer } from "./cloudflare/raw_peer.ts";
import { hostWorker } from "./cloudflare/hosted_worker.ts";
import { BUN } from "./bun/_bun_binary.ts";

const WORKER = import.meta.resolve("./hono/worker.ts");

/**
 * The behavioural suite with the session callback's cases, then a session whose callback reads
 * the request: a header, the path parameter, the query and a value middleware set.
 */
async function honoSuite(t: Deno.TestContext, target: SuiteTarget): Promise<void> {
  await behaviourSuite(t, { ...target, sessionCallback: true });
  await t.step("hands the session callback a request it can read", async () => {
    const client = await WsClient.open(`ws://127.0.0.1:${target.port}/rooms/room-7?q=42`);
    client.send("{}"); // Hono's Workers adapter hands the socket over with a message
    const expected: RoomGreeting = {
      host: `127.0.0.1:${target.port}`,
      room: "room-7",
      q: "42",
      greeting: "set by middleware",
    };
    assert.deepEqual(await client.nextJson(() => true, { from: 0 }), expected);
    await client.close();
  });
}

Deno.test("`voiceSession` on Hono + Deno.serve passes the behavioural suite behind header middleware", async (t) => {
  const app = behaviourApp(upgradeWebSocket);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    await honoSuite(t, { port: server.addr.port, dropsStalledConnections: false });
  } finally {
    await server.shutdown();
  }
});

Deno.test("`voiceSession` on Hono + Node (@hono/node-server, @hono/node-ws) passes the behavioural suite", async (t) => {
  const bundle = await bundleForNode(import.meta.resolve("./hono/node_server.ts"));
  const server = await startChild("node", [bundle]);
  try {
    await honoSuite(t, { port: server.port });
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("`voiceSession` on Hono + Node: a client gone before the upgrade completes ends its session", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./hono/node_gone_server.ts"));
  const server = await startChild("node", [bundle]);
  try {
    // Asks to upgrade and leaves while `authorize` runs: @hono/node-ws then never completes the
    // upgrade, and Hono never calls the socket's handlers.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await conn.write(new TextEncoder().encode(
      "GET /calls/a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    conn.close();
    const sessions = await (await fetch(`http://127.0.0.1:${server.port}/sessions`)).json();
    assert.deepEqual(sessions, { started: 1, ended: 1 });
    // One that resets its connection instead (with the README's "error" listener in place).
    await resetDuringUpgrade(server.port, "/calls/a");
    const after = await (await fetch(`http://127.0.0.1:${server.port}/sessions?ended=2`)).json();
    assert.deepEqual(after, { started: 2, ended: 2 }, "the server lives on, the session ended");
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test(
  "`voiceSession` on Hono + Cloudflare Workers (workerd) passes the behavioural suite",
  miniflareSanitizers,
  async (t) => {
    const { host } = await hostHonoWorker("2026-07-01");
    try {
      const url = await host.miniflare.ready;
      // Workers never call Hono's onOpen: every case here has the client speak first, and there is
      // no bufferedAmount to end a session with a peer that stops reading.
      await honoSuite(t, {
        port: Number(url.port),
        reportsBufferedAmount: false,
        dropsSilentPeers: false,
      });
    } finally {
      await host.dispose();
    }
  },
);

Deno.test(
  "`voiceSession` on Hono + Cloudflare Workers answers a client's close where workerd does not (compatibility date 2025-06-01)",
  miniflareSanitizers,
  async () => {
    // Before 2026-04-07 (`web_socket_auto_reply_to_close`) workerd leaves a peer's close frame
    // unanswered (Cloudflare's changelog of that day), and Hono's Workers adapter does not answer
    // it either: the client got 1005 instead of its own code, and workerd cancelled the request.
    const { host } = await hostHonoWorker("2025-06-01");
    try {
      const url = await host.miniflare.ready;
      const client = await WsClient.open(`ws://127.0.0.1:${url.port}/ws?id=answer-close`);
      client.send('{"hello":1}'); // Hono on Workers hands the socket over with its first message
      assert.equal(await client.next(), '{"hello":1}');
      const answered = await client.close(4001, "bye", 3000);
      assert.equal(answered.code, 4001, "the server answered the close with the client's code");
      assert.ok(answered.wasClean);
    } finally {
      await host.dispose();
    }
  },
);

/** How session `id` of the Hono app ended, as its bot saw it: `undefined` if not within 5 s. */
async function honoClosed(port: number, id: string): Promise<[unknown, unknown] | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/log?id=${id}&event=closed`);
  if (!response.ok) return void await response.body?.cancel();
  const { code, initiator } = await response.json();
  return [code, initiator];
}

/** Frames that break the protocol (RFC 6455 §5.2), masked, and the code workerd fails them with. */
const BROKEN_FRAMES: [what: string, frame: Uint8Array, code: number, ended: [number, string]][] = [
  ["a reserved opcode", maskedFrame(0x83), 1002, [1006, "remote"]],
  ["a continuation with nothing to continue", maskedFrame(0x80), 1002, [1006, "remote"]],
  ["RSV1 with no extension agreed", maskedFrame(0xc1), 1002, [1006, "remote"]],
  // Its header alone: workerd refuses a message over its own cap (32 MiB) before its payload:
  // told as the transport's own refusal (1009 from this side), as on Bun and Node.
  [
    "a message over workerd's 32 MiB",
    new Uint8Array([0x82, 0x80 | 127, 0, 0, 0, 0, 0x02, 0x00, 0x00, 0x01, 0, 0, 0, 0]),
    1009,
    [1009, "local"],
  ],
];

/** A text message `{"hello":1}`, masked: Hono on Workers hands the socket over with it. */
const HELLO = maskedFrame(0x81, [...new TextEncoder().encode('{"hello":1}')]);

// workerd fails such a connection with an "error" on the server's socket and no "close", which
// Hono passes on as they come: the session must end all the same, as on Deno, Bun and Node.
Deno.test(
  "`voiceSession` on Hono + Cloudflare Workers ends a session whose client broke the protocol (1006; 1009 for a message over the cap)",
  miniflareSanitizers,
  async () => {
    const { host } = await hostHonoWorker("2026-07-01");
    try {
      const { port } = new URL(await host.miniflare.ready);
      const cases = [
        ...BROKEN_FRAMES.map((
          [what, frame, code, told],
        ) => [what, [HELLO, frame], code, told] as const),
        // The error is Hono's first event: the socket is handed over with it.
        [
          "a reserved opcode as the first frame",
          [maskedFrame(0x83)],
          1002,
          [1006, "remote"] as [number, string],
        ] as const,
      ];
      for (const [i, [what, frames, code, told]] of cases.entries()) {
        const peer = await RawPeer.open(Number(port), `/ws?id=broken-${i}`);
        try {
          for (const frame of frames) await peer.write(frame);
          assert.equal(await peer.closeCode(3000), code, what);
          // Asked while the client is still connected: the session ended of the error alone.
          assert.deepEqual(await honoClosed(Number(port), `broken-${i}`), told, what);
        } finally {
          await peer.close();
        }
      }
    } finally {
      await host.dispose();
    }
  },
);

for (const compatibilityDate of ["2025-06-01", "2026-07-01"]) {
  Deno.test(
    `\`voiceSession\` on Hono + Cloudflare Workers reports 1006 for a close code no close frame may carry (compatibility date ${compatibilityDate})`,
    miniflareSanitizers,
    async () => {
      const { host } = await hostHonoWorker(compatibilityDate);
      try {
        const { port } = new URL(await host.miniflare.ready);
        for (const code of [5000, 999, 1015]) {
          const peer = await RawPeer.open(Number(port), `/ws?id=code-${code}`);
          try {
            await peer.write(HELLO);
            await peer.write(closeFrame(code));
            const answered = await peer.closeCode(3000);
            // Answered a protocol error (RFC 6455 §7.4.1) where workerd leaves the close to the
            // adapter; from 2026-04-07 workerd answers first, echoing the code: not ours to change.
            if (compatibilityDate === "2025-06-01") assert.equal(answered, 1002, `code ${code}`);
            // Deno and Bun fail such a connection: 1006, never the code as the peer's.
            assert.deepEqual(
              await honoClosed(Number(port), `code-${code}`),
              [1006, "remote"],
              `code ${code}`,
            );
          } finally {
            await peer.close();
          }
        }
      } finally {
        await host.dispose();
      }
    },
  );
}

/** The Hono behaviour app bundled as a Worker and served by workerd at `compatibilityDate`. */
async function hostHonoWorker(compatibilityDate: string) {
  const { hosted } = await hostWorker(new URL(WORKER), compatibilityDate);
  return { host: hosted };
}

Deno.test("`voiceSession` on Hono + Bun (hono/bun) passes the behavioural suite", async (t) => {
  const bundle = await bundleForNode(import.meta.resolve("./hono/bun_server.ts"));
  const server = await startChild(BUN, ["run", bundle]);
  try {
    await honoSuite(t, { port: server.port });
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

for (const [name, runtime] of [["Node", "node"], ["Bun", BUN]] as const) {
  Deno.test(`\`voiceSession\` on Hono + ${name} reports a message its runtime refused over the size limit as its own 1009`, async () => {
    const file = runtime === "node" ? "./hono/node_server.ts" : "./hono/bun_server.ts";
    const bundle = await bundleForNode(import.meta.resolve(file));
    const server = await startChild(runtime, runtime === "node" ? [bundle] : ["run", bundle]);
    try {
      // ws under Hono reads and drops the rest of the message (see the README's Limits).
      await assertRefusesHugeMessage(server.port, server.pid, { readsTheRest: runtime === "node" });
    } finally {
      await server.close();
      await Deno.remove(dirname(bundle), { recursive: true });
    }
  });
}

Deno.test("`voiceSession` answers 400 when its runtime refuses the upgrade, as the Bun adapter does (not Hono's 404)", async () => {
  // hono/bun makes the events, then returns nothing when Bun's `server.upgrade()` refuses.
  const refusingUpgrade = ((createEvents: (c: HonoContext) => HonoWSEvents) => (c: HonoContext) => {
    createEvents(c);
    return Promise.resolve(undefined);
  }) as unknown as HonoUpgradeWebSocket<HonoContext, unknown>;
  let sessions = 0;
  const handler = voiceSession(refusingUpgrade, () => void sessions++);
  const request = upgradeRequest();
  const response = await handler({ req: { raw: request } }, () => Promise.resolve());
  assert.equal(response?.status, 400);
  assert.equal(sessions, 0);
});

Deno.test("`voiceSession` on Node refuses another method by the raw request, before authorize is asked", async () => {
  // @hono/node-ws hands the route every upgrade as a GET; the request's own method is on
  // `env.incoming` (@hono/node-server's binding).
  let upgrades = 0;
  const upgrader = ((createEvents: (c: HonoContext) => HonoWSEvents) => (c: HonoContext) => {
    upgrades++;
    createEvents(c);
    return Promise.resolve(new Response(null));
  }) as unknown as HonoUpgradeWebSocket<HonoContext, unknown>;
  let asked = 0;
  const handler = voiceSession(upgrader, () => {}, { authorize: () => (asked++, false) });
  const c = { req: { raw: upgradeRequest() }, env: { incoming: { method: "POST" } } };
  const response = await handler(c, () => Promise.resolve());
  assert.equal(response?.status, 405);
  assert.equal(response?.headers.get("allow"), "GET");
  assert.deepEqual({ asked, upgrades }, { asked: 0, upgrades: 0 });
});

Deno.test("`voiceSession` opens on the first event without onOpen (Workers) and sets the raw socket's binaryType", async () => {
  let events: HonoWSEvents | undefined;
  const fakeUpgrade = ((createEvents: (c: HonoContext) => HonoWSEvents) => (c: HonoContext) => {
    events = createEvents(c);
    return Promise.resolve(new Response(null));
  }) as unknown as HonoUpgradeWebSocket<HonoContext, unknown>;
  const raw = { binaryType: "blob", bufferedAmount: 123, readyState: 1, addEventListener() {} };
  const sent: unknown[] = [];
  const ws: HonoWSContext = {
    raw,
    readyState: 1,
    send: (data) => void sent.push(data),
    close: () => {},
  };
  let transport: WebSocketTransport | undefined;
  const handler = voiceSession(fakeUpgrade, (t) => void (transport = t));
  const request = upgradeRequest();
  await handler({ req: { raw: request } }, () => Promise.resolve());
  assert.ok(transport && events);
  let connected = false;
  transport.addEventListener("connected", () => (connected = true));
  const reader = transport.readable.getReader();
  events.onMessage(new MessageEvent("message", { data: '{"first":1}' }), ws);
  assert.deepEqual((await reader.read()).value, { type: "message", message: { first: 1 } });
  assert.ok(connected, "connected at the first message");
  assert.equal(raw.binaryType, "arraybuffer");
  assert.equal(transport.socket.bufferedAmount, 123);
  const writer = transport.writable.getWriter();
  await writer.write({ type: "message", message: { back: true } });
  assert.deepEqual(sent, ['{"back":true}']);
  events.onClose(
    Object.assign(new Event("close"), { code: 1001, reason: "gone" }) as CloseEvent,
    ws,
  );
  assert.deepEqual(await transport.closed, { code: 1001, reason: "gone", initiator: "remote" });
  reader.releaseLock();
  writer.releaseLock();
});

Deno.test("`transport` is the deprecated name of `voiceSession`", () => {
  assert.equal(deprecatedTransport, voiceSession);
});
