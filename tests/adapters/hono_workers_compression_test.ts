// Hono's Workers `upgradeWebSocket` answers with a 101 that names no extension, and workerd, from
// compatibility date 2023-08-15 (Cloudflare's compatibility flag `web_socket_compression`: "the
// Workers runtime is capable of using WebSocket Compression on both inbound and outbound WebSocket
// connections"), then agrees per-message compression (RFC 7692) with every client that offers it,
// inflating each message whole before the session sees it (see cloudflare_compression_test.ts:
// 30 KB on the wire, 30 MiB to the session). `voiceSession` declines it on Workers as the
// Cloudflare adapter does, unless `compression: true`: the 101 names no extension, and a compressed
// frame is a protocol error (RFC 6455, 5.2: RSV1 set that no agreed extension defines fails the
// connection).
import assert from "node:assert/strict";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import WebSocket from "ws";
import { voiceSession } from "../../src/adapters/hono.ts";
import { within } from "../_ws_client.ts";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { RawPeer } from "../runtimes/cloudflare/raw_peer.ts";
import { agreed, compressedFrame, OFFER, TEXT } from "./_compressed_frame.ts";
import { exampleCompatibilityDate } from "../runtimes/cloudflare/worker_bundle.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";

/** The message the compressed frame carries: the session's first, as Hono on Workers needs. */
const HELLO = '{"hello":1}';

/** {@linkcode HELLO} compressed, in one text frame. */
function compressedHello(): Uint8Array {
  return compressedFrame(HELLO, TEXT);
}

/** The fixture's Hono app in workerd, at the Cloudflare example's compatibility date. */
async function hostHonoCompressionWorker() {
  const { url, hosted } = await hostWorker(
    new URL("./_hono_compression_worker.ts", import.meta.url),
    await exampleCompatibilityDate(),
  );
  return { port: Number(url.port), hosted };
}

/**
 * A `ws` client at `path`, which offers compression by default (its `perMessageDeflate`, as
 * browsers do) and compresses messages from 1024 bytes (its `threshold`): what it agreed, and
 * whether a 4 KB text message came back whole.
 */
async function echoWithWs(port: number, path: string) {
  const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  try {
    await within(
      new Promise((resolve, reject) => {
        client.once("open", resolve);
        client.once("error", reject);
      }),
      5000,
      "the ws client's open",
    );
    const message = JSON.stringify({ text: "a".repeat(4096) });
    const echoed = new Promise<string>((resolve) => {
      client.once("message", (data: Uint8Array) => resolve(new TextDecoder().decode(data)));
    });
    client.send(message);
    return {
      extensions: client.extensions,
      echoed: await within(echoed, 5000, "the echo") === message,
    };
  } finally {
    client.terminate();
  }
}

/** How session `id` ended, as its bot saw it. */
async function ended(port: number, id: string): Promise<[unknown, unknown]> {
  const response = await fetch(`http://127.0.0.1:${port}/log?id=${id}&event=closed`);
  assert.ok(response.ok, `session ${id} ended within 5 s`);
  const { code, initiator } = await response.json();
  return [code, initiator];
}

Deno.test({
  name:
    "`voiceSession` on Hono + Workers agrees no compression by default: a compressed frame is refused",
  ...miniflareSanitizers,
  async fn() {
    const { port, hosted } = await hostHonoCompressionWorker();
    try {
      const peer = await RawPeer.open(port, "/ws?id=raw", [OFFER]);
      try {
        assert.equal(agreed(peer.answer), undefined, "the 101 names no extension");
        await peer.write(compressedHello());
        assert.equal(await peer.closeCode(5000), 1002, "a protocol error, not an inflated message");
      } finally {
        await peer.close();
      }
      // workerd fails it with an error and no close: the session is told a dropped connection.
      assert.deepEqual(await ended(port, "raw"), [1006, "remote"]);
      // A real client that offers it takes the answer, and its messages go uncompressed.
      assert.deepEqual(await echoWithWs(port, "/ws?id=ws"), { extensions: "", echoed: true });
    } finally {
      await hosted.dispose();
    }
  },
});

Deno.test({
  name: "`voiceSession` on Hono + Workers agrees compression with `compression: true`",
  ...miniflareSanitizers,
  async fn() {
    const { port, hosted } = await hostHonoCompressionWorker();
    try {
      const peer = await RawPeer.open(port, "/ws-compression?id=raw", [OFFER]);
      try {
        assert.match(agreed(peer.answer) ?? "", /^permessage-deflate\b/, "the 101 agrees it");
      } finally {
        await peer.close();
      }
      const { extensions, echoed } = await echoWithWs(port, "/ws-compression?id=ws");
      assert.match(extensions, /^permessage-deflate\b/);
      assert.ok(echoed, "a compressed message reached the session and came back");
    } finally {
      await hosted.dispose();
    }
  },
});

// Deno's upgrade agrees no extension, and its 101 carries no `webSocket`: it is left as it is, as
// a header naming an extension the client did not offer would fail the connection (RFC 6455, 4.1;
// `ws` does so).
Deno.test("`voiceSession` on Hono + Deno leaves the 101 as Deno answers it, whatever `compression` says", async () => {
  const app = new Hono();
  for (
    const [path, options] of [["/ws", {}], ["/ws-compression", { compression: true }]] as const
  ) {
    const echo = voiceSession(upgradeWebSocket, (t) => {
      t.readable.pipeTo(t.writable).catch(() => {});
    }, options);
    app.get(path, echo);
  }
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    for (const path of ["/ws", "/ws-compression"]) {
      assert.deepEqual(await echoWithWs(server.addr.port, path), { extensions: "", echoed: true });
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("`voiceSession` refuses a `compression` that is no boolean where the route is made", () => {
  for (const [compression, got] of [["false", "string"], [1, "number"], [null, "object"]]) {
    assert.throws(
      () => voiceSession(upgradeWebSocket, () => {}, { compression: compression as never }),
      {
        name: "TypeError",
        message: `compression must be a boolean, got ${got}`,
      },
    );
  }
});
