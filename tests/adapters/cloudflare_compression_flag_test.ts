// What the `no_web_socket_compression` compatibility flag does to the Workers adapters' 101 where
// a Worker runs locally, under Miniflare (`wrangler dev`, and every workerd test here). With the
// flag, workerd strips the `Sec-WebSocket-Extensions` a Worker's 101 names, the adapter's "declined"
// value too (cloudflare/workerd, src/workerd/api/http.c++, `Response::send`: "a Worker could still
// explicitly add the header to a Response" → `outHeaders.unset(SEC_WEBSOCKET_EXTENSIONS)`). Alone,
// workerd then agrees nothing (it accepts in `MANUAL_COMPRESSION` mode). But Miniflare answers
// the client through a Worker of its own in front of ours (its `core:entry` service, compatibility
// date 2025-03-17, compression on), and that Worker, handed a 101 with no
// `Sec-WebSocket-Extensions`, agrees the client's offer (the same `Response::send`: "we'll just use
// the client's requested headers"). `compression`'s doc said the flag agrees none "either way",
// and the README that it declines compression "for the whole Worker": under `wrangler dev` it turns
// it on, the adapter's default included, and with it workerd's inflation of a whole message before
// the session can refuse it (cloudflare_compression_test.ts). This keeps the doc's word true.
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { agreed, OFFER } from "./_compressed_frame.ts";
import { hostMiniflare, miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { RawPeer } from "../runtimes/cloudflare/raw_peer.ts";
import { bundleWorker, exampleCompatibilityDate } from "../runtimes/cloudflare/worker_bundle.ts";

/** What each 101 agreed, offered compression as browsers offer it, under `flags`. */
async function agreedUnder(flags: string[]): Promise<Record<string, string | undefined>> {
  const script = await bundleWorker(
    new URL("./_cloudflare_compression_worker.ts", import.meta.url),
  );
  const compatibilityDate = await exampleCompatibilityDate();
  await using hosted = await hostMiniflare(() =>
    new Miniflare({
      modules: true,
      script,
      compatibilityDate,
      compatibilityFlags: flags,
      cf: false,
      host: "127.0.0.1",
      port: 0,
      durableObjects: { CALLS: { className: "CompressionCall", useSQLite: true } },
    })
  );
  const port = Number((await hosted.miniflare.ready).port);
  const answers: Record<string, string | undefined> = {};
  // The adapter's default in a Worker and in a Durable Object, then `compression: true`.
  for (const path of ["/direct", "/ws/CA1", "/direct?compression"]) {
    const peer = await RawPeer.open(port, path, [OFFER]);
    answers[path] = agreed(peer.answer);
    await peer.close();
  }
  return answers;
}

Deno.test({
  name:
    "Under Miniflare, `no_web_socket_compression` makes the Workers adapters' 101 agree compression, their default included",
  ...miniflareSanitizers,
  async fn() {
    const deflate = /^permessage-deflate\b/;
    const without = await agreedUnder([]);
    assert.equal(without["/direct"], undefined, "the adapter declines it by default");
    assert.equal(without["/ws/CA1"], undefined, "in a Durable Object too");
    assert.match(without["/direct?compression"] ?? "", deflate);
    const flagged = await agreedUnder(["no_web_socket_compression"]);
    for (const path of ["/direct", "/ws/CA1", "/direct?compression"]) {
      assert.match(flagged[path] ?? "", deflate, `${path}: agreed under the flag`);
    }
  },
});
