// Cloudflare's WebSockets reference: a message a Worker receives over the size limit closes the
// WebSocket "with a 1009 "Message is too large" response" (cloudflare/cloudflare-docs#14520;
// 32 MiB in workerd today). workerd gives the socket an "error" and no "close": the session was
// told a dropped connection (1006, "remote", no fatal error). `ws` and Bun refusing a message are
// told as the transport's own refusal (a fatal "protocol" error, 1009 from this side): so is it,
// and counted as the transport counts a message it refuses itself (README, the stats table: "one
// over `maxMessageBytes` (refused unread, 1009)" in `decodeErrors`, received in `messagesIn`).
import assert from "node:assert/strict";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { RawPeer } from "../runtimes/cloudflare/raw_peer.ts";

/** A binary frame's header, masked, saying 32 MiB + 1 bytes: workerd refuses it from this. */
const OVER_32_MIB = new Uint8Array([0x82, 0x80 | 127, 0, 0, 0, 0, 0x02, 0, 0, 0x01, 0, 0, 0, 0]);

Deno.test({
  name: "The Workers adapters end a message over workerd's 32 MiB with their own 1009",
  ...miniflareSanitizers,
  async fn() {
    const { url, hosted } = await hostWorker(
      new URL("./_workerd_refusal_worker.ts", import.meta.url),
    );
    try {
      const { port } = url;
      for (const path of ["/direct", "/hono"]) {
        const peer = await RawPeer.open(Number(port), path);
        try {
          // Hono on Workers hands the socket over with its first event: the error here.
          await peer.write(OVER_32_MIB);
          assert.equal(await peer.closeCode(3000), 1009, path);
        } finally {
          await peer.close();
        }
      }
      const log = await (await fetch(`http://127.0.0.1:${port}/log`)).json();
      assert.deepEqual(log, [
        {
          path: "/direct",
          code: 1009,
          initiator: "local",
          fatal: "protocol",
          messagesIn: 1,
          decodeErrors: 1,
        },
        {
          path: "/hono",
          code: 1009,
          initiator: "local",
          fatal: "protocol",
          messagesIn: 1,
          decodeErrors: 1,
        },
      ]);
    } finally {
      await hosted.dispose();
    }
  },
});
