// README, "Reconnecting to a call": `CallDurableObject` refuses (409) a connection to a call whose
// previous one is still thought live; a client whose network vanished sends no close, so that
// connection stays live until `inactivityTimeoutMs` ends it, and "the reconnect is taken once the
// connection it ended is gone". Checked in workerd end to end: the silent connection is closed
// with 1001 (the transport's "inactive" ending), its close goes unanswered, the object resets
// itself (`ctx.abort()`, "used to forcibly reset a Durable Object",
// https://developers.cloudflare.com/durable-objects/api/state/#abort), and the call connects again.
import assert from "node:assert/strict";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { RawPeer } from "../runtimes/cloudflare/raw_peer.ts";
import { UPGRADE_HEADERS } from "./_upgrade_request.ts";

/** How long the reconnect may take: 300 ms of silence, 200 ms for the close's answer, a margin. */
const RECONNECT_BOUND_MS = 3000;

Deno.test(
  "`CallDurableObject` in workerd takes a reconnect once a vanished client's connection is ended",
  miniflareSanitizers,
  async () => {
    const { url, hosted } = await hostWorker(
      new URL("./_cloudflare_vanished_worker.ts", import.meta.url),
      "2026-05-01",
      { durableObjects: { CALLS: { className: "QuietCall", useSQLite: true } } },
    );
    await using _workerd = hosted;
    /** The status of an upgrade to the call `gone`; a 101's socket closed at once. */
    const reconnect = async () => {
      const answer = await hosted.miniflare.dispatchFetch(`${url.origin}/ws/gone`, {
        headers: UPGRADE_HEADERS,
      });
      if (answer.webSocket) {
        answer.webSocket.accept();
        answer.webSocket.close(1000);
      } else await answer.body?.cancel();
      return answer.status;
    };
    // A client that completes the handshake and is never heard from again: it reads, answers
    // nothing, and keeps its TCP connection up, as one whose network vanished would look.
    const vanished = await RawPeer.open(Number(url.port), "/ws/gone");
    try {
      assert.equal(await reconnect(), 409, "the call is still thought live");
      assert.equal(await vanished.closeCode(RECONNECT_BOUND_MS), 1001, "ended as inactive");
      // The object resets itself once the close has gone unanswered, which ends the connection.
      await vanished.ended(RECONNECT_BOUND_MS);
      assert.equal(await reconnect(), 101, "the reconnect is taken");
    } finally {
      await vanished.close();
    }
  },
);
