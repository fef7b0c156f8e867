/**
 * The Cloudflare adapter and Durable Object helper in real workerd (through Miniflare), driven by
 * real WebSocket clients: the example Worker, bundled with the library by `deno bundle`.
 */

import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { within, WsClient } from "../_ws_client.ts";
import { hostMiniflare, miniflareSanitizers } from "./miniflare_sanitizers.ts";
import { behaviourSuite } from "./behaviour/suite.ts";
import { released } from "./behaviour/server_sockets.ts";
import { TIMELINE } from "./cloudflare/timeline.ts";
import { judgePacing, type PacingRun } from "./_pacing_judge.ts";
import { closeFrame, maskedFrame, RawPeer } from "./cloudflare/raw_peer.ts";
import { bundleWorker, exampleCompatibilityDate } from "./cloudflare/worker_bundle.ts";
import { hostWorker } from "./cloudflare/hosted_worker.ts";
import { UPGRADE_HEADERS } from "../adapters/_upgrade_request.ts";

const ROOT = new URL("../../", import.meta.url);
const ENTRY = new URL("tests/runtimes/cloudflare/test_worker.ts", ROOT);
/** Before `web_socket_auto_reply_to_close`: the adapter must answer a client's close itself. */
const OLD_COMPATIBILITY_DATE = "2025-06-01";

const CHUNK_MS = 40;
const CHUNK_BYTES = 16 * 2 * CHUNK_MS; // 16 kHz mono PCM16

interface Workerd extends AsyncDisposable {
  mf: Miniflare;
  ws: string;
  port: number;
}

/** The example Worker with its Durable Object binding in workerd, on 127.0.0.1. */
async function startWorkerd(compatibilityDate?: string): Promise<Workerd> {
  const script = await bundleWorker(ENTRY);
  const date = compatibilityDate ?? await exampleCompatibilityDate();
  const { miniflare: mf, dispose } = await hostMiniflare(() =>
    new Miniflare({
      modules: true,
      script,
      compatibilityDate: date,
      cf: false,
      host: "127.0.0.1",
      port: 0,
      durableObjects: {
        CALLS: { className: "EchoCall", useSQLite: true },
        CLOSING: { className: "ClosingCall", useSQLite: true },
        FAILING: { className: "FailingCall", useSQLite: true },
      },
      bindings: { ALLOWED_ORIGINS: "https://app.example" },
    })
  );
  const url = await mf.ready;
  return {
    mf,
    ws: `ws://${url.host}`,
    port: Number(url.port),
    [Symbol.asyncDispose]: dispose,
  };
}

function connect(url: string): Promise<WsClient> {
  return WsClient.open(url);
}

interface DirectClose {
  code: number;
  reason: string;
  initiator: string;
  received: string[];
}

/** How the `/direct` sessions ended, as the Worker saw them, once `count` have. */
async function directCloses(mf: Miniflare, count: number): Promise<DirectClose[]> {
  // The Worker holds the request until the count-th session has ended, or for 5 s.
  const closes = await (await mf.dispatchFetch(`http://localhost/closes?count=${count}`))
    .json() as DirectClose[];
  assert.ok(closes.length >= count, `the Worker saw ${closes.length} of ${count} sessions end`);
  return closes;
}

/**
 * Sends `seconds` of audio in one message, waits for its echo, and asks the Worker when each
 * chunk left, on the Worker's own clock: the test's client runs on a shared machine whose
 * scheduling would show as lateness that is not the transport's. The Worker ran a bare timer
 * chain on the transport's schedule meanwhile: when the machine is busy, both are late alike.
 */
