/**
 * The client side of the behavioural suite: the same checks, as test steps, against any server
 * that serves {@linkcode runBot} (see `behaviour_bot.ts`) on `/ws` and `/ws-blast` and its log on
 * `/log`. Driven by Deno's own WebSocket client and raw TCP, so only the server changes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { within, WsClient } from "../../_ws_client.ts";
import { BLAST_CHUNK_BYTES, BLAST_OPTIONS, type LogEntry } from "./bot.ts";
import { released, serverHolds } from "./server_sockets.ts";

/** Where a server under test listens, and what its runtime can be asked. */
export interface SuiteTarget {
  /** 127.0.0.1 port. */
  port: number;
  /**
   * Whether the runtime reports unsent bytes (`bufferedAmount`), so a peer that stops reading
   * ends the session. Workers report none: there the send bound comes from pacing instead.
   *
   * @default {true}
   */
  reportsBufferedAmount?: boolean;
  /**
   * Whether the server can drop a connection whose peer never answers the close. A Worker cannot
   * (only a Durable Object, by resetting itself): workerd keeps it until the peer goes away.
   *
   * @default {true}
   */
  dropsSilentPeers?: boolean;
  /**
   * Whether the server can drop a connection whose peer has stopped reading. Deno cannot: its
   * pending writes hold the connection until the peer goes away.
   *
   * @default {true}
   */
  dropsStalledConnections?: boolean;
  /**
   * Whether `/ws-idle` has a one-second keep-alive (the adapter's `idleTimeout`).
   *
   * @default {false}
   */
  keepAlive?: boolean;
  /**
   * Whether the adapter takes a session callback, and the server routes `/ws-throws` to one that
   * fails.
   *
   * @default {false}
   */
  sessionCallback?: boolean;
}

function open(port: number, path: string): Promise<WsClient> {
  return WsClient.open(`ws://127.0.0.1:${port}${path}`);
}

/** The bytes received so far in binary messages whose first byte is `fill`. */
function bytesFilled(client: WsClient, fill: number): number {
  return client.binaries.filter((b) => b[0] === fill).reduce((n, b) => n + b.length, 0);
}

/** The server's log entry `event` of session `id`, once it exists. */
export async function logEntry(port: number, id: string, event: string): Promise<LogEntry> {
  const response = await fetch(`http://127.0.0.1:${port}/log?id=${id}&event=${event}`);
  assert.equal(response.status, 200, `no "${event}" logged for session ${id}`);
  return await response.json();
}

async function sessionsOf(port: number, id: string): Promise<LogEntry[]> {
  const response = await fetch(`http://127.0.0.1:${port}/log?id=${id}`);
  return await response.json();
}

/**
 * A WebSocket handshake by hand over TCP: the status code, and the connection, left unread.
 * `headers` are added, or replace the key and version (an empty value leaves one out).
 */
