// A Worker's `fetch` that gets the upgrade from `upgrade` and then answers something else (its own
// code threw after the upgrade, and it answers 500) throws the 101 away: the client never gets the
// server socket, and workerd tells that socket nothing, ever (seen in workerd: no "close", no
// "error", readyState OPEN for good). The session stayed unsettled (`transport.closed` pending)
// and, in a Durable Object, the call stayed claimed: every reconnect to it was refused with 409.
// The client end of the pair tells: `accept()` throws "Can't accept() WebSocket that was already
// used in a response" once workerd has sent the 101 (the `WebSocketPair` docs: the client end is
// returned in the response, the server end accepted,
// https://developers.cloudflare.com/workers/runtime-apis/websockets/#websocketpair). Past
// `openTimeoutMs` a session whose 101 was never sent ends as a socket that never opened does on
// the other runtimes: a "timeout" error, then 1006.
import assert from "node:assert/strict";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { WsClient } from "../_ws_client.ts";
import { UPGRADE_HEADERS } from "./_upgrade_request.ts";
import { logUntil } from "./_worker_log.ts";

// Before and after workerd answers a close itself (compatibility date 2026-04-07).
for (const date of ["2026-03-01", "2026-07-01"]) {
  Deno.test({
    name:
      `Cloudflare \`upgrade\` in workerd (${date}) ends a session whose 101 the Worker threw away, past \`openTimeoutMs\`, and frees a Durable Object's call`,
    ...miniflareSanitizers,
    async fn() {
      const { url, hosted } = await hostWorker(
        new URL("./_cloudflare_discarded_worker.ts", import.meta.url),
        date,
        { durableObjects: { CALLS: { className: "DiscardingCall", useSQLite: true } } },
      );
      const ws = url.href.replace(/^http/, "ws");
      try {
        // A served session, quiet past the bound, is left alone: its client has the socket.
        const served = await WsClient.open(new URL("/worker?served", ws).href);
        const quiet = await logUntil(
          url,
          "/log",
          (log) => log.includes("worker ?served past the bound"),
        );
        assert.ok(quiet.includes("worker ?served past the bound"), `the bound passed: ${quiet}`);
        served.send(new Uint8Array(3200)); // 100 ms of 16 kHz PCM16
        await served.waitFor(() => served.binaries.length > 0, 3000, "the echo");

        const discarded = await fetch(new URL("/worker?discard", url), {
          headers: UPGRADE_HEADERS,
        });
        assert.equal(discarded.status, 500);
        await discarded.body?.cancel();
        const ended = await logUntil(
          url,
          "/log",
          (log) => log.includes("worker ?discard closed 1006"),
        );
        assert.deepEqual(
          ended.filter((entry) => entry.startsWith("worker ?discard") && !entry.endsWith("bound")),
          ["worker ?discard error timeout", "worker ?discard closed 1006"],
        );
        assert.ok(
          !ended.some((entry) =>
            entry.startsWith("worker ?served e") || entry.startsWith("worker ?served c")
          ),
          `${ended}`,
        );
        assert.equal((await served.close(1000)).code, 1000);

        // The object whose 101 was thrown away takes the call's next connection once the bound passed.
        const object = await fetch(new URL("/ws/call?discard", url), { headers: UPGRADE_HEADERS });
        assert.equal(object.status, 500);
        await object.body?.cancel();
        const freed = await logUntil(
          url,
          "/object-log",
          (log) => log.includes("object ?discard closed 1006"),
        );
        assert.ok(freed.includes("object ?discard error timeout"), `${freed}`);
        assert.ok(freed.includes("object ?discard closed 1006"), `${freed}`);
        const again = await WsClient.open(new URL("/ws/call?again", ws).href);
        again.send(new Uint8Array(3200));
        await again.waitFor(() => again.binaries.length > 0, 3000, "the echo");
        assert.equal((await again.close(1000)).code, 1000);
      } finally {
        await hosted.dispose();
      }
    },
  });
}