async function measurePacing(client: WsClient, seconds: number): Promise<PacingRun> {
  const total = seconds * 1000 / CHUNK_MS;
  const from = client.received.length;
  client.send(new Uint8Array(seconds * 16000 * 2));
  const chunks = () => countFrom(client, from);
  await client.waitFor(() => chunks() >= total, seconds * 1000 + 5000, `${seconds} s of echo`);
  const echoed = client.received.slice(from).flatMap((r) => typeof r.data === "string" ? [] : [r]);
  assert.ok(echoed.every((r) => r.data.length === CHUNK_BYTES), "one chunk per message");
  assert.equal(echoed.length, total);
  client.send(TIMELINE);
  const timeline = await client.nextJson((m) => "sends" in m);
  const { sends, timers } = timeline as { sends: number[]; timers: number[] };
  assert.equal(sends.length, total, "the Worker sent each chunk once");
  return { sends, timers };
}

/** Binary messages received from index `from` on. */
function countFrom(client: WsClient, from: number): number {
  let n = 0;
  for (let i = from; i < client.received.length; i++) {
    if (typeof client.received[i]!.data !== "string") n++;
  }
  return n;
}

/** The example's pacing: 40 ms chunks, one of them ahead (`sendAheadMs` by default). */
const PACING_RULES = { chunkMs: CHUNK_MS, leadMs: CHUNK_MS };

/** Measures pacing once over a fresh connection to `path`, prints it, and holds it to the bounds. */
async function assertPaced(url: string, seconds: number): Promise<void> {
  const client = await connect(url);
  try {
    const { problems, ...figures } = judgePacing(
      await measurePacing(client, seconds),
      PACING_RULES,
    );
    console.log(
      `pacing of ${seconds} s in workerd, on the Worker's clock: ${JSON.stringify(figures)}`,
    );
    assert.deepEqual(problems, []);
  } finally {
    await client.close();
  }
}

Deno.test(
  "`CallDurableObject` in workerd echoes binary as binary and text as text",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const client = await connect(`${workerd.ws}/ws/echo-1`);
    const audio = new Uint8Array(CHUNK_BYTES).map((_, i) => i);
    client.send(audio);
    assert.deepEqual(await client.next(), audio, "binary stays binary");
    client.send('{"hi":1}');
    assert.equal(await client.next(), '{"hi":1}');
    await client.close();
  },
);

Deno.test(
  "`upgrade` in a workerd Worker receives binary as ArrayBuffer, never Blob",
  miniflareSanitizers,
  async () => {
    // From compatibility date 2026-03-17 (`websocket_standard_binary_type`) workerd's default
    // binaryType is "blob".
    await using workerd = await startWorkerd();
    const client = await connect(`${workerd.ws}/direct`);
    client.send(new Uint8Array(CHUNK_BYTES));
    assert.ok((await client.next()) instanceof Uint8Array);
    client.send("{}");
    assert.equal(await client.next(), "{}");
    await client.close();
    const [closed] = await directCloses(workerd.mf, 1);
    assert.deepEqual(closed?.received, ["[object ArrayBuffer]", "[object String]"]);
  },
);

Deno.test({
  ...miniflareSanitizers,
  name: "`CallDurableObject` paces 10 s of audio in workerd: p99 within 5 ms of the bare timers'",
  async fn() {
    await using workerd = await startWorkerd();
    await assertPaced(`${workerd.ws}/ws/paced`, 10);
  },
});

Deno.test({
  ...miniflareSanitizers,
  name: "`upgrade` paces audio in workerd with a clock that stands still while code runs",
  async fn() {
    await using workerd = await startWorkerd();
    await assertPaced(`${workerd.ws}/direct?frozen`, 3);
  },
});

