// `idleTimeout` (seconds) on the Deno and Node adapters (and Hono's `upgradeOptions`, for Deno): each runtime waits half of it on a timer
// (Deno: "The unit is seconds, with a default of 30. Set to 0 to disable timeouts",
// https://docs.deno.com/api/deno/~/Deno.UpgradeWebSocketOptions.idleTimeout), and a timer delay
// over 2147483647 ms, below 1 or NaN is set to 1 (Node's timers docs, setTimeout; Deno does the
// same, warning "Timeout duration was set to 1"). Given Infinity, or a day count in seconds past
// 49.7 days, the keep-alive pinged every millisecond and dropped every connection within a few; a
// negative value did so on Deno and turned keep-alive off on Node, silently, as NaN did.
import assert from "node:assert/strict";
import { WebSocketServer } from "ws";
import { upgrade } from "../../src/adapters/deno.ts";
import { upgradeHandler } from "../../src/adapters/node.ts";
import {
  type HonoContext,
  type HonoUpgradeWebSocket,
  voiceSession,
} from "../../src/adapters/hono.ts";
import { MAX_DELAY_MS } from "../../src/_swept_timer.ts";
import { WsClient } from "../_ws_client.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";

const BAD = [Infinity, NaN, -1, "30" as unknown as number];

const isIdleTimeoutError = (error: unknown) =>
  error instanceof RangeError &&
  /idleTimeout must be a finite number of seconds/.test(error.message);

Deno.test("an `idleTimeout` that is no finite number of seconds >= 0 throws a RangeError, before anything is upgraded", async () => {
  for (const idleTimeout of BAD) {
    const plain = new Request("http://127.0.0.1/ws"); // refused (426) were the option let through
    await assert.rejects(upgrade(plain, { idleTimeout }), isIdleTimeoutError, String(idleTimeout));
    const wss = new WebSocketServer({ noServer: true });
    assert.throws(
      () => upgradeHandler(wss as never, () => {}, { idleTimeout }),
      isIdleTimeoutError,
    );
  }
});

/** Runs `use` with `setInterval` recording each delay it is asked for, and still working. */
async function recordingIntervals(use: () => Promise<void>): Promise<number[]> {
  const delays: number[] = [];
  const original = globalThis.setInterval;
  globalThis.setInterval = ((callback: () => void, delay?: number) => {
    delays.push(delay ?? 0);
    return original(callback, delay);
  }) as typeof setInterval;
  try {
    await use();
  } finally {
    globalThis.setInterval = original;
  }
  return delays;
}

Deno.test("Node `upgradeHandler`: an `idleTimeout` past what a timer can wait half of pings at that longest wait, not every millisecond", async () => {
  const days60 = 60 * 24 * 3600;
  const delays = await recordingIntervals(async () => {
    const server = await serveNodeUpgrades({ idleTimeout: days60 });
    const client = await WsClient.open(`ws://127.0.0.1:${server.port}/ws`);
    client.send('{"still":"here"}');
    assert.equal(await client.next(), '{"still":"here"}');
    await client.close();
    await server.close();
  });
  assert.ok(delays.length > 0, "the keep-alive was armed");
  assert.ok(delays.every((delay) => delay <= MAX_DELAY_MS), `delays asked: ${delays}`);
});

Deno.test("Deno `upgrade`: an `idleTimeout` past what a timer can wait half of is given to Deno as that longest", async () => {
  const given: (number | undefined)[] = [];
  const descriptor = Object.getOwnPropertyDescriptor(Deno, "upgradeWebSocket")!;
  const original = Deno.upgradeWebSocket;
  const recording = (request: Request, options?: Deno.UpgradeWebSocketOptions) => {
    given.push(options?.idleTimeout);
    return original(request, options);
  };
  // Deno's namespace holds it as a configurable accessor: swapped for the test, put back after.
  Object.defineProperty(Deno, "upgradeWebSocket", { configurable: true, get: () => recording });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, { idleTimeout: 60 * 24 * 3600 });
    void transport?.readable.pipeTo(transport.writable);
    return response;
  });
  try {
    const client = await WsClient.open(`ws://127.0.0.1:${server.addr.port}/`);
    await client.close();
  } finally {
    Object.defineProperty(Deno, "upgradeWebSocket", descriptor);
    await server.shutdown();
  }
  assert.equal(given.length, 1);
  assert.ok(given[0]! / 2 * 1000 <= MAX_DELAY_MS, `idleTimeout given to Deno: ${given[0]}`);
});

Deno.test("Hono `voiceSession`: an `idleTimeout` in `upgradeOptions` (handed to Deno as it is) is checked the same way", () => {
  const given: unknown[] = [];
  const upgradeWebSocket = ((_createEvents: unknown, upgradeOptions: unknown) => {
    given.push(upgradeOptions);
    return () => Promise.resolve(new Response(null));
  }) as unknown as HonoUpgradeWebSocket<HonoContext, { idleTimeout?: number }>;
  for (const idleTimeout of BAD) {
    assert.throws(
      () => voiceSession(upgradeWebSocket, () => {}, { upgradeOptions: { idleTimeout } }),
      isIdleTimeoutError,
      String(idleTimeout),
    );
  }
  voiceSession(upgradeWebSocket, () => {}, { upgradeOptions: { idleTimeout: 60 * 24 * 3600 } });
  voiceSession(upgradeWebSocket, () => {}, { upgradeOptions: { idleTimeout: 10 } });
  const [long, short] = given as { idleTimeout: number }[];
  assert.ok(long!.idleTimeout / 2 * 1000 <= MAX_DELAY_MS, `given: ${long!.idleTimeout}`);
  assert.equal(short!.idleTimeout, 10);
});
