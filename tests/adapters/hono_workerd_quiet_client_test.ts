// A served client that stays quiet until a bound ends its session, on workerd. On Deno, Node and
// Bun (their own adapters and Hono's) and with the Cloudflare adapter, such a client is closed at
// the bound with a code a close frame may carry and the session's reason: the silent-peer bound
// (`inactivityTimeoutMs`) closes it with 1001 "nothing from the peer for N ms" (measured on each;
// `openTimeoutMs` never ends their sessions, whose sockets open at once). Hono on Workers hands
// the session its socket only with the client's first message, so there `openTimeoutMs` ends a
// quiet client's session too, as one whose socket never opened (1006, which no close frame may
// carry): the client, closed at its first message (workerd gives no way to the server end before
// it), saw 1005 and no reason. It sees 1001 and the session's reason, as a quiet client does
// everywhere else. A close frame carries a code and a reason: RFC 6455, 5.5.1; 1005 and 1006 are
// never sent: 7.4.1. A session the bot closed before the client spoke, its close waiting past
// `openTimeoutMs` (Hono on Workers), is no quiet client's: its end and the client's close are the
// bot's code and reason, not the bound's.
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { hostMiniflare, miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { bundleWorker } from "../runtimes/cloudflare/worker_bundle.ts";
import { within, WsClient } from "../_ws_client.ts";
import { logUntil } from "./_worker_log.ts";

/** The Worker's bounds (see `_workerd_quiet_worker.ts`). */
const BOUND_MS = 200;

/** Opens a quiet client on `path`, waits for its session to end; the session's end as logged. */
async function quietUntilEnded(url: URL, path: string): Promise<[WsClient, string | undefined]> {
  const client = await WsClient.open(new URL(path, url).href.replace(/^http/, "ws"));
  const log = await logUntil(url, "/log", (log) => log.some((e) => e.startsWith(`${path} `)));
  return [client, log.find((entry) => entry.startsWith(`${path} `))];
}

/** What the client saw of its close. */
async function closeSeen(client: WsClient): Promise<{ code: number; reason: string }> {
  const { code, reason } = await within(client.closed, 3000, "the close");
  return { code, reason };
}

Deno.test({
  name:
    "workerd: a quiet client whose session a bound ended is closed with 1001 and the reason, under Hono too (the bot's close, where it closed first)",
  ...miniflareSanitizers,
  async fn() {
    const script = await bundleWorker(new URL("./_workerd_quiet_worker.ts", import.meta.url));
    const hosted = await hostMiniflare(() =>
      new Miniflare({
        modules: true,
        script,
        compatibilityDate: "2026-07-01",
        cf: false,
        host: "127.0.0.1",
        port: 0,
      })
    );
    const url = await hosted.miniflare.ready;
    const idle = { code: 1001, reason: `nothing from the peer for ${BOUND_MS} ms` };
    try {
      // The Cloudflare adapter: closed at the bound, as on Deno, Node and Bun.
      const [direct, directEnd] = await quietUntilEnded(url, "/cf/idle");
      assert.equal(directEnd, `/cf/idle closed 1001 ${idle.reason}`);
      assert.deepEqual(await closeSeen(direct), idle);

      // Hono, the silent-peer bound: the same close, once the client speaks.
      const [honoIdle, honoIdleEnd] = await quietUntilEnded(url, "/hono/idle");
      assert.equal(honoIdleEnd, `/hono/idle closed 1001 ${idle.reason}`);
      honoIdle.send(new Uint8Array(3200));
      assert.deepEqual(await closeSeen(honoIdle), idle);

      // Hono, `openTimeoutMs`: the session ends as one never opened; its client is told why.
      const [honoOpen, honoOpenEnd] = await quietUntilEnded(url, "/hono/open");
      const never = `the socket did not open within ${BOUND_MS} ms`;
      assert.equal(honoOpenEnd, `/hono/open closed 1006 ${never}`);
      // The served check runs at the same bound: past it, the close waits for Hono's first event.
      await logUntil(url, "/log", (log) => log.includes("/hono/open past the bound"));
      honoOpen.send(new Uint8Array(3200));
      assert.deepEqual(await closeSeen(honoOpen), { code: 1001, reason: never });

      // Hono, a session the bot closed before the client spoke, its close waiting past
      // `openTimeoutMs`: the bot's close is the session's end, and what the client reads.
      const [honoBye, honoByeEnd] = await quietUntilEnded(url, "/hono/bye");
      assert.equal(honoByeEnd, "/hono/bye closed 4000 bye");
      honoBye.send(new Uint8Array(3200));
      assert.deepEqual(await closeSeen(honoBye), { code: 4000, reason: "bye" });
    } finally {
      await hosted.dispose();
    }
  },
});