Deno.test(
  "`CallDurableObject` runs two concurrent calls in two Durable Objects",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const a = await connect(`${workerd.ws}/ws/call-a`);
    const b = await connect(`${workerd.ws}/ws/call-b`);
    // The same id reaches the same object, which already holds a live call: refused.
    const again = await workerd.mf.dispatchFetch("http://localhost/ws/call-a", {
      headers: UPGRADE_HEADERS,
    });
    assert.equal(again.status, 409);
    await again.body?.cancel();
    // Both objects pace at once; each call hears only itself.
    const [pacedA, pacedB] = await Promise.all([measurePacing(a, 2), measurePacing(b, 2)]);
    // Both really paced in parallel (lateness bounds are the 10 s test's: two calls at once on
    // two shared cores measure the machine more than the transport).
    for (const paced of [pacedA, pacedB]) {
      const { problems } = judgePacing(paced, PACING_RULES);
      assert.deepEqual(problems.filter((p) => !p.includes("lateness")), []);
    }
    a.send('"from a"');
    b.send('"from b"');
    const heard = (client: WsClient) => client.next((d) => typeof d === "string" && d[0] === '"');
    assert.deepEqual(await Promise.all([heard(a), heard(b)]), ['"from a"', '"from b"']);
    await a.close();
    await b.close();
    // Once its call has ended, the object takes the next connection for that id.
    const reconnected = await connect(`${workerd.ws}/ws/call-a`);
    reconnected.send('"back"');
    assert.equal(await reconnected.next(), '"back"');
    await reconnected.close();
  },
);

Deno.test(
  "`systemClock` in workerd shares no runtime timer: one shared with an ended request never fires",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const json = async (path: string) =>
      await (await workerd.mf.dispatchFetch(`http://localhost${path}`)).json();
    for (const kind of ["", "tolerant&"]) {
      // Why (workerd's rule, not ours: a timer belongs to the request that set it): a timer that
      // joined the runtime timer of a request that has ended never fires. Sessions pacing on a
      // clock that shared timers stalled this way (two Durable Objects, CI under load: two
      // chunks, then none).
      await json(`/timers/first?${kind}`);
      assert.deepEqual(await json(`/timers/second?${kind}`), { fired: false }, `shared ${kind}`);
      // So on Workers `systemClock`, every transport's default, gives each timer its own.
      await json(`/timers/first?${kind}system`);
      assert.deepEqual(await json(`/timers/second?${kind}system`), { fired: true }, kind);
    }
  },
);

for (const compatibilityDate of [OLD_COMPATIBILITY_DATE, undefined]) {
  Deno.test(
    `\`upgrade\` in workerd answers a remote close (compatibility date ${
      compatibilityDate ?? "of the example"
    })`,
    miniflareSanitizers,
    async () => {
      await using workerd = await startWorkerd(compatibilityDate);
      const first = await connect(`${workerd.ws}/direct`);
      const answered = await first.close(4001, "bye");
      assert.equal(answered.code, 4001);
      assert.ok(answered.wasClean, "the server answered the close frame");
      // No code: the adapter answers 1000 (1005 cannot be sent); newer workerd echoes no code.
      const second = await connect(`${workerd.ws}/direct`);
      const noCode = await second.close();
      assert.ok(noCode.wasClean);
      assert.equal(noCode.code, compatibilityDate === OLD_COMPATIBILITY_DATE ? 1000 : 1005);
      const closes = await directCloses(workerd.mf, 2);
      assert.deepEqual(
        closes.map(({ code, reason, initiator }) => ({ code, reason, initiator })),
        [
          { code: 4001, reason: "bye", initiator: "remote" },
          { code: 1005, reason: "", initiator: "remote" },
        ],
      );
      // The Durable Object path answers too.
      const call = await connect(`${workerd.ws}/ws/closing`);
      assert.equal((await call.close(4002, "done")).code, 4002);
    },
  );
}

Deno.test(
  "`upgrade` in workerd cuts a long close reason to 123 bytes, whole characters",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const client = await connect(`${workerd.ws}/direct?close-with=${"é".repeat(100)}`);
    const closed = await within(client.closed, 5000, "close from the server");
    assert.equal(closed.code, 4000);
    assert.equal(closed.reason, "é".repeat(61)); // 122 bytes: a 62nd "é" would not fit
    const [ended] = await directCloses(workerd.mf, 1);
    assert.deepEqual([ended?.code, ended?.initiator], [4000, "local"]);
  },
);

