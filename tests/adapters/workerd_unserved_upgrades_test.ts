// Three more ways a 101 never reaches its client on workerd, besides a Worker that answers
// otherwise (cloudflare_discarded_upgrade_test.ts), each checked to end its session:
// - Hono on Workers: `hono/cloudflare-workers` makes its own `WebSocketPair` (not the Cloudflare
//   adapter's `upgrade`) and hands the socket over only with an event; a middleware that replaces
//   the route's 101 (`c.res = …`, https://hono.dev/docs/api/context#res) or throws after `next()`
//   leaves the session connecting, and `openTimeoutMs` ends it: a "timeout", then 1006. workerd
//   kept the accepted server end, and its request, for good (the request's timers still ran
//   seconds after its 500): the adapter closes the pair then, and Hono hears its "close".
// - A POST upgrade with no body: workerd hands it to the Worker as a GET, and fails the 101 it is
//   answered with itself (a 500, "WebSocket must be initiated with a GET request"). workerd then
//   closes the server end at once (1006), so `upgrade`'s check of a 101 never sent, which takes a
//   client end that went out in a response as served, is not what ends it.
// - A client that hangs up while `authorize` is awaited: workerd aborts no `request.signal` before
//   the response is written (not even with the `enable_request_signal` flag,
//   https://developers.cloudflare.com/workers/configuration/compatibility-flags/#enable-requestsignal-for-incoming-requests),
//   so the request is upgraded; the 101 finds the connection gone and workerd closes the server end
//   (1006) at once, in a Worker and in a Durable Object, which takes the call's next connection.
// The Cloudflare adapter's bound is 60 s here: what ends those sessions within the test is workerd.
// A raw client writes the handshake (RFC 6455, 4.1) where a `WebSocket` cannot (a POST, a hang-up
// before the answer).
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { hostMiniflare, miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { bundleWorker } from "../runtimes/cloudflare/worker_bundle.ts";
import { within, WsClient } from "../_ws_client.ts";
import { readStatusLine } from "./_raw_upgrade.ts";
import { UPGRADE_HEADERS } from "./_upgrade_request.ts";
import { logUntil } from "./_worker_log.ts";

/** A raw upgrade of `target` by `method`, written whole, no body: the connection to read or drop. */
async function rawUpgrade(url: URL, target: string, method = "GET"): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(url.port) });
  const head = `${method} ${target} HTTP/1.1\r\nHost: ${url.host}\r\n` +
    Object.entries(UPGRADE_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  await conn.write(new TextEncoder().encode(`${head}\r\n`));
  return conn;
}

/** The entries of `log` about `where`. */
const about = (log: string[], where: string) => log.filter((entry) => entry.startsWith(where));

for (const flags of [[], ["enable_request_signal"]]) {
  Deno.test({
    name: `workerd (${
      flags.join(",") || "no flags"
    }) ends the sessions of a 101 a Hono middleware replaced, of a bodyless POST, and of a client gone during \`authorize\``,
    ...miniflareSanitizers,
    async fn() {
      const script = await bundleWorker(new URL("./_workerd_unserved_worker.ts", import.meta.url));
      const hosted = await hostMiniflare(() =>
        new Miniflare({
          modules: true,
          script,
          compatibilityDate: "2026-07-01",
          compatibilityFlags: flags,
          cf: false,
          host: "127.0.0.1",
          port: 0,
          durableObjects: { CALLS: { className: "GatedCall", useSQLite: true } },
        })
      );
      const url = await hosted.miniflare.ready;
      try {
        // Hono: a middleware that replaces the 101, one that throws after it. The session ends at
        // the bound, and the pair is closed: its accepted server end held the request for good.
        for (const path of ["/hono/replace", "/hono/throw"]) {
          const response = await fetch(new URL(path, url), { headers: UPGRADE_HEADERS });
          assert.equal(response.status, 500, path);
          await response.body?.cancel();
          const log = await logUntil(
            url,
            "/log",
            (log) => log.includes(`hono ${path} pair closed`),
          );
          assert.deepEqual(about(log, `hono ${path}`).filter((entry) => !entry.endsWith("bound")), [
            `hono ${path} error timeout`,
            `hono ${path} closed 1006`,
            `hono ${path} pair closed`,
          ]);
        }
        // A 101 that went is the client's, its pair left alone: quiet past the bound, its session
        // ended (Hono hands the socket over with the first message), its connection closed then.
        const served = await WsClient.open(
          new URL("/hono/served", url).href.replace(/^http/, "ws"),
        );
        const quiet = await logUntil(
          url,
          "/log",
          (log) => log.includes("hono /hono/served past the bound"),
        );
        assert.deepEqual(about(quiet, "hono /hono/served"), [
          "hono /hono/served error timeout",
          "hono /hono/served closed 1006",
          "hono /hono/served past the bound",
        ]);
        served.send(new Uint8Array(3200));
        // The session's code, 1006, is one no close frame may carry: told 1001, with its reason,
        // as a quiet client is everywhere (see hono_workerd_quiet_client_test.ts).
        const { code, reason } = await within(served.closed, 3000, "the close");
        assert.deepEqual([code, reason], [1001, "the socket did not open within 200 ms"]);

        // A POST with no body: upgraded as a GET, its 101 failed by workerd.
        const post = await rawUpgrade(url, "/worker?post", "POST");
        assert.equal(await readStatusLine(post), "HTTP/1.1 500 Internal Server Error");
        post.close();
        const posted = await logUntil(
          url,
          "/log",
          (log) => log.includes("worker ?post closed 1006"),
        );
        assert.deepEqual(about(posted, "worker ?post"), ["worker ?post closed 1006"]);

        // Gone while `authorize` is awaited: in the Worker, then in the call's object.
        for (
          const [target, where, logPath, releasePath] of [
            ["/worker?gated", "worker ?gated", "/log", "/release"],
            ["/ws/call?gated", "object ?gated", "/object-log", "/object-release"],
          ] as const
        ) {
          const gone = await rawUpgrade(url, target);
          const asked = await logUntil(
            url,
            logPath,
            (log) => log.includes(`${where} authorize asked`),
          );
          assert.ok(asked.includes(`${where} authorize asked`), `${asked}`);
          gone.close(); // the client hangs up before the answer
          await (await fetch(new URL(releasePath, url))).body?.cancel(); // then `authorize` says yes
          const log = await logUntil(url, logPath, (log) => log.includes(`${where} closed 1006`));
          assert.deepEqual(about(log, where), [`${where} authorize asked`, `${where} closed 1006`]);
        }
        // The object took the call's next connection.
        const again = await WsClient.open(
          new URL("/ws/call?again", url).href.replace(/^http/, "ws"),
        );
        again.send(new Uint8Array(3200)); // 100 ms of 16 kHz PCM16
        await again.waitFor(() => again.binaries.length > 0, 3000, "the echo");
        assert.equal((await again.close(1000)).code, 1000);
      } finally {
        await hosted.dispose();
      }
    },
  });
}
