// A session that could not start is closed with 1011, and a `CallDurableObject` drops the
// connection of a peer that never answers by resetting itself: "`abort` is used to forcibly reset
// a Durable Object" (https://developers.cloudflare.com/durable-objects/api/state/#abort), which
// drops every WebSocket the object holds. Checked in workerd end to end: a reconnect to the call
// while that close is unanswered was upgraded (101), and the reset cut it off a moment later.
// It is refused (409) until the reset, and taken after it.
import assert from "node:assert/strict";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { RawPeer } from "../runtimes/cloudflare/raw_peer.ts";
import { WsClient } from "../_ws_client.ts";
import { UPGRADE_HEADERS } from "./_upgrade_request.ts";

/** How long the reset may take: the worker's 1 s for the close's answer, and a margin. */
const RESET_BOUND_MS = 5000;

Deno.test(
  "`CallDurableObject` in workerd takes no reconnect beside a failed start whose close is unanswered",
  miniflareSanitizers,
  async () => {
    const { url, hosted } = await hostWorker(
      new URL("./_do_failed_start_worker.ts", import.meta.url),
      "2026-05-01",
      { durableObjects: { CALLS: { className: "FailingStartCall", useSQLite: true } } },
    );
    await using _workerd = hosted;
    // A client whose session cannot start, and that never answers the close it is sent.
    const failed = await RawPeer.open(Number(url.port), "/ws/CA1?start=fail");
    try {
      assert.equal(await failed.closeCode(RESET_BOUND_MS), 1011, "the session failed");
      const reconnect = await hosted.miniflare.dispatchFetch(`${url.origin}/ws/CA1`, {
        headers: UPGRADE_HEADERS,
      });
      const status = reconnect.status;
      if (reconnect.webSocket) {
        reconnect.webSocket.accept();
        reconnect.webSocket.close(1000);
      } else await reconnect.body?.cancel();
      assert.equal(status, 409, "not upgraded only to be cut off by the reset to come");
      await failed.ended(RESET_BOUND_MS); // the object resets itself: the connection drops
      const call = await WsClient.open(`ws://127.0.0.1:${url.port}/ws/CA1`);
      const audio = new Uint8Array(1280); // 40 ms of 16 kHz PCM16
      call.send(audio);
      await call.waitFor(() => call.binaryBytes.length >= audio.length, RESET_BOUND_MS, "the echo");
      assert.equal((await call.close(1000)).code, 1000, "the reconnect is served to its end");
    } finally {
      await failed.close();
    }
  },
);