Deno.test(
  "`upgrade` and `CallDurableObject.route` in workerd refuse a foreign origin",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const refused = await workerd.mf.dispatchFetch("http://localhost/direct", {
      headers: { ...UPGRADE_HEADERS, origin: "https://evil.example" },
    });
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
    const allowed = await workerd.mf.dispatchFetch("http://localhost/direct", {
      headers: { ...UPGRADE_HEADERS, origin: "https://app.example" },
    });
    assert.equal(allowed.status, 101);
    allowed.webSocket?.accept();
    allowed.webSocket?.close(1000);
    const refusedCall = await workerd.mf.dispatchFetch("http://localhost/ws/some-call", {
      headers: { ...UPGRADE_HEADERS, origin: "https://evil.example" },
    });
    assert.equal(refusedCall.status, 403);
    await refusedCall.body?.cancel();
    const plain = await workerd.mf.dispatchFetch("http://localhost/ws/some-call");
    assert.equal(plain.status, 426);
    await plain.body?.cancel();
    const noId = await workerd.mf.dispatchFetch("http://localhost/elsewhere", {
      headers: UPGRADE_HEADERS,
    });
    assert.equal(noId.status, 404);
    await noId.body?.cancel();
  },
);

Deno.test(
  "`upgrade` in a workerd Worker passes the behavioural suite",
  miniflareSanitizers,
  async (t) => {
    const { url, hosted } = await hostWorker(
      new URL("tests/runtimes/cloudflare/suite_worker.ts", ROOT),
      await exampleCompatibilityDate(),
    );
    await using _host = hosted;
    // Workers have no bufferedAmount: a peer that stops reading is bounded by pacing instead;
    // and no way to drop one connection (a Durable Object resets itself: see below).
    await behaviourSuite(t, {
      port: Number(url.port),
      reportsBufferedAmount: false,
      dropsSilentPeers: false,
    });
  },
);

Deno.test(
  "`CallDurableObject` in workerd drops the connection of a peer that never answers the close",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    // A raw peer: completes the handshake, says one thing, reads on, answers nothing.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: workerd.port });
    const clientPort = (conn.localAddr as Deno.NetAddr).port;
    await conn.write(new TextEncoder().encode(
      "GET /closing/silent HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    ));
    const mask = [1, 2, 3, 4];
    await conn.write(new Uint8Array([0x81, 0x82, ...mask, 0x7b ^ 1, 0x7d ^ 2])); // "{}", masked
    const ended = (async () => {
      try {
        for await (const _ of conn.readable) { /* the 101, the close frame: never answered */ }
      } catch {
        // Reset: ended all the same.
      }
    })();
    try {
      // The call closes at the first message and gives up on the handshake after 200 ms: the
      // object resets itself (`ctx.abort()`), the one way Workers have to drop a connection.
      await released(workerd.port, clientPort, 2000);
      await within(ended, 1000, "the end of the connection, seen by the peer");
      // The reset waits a task: the application heard the timeout and saw `closed` settle.
      const seen = await (await workerd.mf.dispatchFetch("http://localhost/closing-seen")).json();
      assert.deepEqual(seen, ["error timeout", "closed 4000", "again 409"]);
      // The reset is the end of the refusals: the same call connects to the object made anew.
      const next = await connect(`${workerd.ws}/closing/silent`);
      next.send("{}");
      assert.equal((await within(next.closed, 3000, "the next call's own close")).code, 4000);
    } finally {
      try {
        conn.close();
      } catch {
        // Closed with its readable.
      }
      await ended;
    }
  },
);

Deno.test(
  "`upgrade` in workerd closes with 1009 a message over `maxMessageBytes` (1 MiB by default)",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const client = await connect(`${workerd.ws}/direct`);
    client.send(new Uint8Array((1 << 20) + 1));
    const closed = await within(client.closed, 5000, "the close of an oversized message");
    assert.equal(closed.code, 1009);
  },
);

