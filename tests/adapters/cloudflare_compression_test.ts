// workerd agrees per-message compression (RFC 7692) with every client that offers it, from
// compatibility date 2023-08-15 (Cloudflare's compatibility flag `web_socket_compression`: "the
// Workers runtime is capable of using WebSocket Compression on both inbound and outbound WebSocket
// connections"), and inflates each message whole, up to its 32 MiB limit (Cloudflare's WebSockets
// reference: "a size limit of 32 MiB"), before the Worker sees it: 30,596 bytes on the wire (the
// frame below) were a 30 MiB message to the session, refused only then by `maxMessageBytes`. The
// Workers adapters now decline it unless `compression: true`, as Node's `ws` and Bun do by
// default: the 101 names no extension, and a compressed frame is a protocol error (RFC 6455, 5.2:
// RSV1 set that no agreed extension defines fails the connection).
import assert from "node:assert/strict";
import { agreed, BINARY, compressedFrame, OFFER } from "./_compressed_frame.ts";
import WebSocket from "ws";
import { within } from "../_ws_client.ts";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { RawPeer } from "../runtimes/cloudflare/raw_peer.ts";
import { exampleCompatibilityDate } from "../runtimes/cloudflare/worker_bundle.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import type { CompressionLogEntry } from "./_cloudflare_compression_worker.ts";

/** The inflated size of the compressed message: 30 MiB, under workerd's own 32 MiB. */
const INFLATED_BYTES = 30 * 1024 * 1024;

/** One binary message of {@linkcode INFLATED_BYTES} zeros, compressed: about 30 KB. */
function compressedZeros(): Uint8Array {
  return compressedFrame(new Uint8Array(INFLATED_BYTES), BINARY);
}

/** The compression fixture Worker and its `CALLS` objects in workerd, at the example's date. */
async function hostCompressionWorker() {
  const { url, hosted } = await hostWorker(
    new URL("./_cloudflare_compression_worker.ts", import.meta.url),
    await exampleCompatibilityDate(),
    { durableObjects: { CALLS: { className: "CompressionCall", useSQLite: true } } },
  );
  return { port: Number(url.port), hosted };
}

/**
 * Upgrades `path` offering compression, sends {@linkcode compressedFrame}, and gives what the 101
 * agreed and the code of the server's close.
 */
async function sendCompressed(port: number, path: string) {
  const peer = await RawPeer.open(port, path, [OFFER]);
  try {
    const extensions = agreed(peer.answer);
    await peer.write(compressedZeros());
    return { extensions, closeCode: await peer.closeCode(5000) };
  } finally {
    await peer.close();
  }
}

async function sessionLog(port: number, count: number): Promise<CompressionLogEntry[]> {
  return await (await fetch(`http://127.0.0.1:${port}/log?count=${count}`)).json();
}

Deno.test({
  name: "The Workers adapters agree no compression by default: a compressed message is refused",
  ...miniflareSanitizers,
  async fn() {
    const { port, hosted } = await hostCompressionWorker();
    try {
      for (const path of ["/direct", "/ws/CA1"]) {
        const { extensions, closeCode } = await sendCompressed(port, path);
        assert.equal(extensions, undefined, `${path}: the 101 names no extension`);
        // RFC 6455, 5.2: RSV1 set with no extension agreed that defines it fails the connection.
        assert.equal(closeCode, 1002, `${path}: a protocol error, not a 30 MiB message`);
      }
      // workerd's error with no close is told the session as a dropped connection
      // (`WorkerdCloses`); no 30 MiB message reached it, so no refusal of one either.
      assert.deepEqual(await sessionLog(port, 2), [
        { path: "/direct", code: 1006, initiator: "remote" },
        { path: "/ws/CA1", code: 1006, initiator: "remote" },
      ]);

      // A real client that offers compression (`ws` does by default, as browsers do) takes the
      // answer: the value the adapter gave workerd never reaches it.
      const client = new WebSocket(`ws://127.0.0.1:${port}/direct`);
      try {
        await within(
          new Promise((resolve, reject) => {
            client.once("open", resolve);
            client.once("error", reject);
          }),
          5000,
          "the ws client's open",
        );
        assert.equal(client.extensions, "");
      } finally {
        client.terminate();
      }
    } finally {
      await hosted.dispose();
    }
  },
});

Deno.test({
  name: "The Workers adapters agree compression with `compression: true`",
  ...miniflareSanitizers,
  async fn() {
    const { port, hosted } = await hostCompressionWorker();
    try {
      for (const path of ["/direct?compression", "/ws/CA2?compression"]) {
        const { extensions, closeCode } = await sendCompressed(port, path);
        assert.match(extensions ?? "", /^permessage-deflate\b/, `${path}: agreed`);
        assert.equal(closeCode, 1009, `${path}: the inflated message is over maxMessageBytes`);
      }
      // The 30 KB frame reached the session as 30 MiB: what the default now keeps out. (Its code
      // is left out: the raw peer hangs up without answering the close, which `closed` tells.)
      const fatal = `message of ${INFLATED_BYTES} bytes is over maxMessageBytes (1048576)`;
      const ends = (await sessionLog(port, 2)).map(({ path, initiator, fatal }) => ({
        path,
        initiator,
        fatal,
      }));
      assert.deepEqual(ends, [
        { path: "/direct", initiator: "local", fatal },
        { path: "/ws/CA2", initiator: "local", fatal },
      ]);
    } finally {
      await hosted.dispose();
    }
  },
});