export async function rawHandshake(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; conn: Deno.TcpConn }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const all: Record<string, string> = {
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  const lines = Object.entries(all).filter(([, v]) => v !== "").map(([k, v]) => `${k}: ${v}\r\n`);
  await conn.write(new TextEncoder().encode(
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\n${lines.join("")}\r\n`,
  ));
  // Read only up to the end of the status line: the rest stays unread (the blasting case).
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  while (bytes.length < 2 || bytes.at(-2) !== 13 || bytes.at(-1) !== 10) {
    if ((await conn.read(one)) === null) break;
    bytes.push(one[0]!);
  }
  const line = new TextDecoder().decode(new Uint8Array(bytes));
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(line)?.[1] ?? NaN);
  return { status, conn };
}

/** One masked text frame, as a client must send it (RFC 6455 §5.2, §5.3); up to 125 bytes. */
function maskedText(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const frame = new Uint8Array(6 + payload.length);
  frame.set([0x81, 0x80 | payload.length, ...mask]);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/** A peer that completes the handshake, says one thing, then reads forever and answers nothing. */
interface SilentPeer {
  /** Its port, the other end of the server's socket. */
  clientPort: number;
  /** Settles when the server has closed the connection. */
  ended: Promise<void>;
  /** Hangs up. */
  close(): Promise<void>;
}

async function silentPeer(port: number, path: string): Promise<SilentPeer> {
  const { status, conn } = await rawHandshake(port, path);
  assert.equal(status, 101);
  await conn.write(maskedText("{}")); // Hono's Workers adapter opens a session at its first message
  const ended = (async () => {
    try {
      for await (const _ of conn.readable) { /* read and drop: close frames, pings and all */ }
    } catch {
      // Reset by the server: ended all the same.
    }
  })();
  return {
    clientPort: (conn.localAddr as Deno.NetAddr).port,
    ended,
    async close() {
      try {
        conn.close();
      } catch {
        // Already closed with its readable.
      }
      await ended;
    },
  };
}

let sessionCounter = 0;
function newId(name: string): string {
  return `${name}-${++sessionCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Runs every behavioural check as a step of `t` against the server on `target.port`: echo,
 * pacing, interruption, bad input, remote close, refusals, connections let go once a session is
 * over, bounded sending to a peer that stops reading, keep-alive and failing session callbacks
 * where the target has them.
 */
export async function behaviourSuite(t: Deno.TestContext, target: SuiteTarget): Promise<void> {
  const { port, reportsBufferedAmount = true, dropsStalledConnections = true } = target;
  const { dropsSilentPeers = true } = target;

  await t.step("echoes binary as binary and text as text", async () => {
    const client = await open(port, `/ws?id=${newId("echo")}`);
    const audio = new Uint8Array(640).map((_, i) => i);
    client.send(audio);
    assert.deepEqual(await client.next(), audio, "binary comes back binary");
    client.send('{"hi":1}');
    assert.equal(await client.next(), '{"hi":1}');
    await client.close();
  });

  await t.step("paces a burst of audio like a sound card", async () => {
    const client = await open(port, `/ws?id=${newId("pace")}`);
    // 600 ms of 16 kHz mono in one write: 30 chunks of 20 ms, the first two at once (send-ahead).
    client.send(JSON.stringify({ cmd: "burst", ms: 600, fill: 1 }));
    const total = 600 * 32;
    await client.waitFor(() => client.binaryBytes.length >= total, 5000, "600 ms of audio");
    const chunks = client.received.filter((r) => typeof r.data !== "string");
    assert.equal(chunks.length, 30, "re-chunked to 20 ms");
    assert.ok(chunks.every((c) => c.data.length === 640));
    const span = chunks.at(-1)!.at - chunks[0]!.at;
    // Unpaced, all 30 would arrive within a few ms; paced, chunk n leaves at (n − 1) · 20 ms.
    assert.ok(span >= 520 && span <= 1000, `30 chunks spread over ${span.toFixed(0)} ms, not ~560`);
    await client.close();
  });

  await t.step("drops queued audio at once on interruption", async () => {
    const client = await open(port, `/ws?id=${newId("interrupt")}`);
    client.send(JSON.stringify({ cmd: "burst", ms: 2000, fill: 1 }));
    await client.waitFor(() => client.received.length >= 5);
    client.send(JSON.stringify({ cmd: "interrupt", ms: 100, fill: 2 }));
    await client.waitFor(() => bytesFilled(client, 2) >= 100 * 32, 5000, "the new audio");
    // A queued message leaves after everything queued before it: stale audio would come first.
    client.send('{"after":"interrupt"}');
    await client.next((data) => data === '{"after":"interrupt"}', { from: 0, timeoutMs: 5000 });
    const firstNew = client.received.findIndex((r) =>
      typeof r.data !== "string" && r.data[0] === 2
    );
    const staleAfter = client.received.slice(firstNew).filter((r) =>
      typeof r.data !== "string" && r.data[0] === 1
    );
    assert.equal(staleAfter.length, 0, "no audio from before the interruption after it");
    const oldBytes = bytesFilled(client, 1);
    assert.ok(oldBytes < 1000 * 32, `${oldBytes} bytes of the 2 s burst left: most was dropped`);
    await client.close();
  });

  await t.step("reads on through bad input, reporting each bad message", async () => {
    const client = await open(port, `/ws?id=${newId("bad")}`);
    for (let i = 0; i < 50; i++) {
      client.send(new Uint8Array(3)); // not whole 16-bit samples
      client.send("{not json");
    }
    client.send('{"cmd":"errors"}');
    assert.deepEqual(await client.nextJson((m) => "errors" in m, { from: 0 }), { errors: 100 });
    client.send(new Uint8Array(640).fill(7));
    assert.deepEqual(await client.next((d) => typeof d !== "string"), new Uint8Array(640).fill(7));
    await client.close();
  });

  await t.step("sees a remote close with the peer's code and reason", async () => {
    const id = newId("remote-close");
    const client = await open(port, `/ws?id=${id}`);
    await client.close(4001, "client-bye");
    const closed = await logEntry(port, id, "closed");
    assert.deepEqual(
      { code: closed.code, reason: closed.reason, initiator: closed.initiator },
      { code: 4001, reason: "client-bye", initiator: "remote" },
    );
  });

  await t.step("reports a connection dropped without a close as 1006", async () => {
    const id = newId("dropped");
    const { status, conn } = await rawHandshake(port, `/ws?id=${id}`);
    assert.equal(status, 101);
    conn.close(); // the TCP connection goes, with no close frame (RFC 6455 §7.1.5: 1006)
    const closed = await logEntry(port, id, "closed");
    assert.deepEqual([closed.code, closed.initiator], [1006, "remote"]);
  });

  await t.step("refuses a browser origin not allowed, and what authorize turns down", async () => {
    const id = newId("refused");
    const evil = await rawHandshake(port, `/ws?id=${id}`, { Origin: "https://evil.example" });
    evil.conn.close();
    assert.equal(evil.status, 403);
    const bad = await rawHandshake(port, `/ws?id=${id}&token=bad`);
    bad.conn.close();
    assert.equal(bad.status, 401);
    assert.deepEqual(await sessionsOf(port, id), [], "no session was started");
    const good = await rawHandshake(port, `/ws?id=${newId("allowed")}`, {
      Origin: "https://app.example",
    });
    good.conn.close();
    assert.equal(good.status, 101);
  });

  await t.step("refuses a malformed handshake as RFC 6455 asks, starting no session", async () => {
    // 4.2.1: the key is 16 bytes in base64, else 400; 4.2.2: a version we do not speak, 426.
    const id = newId("malformed");
    const cases: [Record<string, string>, number][] = [
      [{ "Sec-WebSocket-Key": "nope" }, 400],
      [{ "Sec-WebSocket-Version": "8" }, 426],
      [{ "Sec-WebSocket-Version": "" }, 426],
    ];
    for (const [headers, expected] of cases) {
      const { status, conn } = await rawHandshake(port, `/ws?id=${id}`, headers);
      conn.close();
      assert.equal(status, expected, JSON.stringify(headers));
    }
    assert.deepEqual(await sessionsOf(port, id), [], "no session was started");
    // Another method: 405, or 404 where the route is a GET route (Hono on Deno and Bun).
    // @hono/node-ws hands the route every upgrade as a GET (the adapter reads the method off the
    // raw request). workerd (through miniflare) hands the Worker such a request as a GET and then
    // fails it itself (500: "WebSocket must be initiated with a GET request"), after the Worker
    // answered: there, a session may begin and end at once.
    const postId = newId("post");
    const post = await rawHandshake(port, `/ws?id=${postId}`, {}, "POST");
    post.conn.close();
    assert.ok([405, 404, 500].includes(post.status), `POST: ${post.status}`);
    if (post.status !== 500) assert.deepEqual(await sessionsOf(port, postId), [], "POST");
  });

  await t.step("lets go of the connection of a peer that never answers the close", async () => {
    const id = newId("silent");
    const peer = await silentPeer(port, `/ws-close?id=${id}`);
    try {
      const closed = await logEntry(port, id, "closed");
      assert.deepEqual([closed.code, closed.initiator], [4000, "local"]);
      if (dropsSilentPeers) {
        // `closed` settled after the 200 ms close timeout; by then the connection must be going.
        await released(port, peer.clientPort, 1000);
        await within(peer.ended, 1000, "end of the connection, seen by the peer");
      } else {
        // A Worker keeps it (documented): until the peer goes away.
        assert.ok(serverHolds(port, peer.clientPort), "workerd let go: update the README");
      }
    } finally {
      await peer.close();
    }
    if (!dropsSilentPeers) await released(port, peer.clientPort, 1000);
  });

  if (target.keepAlive) {
    await t.step(
      "keep-alive drops a peer that answers no ping, and keeps one that does",
      async () => {
        const peer = await silentPeer(port, `/ws-idle?id=${newId("idle-silent")}`);
        const client = await open(port, `/ws-idle?id=${newId("idle-alive")}`);
        try {
          // One second of keep-alive: pinged after half of it, dropped after the other half.
          await released(port, peer.clientPort, 3000);
          await assert.rejects(within(client.closed, 2500, "close"), /no close within/);
          client.send('{"still":"here"}');
          assert.equal(await client.next(), '{"still":"here"}');
        } finally {
          await peer.close();
          await client.close();
        }
      },
    );
  }

  if (target.sessionCallback) {
    await t.step(
      "ends a session whose callback throws or rejects with 1011, and serves on",
      async () => {
        for (const variant of ["", "&async"]) {
          const client = await open(port, `/ws-throws?id=${newId("throws")}${variant}`);
          client.send("{}"); // Hono's Workers adapter hands the socket over with a message
          const closed = await within(client.closed, 3000, "the close of a failed session");
          assert.equal(closed.code, 1011, `code for a callback that fails ${variant || "at once"}`);
        }
        const client = await open(port, `/ws?id=${newId("after-throws")}`);
        client.send('{"served":"on"}');
        assert.equal(await client.next(), '{"served":"on"}');
        await client.close();
      },
    );
  }

  if (!reportsBufferedAmount) return;
  await t.step("ends a session whose peer stops reading, buffering boundedly", async () => {
    const id = newId("blast");
    const { status, conn } = await rawHandshake(port, `/ws-blast?id=${id}`);
    const clientPort = (conn.localAddr as Deno.NetAddr).port;
    assert.equal(status, 101);
    try {
      const closed = await logEntry(port, id, "closed");
      const blasted = await logEntry(port, id, "blast");
      assert.equal(closed.fatal, "backpressure");
      assert.equal(closed.code, 1008);
      const bound = BLAST_OPTIONS.maxBufferedBytes! + BLAST_CHUNK_BYTES;
      assert.ok(
        (blasted.maxBuffered as number) <= bound,
        `buffered ${blasted.maxBuffered} bytes, over the bound of ${bound}`,
      );
      if (dropsStalledConnections) {
        await released(port, clientPort, 1000);
      } else {
        // Deno's queued writes hold the connection (documented): until the peer goes away.
        assert.ok(serverHolds(port, clientPort), "Deno let go: update the README's Limits");
      }
    } finally {
      conn.close();
    }
    if (!dropsStalledConnections) await released(port, clientPort, 1000);
  });
}