Deno.test(
  "`CallDurableObject` in workerd ends a call whose onSession throws or rejects with 1011",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    for (const query of ["", "?async"]) {
      const client = await connect(`${workerd.ws}/failing/call-1${query}`);
      const closed = await within(client.closed, 3000, "the close of a failed call");
      assert.equal(closed.code, 1011, `onSession that fails ${query || "at once"}`);
    }
    // The object takes the next connection for the same call.
    const client = await connect(`${workerd.ws}/failing/call-1?ok`);
    client.send('{"served":"on"}');
    assert.equal(await client.next(), '{"served":"on"}');
    await client.close();
  },
);

Deno.test(
  "`CallDurableObject` in workerd takes the next connection after its upgradeOptions threw",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const bad = await workerd.mf.dispatchFetch("http://localhost/closing/call-2?bad", {
      headers: UPGRADE_HEADERS,
    });
    await bad.body?.cancel();
    assert.equal(bad.status, 500, "the override's error fails that request");
    // The call was not left claimed: the same id connects (it was 409 for good).
    const client = await connect(`${workerd.ws}/closing/call-2`);
    client.send("{}");
    const closed = await within(client.closed, 3000, "the call's own close");
    assert.equal(closed.code, 4000);
  },
);

Deno.test(
  "`upgrade` in workerd ends with 1011 a session whose serializer function throws, and serves on",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const failed = await connect(`${workerd.ws}/direct?failing`);
    const closed = await within(failed.closed, 3000, "the close of a session that could not start");
    assert.equal(closed.code, 1011);
    const client = await connect(`${workerd.ws}/direct`);
    client.send('{"served":"on"}');
    assert.equal(await client.next(), '{"served":"on"}');
    await client.close();
  },
);

/** How the example's calls (`/ws/:id`) ended, as their objects saw it, once `count` have. */
async function callCloses(mf: Miniflare, count: number): Promise<DirectClose[]> {
  const closes = await (await mf.dispatchFetch(`http://localhost/call-closes?count=${count}`))
    .json() as DirectClose[];
  assert.ok(closes.length >= count, `the objects saw ${closes.length} of ${count} calls end`);
  return closes;
}

/**
 * Frames that break the protocol (RFC 6455 §5.2), masked, the code workerd fails them with, and
 * how the session is told it ended: a dropped connection, or the transport's own refusal (1009).
 */
const BROKEN_FRAMES: Record<string, [frame: Uint8Array, code: number, ended: [number, string]]> = {
  "a reserved opcode": [maskedFrame(0x83), 1002, [1006, "remote"]],
  "a continuation with nothing to continue": [maskedFrame(0x80), 1002, [1006, "remote"]],
  "RSV1 with no extension agreed": [maskedFrame(0xc1), 1002, [1006, "remote"]],
  // Its header alone: workerd refuses a message over its own cap (32 MiB) before its payload.
  "a message over workerd's 32 MiB": [
    new Uint8Array([0x82, 0x80 | 127, 0, 0, 0, 0, 0x02, 0x00, 0x00, 0x01, 0, 0, 0, 0]),
    1009,
    [1009, "local"],
  ],
};

// workerd fails such a connection (1002 to the client) with an "error" on the server's socket and
// no "close": the session must end all the same, as on Deno and Bun.
Deno.test(
  "`upgrade` in workerd ends a session whose client broke the protocol (1006; 1009 for a message over the cap)",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    for (const [i, [what, [frame, code, told]]] of Object.entries(BROKEN_FRAMES).entries()) {
      const peer = await RawPeer.open(workerd.port, "/direct");
      try {
        await peer.write(frame);
        assert.equal(await peer.closeCode(3000), code, what);
        // Asked while the client is still connected: the session ended of the error alone.
        const ended = (await directCloses(workerd.mf, i + 1))[i];
        assert.deepEqual([ended?.code, ended?.initiator], told, what);
      } finally {
        await peer.close();
      }
    }
  },
);

Deno.test(
  "`CallDurableObject` in workerd ends a call whose client broke the protocol and takes the next",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const peer = await RawPeer.open(workerd.port, "/ws/broken-call");
    try {
      await peer.write(BROKEN_FRAMES["a reserved opcode"]![0]);
      assert.equal(await peer.closeCode(3000), 1002);
      const [ended] = await callCloses(workerd.mf, 1);
      assert.deepEqual(
        [ended?.code, ended?.initiator, (ended as { path?: string } | undefined)?.path],
        [1006, "remote", "/ws/broken-call"],
      );
      // The call is free again: the same id connects (it was 409 for good).
      const client = await connect(`${workerd.ws}/ws/broken-call`);
      client.send('{"back":1}');
      assert.equal(await client.next(), '{"back":1}');
      await client.close();
    } finally {
      await peer.close();
    }
  },
);

for (const compatibilityDate of [OLD_COMPATIBILITY_DATE, undefined]) {
  Deno.test(
    `\`upgrade\` in workerd reports 1006 for a close code no close frame may carry (compatibility date ${
      compatibilityDate ?? "of the example"
    })`,
    miniflareSanitizers,
    async () => {
      await using workerd = await startWorkerd(compatibilityDate);
      const codes = [5000, 999, 1015];
      for (const [i, code] of codes.entries()) {
        const peer = await RawPeer.open(workerd.port, "/direct");
        try {
          await peer.write(closeFrame(code));
          const answered = await peer.closeCode(3000);
          // The adapter answers a protocol error (RFC 6455 §7.4.1) where workerd leaves the close
          // to it; from 2026-04-07 workerd answers first, echoing the code: not ours to change.
          if (compatibilityDate === OLD_COMPATIBILITY_DATE) assert.equal(answered, 1002);
          // Deno and Bun fail such a connection: 1006, never the code as the peer's.
          const ended = (await directCloses(workerd.mf, i + 1))[i];
          assert.deepEqual([ended?.code, ended?.initiator], [1006, "remote"], `code ${code}`);
        } finally {
          await peer.close();
        }
      }
    },
  );
}

Deno.test(
  "`upgrade` in workerd answers its `protocol` only to a client that offered it",
  miniflareSanitizers,
  async () => {
    await using workerd = await startWorkerd();
    const url = `${workerd.ws}/direct?protocol=audio.v1`;
    // `ws` holds the handshake to RFC 6455 §4.1 as browsers do (Deno's client does not): a
    // subprotocol the client did not offer fails the connection.
    const open = (protocols?: string[]) =>
      new Promise<string>((resolve) => {
        const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
        ws.on("open", () => {
          resolve(`open "${ws.protocol}"`);
          ws.close(1000);
        });
        ws.on("error", (error: Error) => resolve(`failed: ${error.message}`));
      });
    assert.deepEqual(
      {
        none: await within(open(), 5000, "the handshake offering none"),
        it: await within(open(["audio.v1"]), 5000, "the handshake offering it"),
        among: await within(open(["other", "audio.v1"]), 5000, "the handshake offering it second"),
      },
      { none: 'open ""', it: 'open "audio.v1"', among: 'open "audio.v1"' },
    );
    // Offered only others: upgraded with none, which browsers take (`ws`, Miniflare's fetch too,
    // fails any answer but one of its offers). The list may be spaced as it likes.
    const answers: Record<string, string | null> = {};
    for (const offered of ["other", "other ,  audio.v1 ", "audio.v1x, x-audio.v1"]) {
      const peer = await RawPeer.open(workerd.port, "/direct?protocol=audio.v1", [
        `Sec-WebSocket-Protocol: ${offered}`,
      ]);
      answers[offered] = /^sec-websocket-protocol: *(.*?)\r$/im.exec(peer.answer)?.[1] ?? null;
      await peer.write(closeFrame(1000));
      await peer.closeCode(3000);
      await peer.close();
    }
    assert.deepEqual(answers, {
      "other": null,
      "other ,  audio.v1 ": "audio.v1",
      "audio.v1x, x-audio.v1": null,
    });
    await directCloses(workerd.mf, 6); // every session ended before workerd goes
  },
);
