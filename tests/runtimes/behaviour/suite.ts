/**
 * The client side of the behavioural suite: the same checks, as test steps, against any server
 * that serves {@linkcode runBot} (see `behaviour_bot.ts`) on `/ws` and `/ws-blast` and its log on
 * `/log`. Driven by Deno's own WebSocket client and raw TCP, so only the server changes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { BLAST_CHUNK_BYTES, BLAST_OPTIONS, type LogEntry } from "./bot.ts";

/** Where a server under test listens, and what its runtime can be asked. */
export interface SuiteTarget {
  /** 127.0.0.1 port. */
  port: number;
  /**
   * Whether the runtime reports unsent bytes (`bufferedAmount`), so a peer that stops reading
   * ends the session. Workers report none: there the send bound comes from pacing instead.
   */
  reportsBufferedAmount?: boolean;
}

/** One received message and when it arrived. */
interface Received {
  data: string | ArrayBuffer;
  at: number;
}

/** A WebSocket client that keeps every message with its arrival time. */
class Client {
  readonly ws: WebSocket;
  readonly received: Received[] = [];
  #wake: (() => void) | undefined;
  readonly closed: Promise<CloseEvent>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = "arraybuffer";
    this.ws.onmessage = (e) => {
      this.received.push({ data: e.data, at: performance.now() });
      this.#wake?.();
    };
    this.closed = new Promise((resolve) => this.ws.addEventListener("close", resolve));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("connection refused"));
    });
  }

  /** Waits until `done` holds over what arrived, at most `ms`. */
  async until(done: (received: Received[]) => boolean, ms = 5000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!done(this.received)) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out; ${this.received.length} messages so far`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, left);
        function finish() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = finish;
      });
    }
  }

  async close(code?: number, reason?: string): Promise<CloseEvent> {
    if (this.ws.readyState < 2) this.ws.close(code, reason);
    return await this.closed;
  }
}

function binary(received: Received[]): Uint8Array[] {
  return received.flatMap((r) => typeof r.data === "string" ? [] : [new Uint8Array(r.data)]);
}

async function open(port: number, path: string): Promise<Client> {
  const client = new Client(`ws://127.0.0.1:${port}${path}`);
  await client.opened();
  return client;
}

/** The server's log entry `event` of session `id`, once it exists. */
async function logEntry(port: number, id: string, event: string): Promise<LogEntry> {
  const response = await fetch(`http://127.0.0.1:${port}/log?id=${id}&event=${event}`);
  assert.equal(response.status, 200, `no "${event}" logged for session ${id}`);
  return await response.json();
}

async function sessionsOf(port: number, id: string): Promise<LogEntry[]> {
  const response = await fetch(`http://127.0.0.1:${port}/log?id=${id}`);
  return await response.json();
}

/** A WebSocket handshake by hand over TCP: the status code, and the connection, left unread. */
export async function rawHandshake(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; conn: Deno.TcpConn }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  await conn.write(new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      `Sec-WebSocket-Version: 13\r\n${extra}\r\n`,
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

let sessionCounter = 0;
function newId(name: string): string {
  return `${name}-${++sessionCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Runs every behavioural check as a step of `t` against the server on `target.port`: echo,
 * pacing, interruption, bad input, remote close, refusals, and bounded sending to a peer that
 * stops reading.
 */
export async function behaviourSuite(t: Deno.TestContext, target: SuiteTarget): Promise<void> {
  const { port, reportsBufferedAmount = true } = target;

  await t.step("echoes binary as binary and text as text", async () => {
    const client = await open(port, `/ws?id=${newId("echo")}`);
    const audio = new Uint8Array(640).map((_, i) => i);
    client.ws.send(audio);
    await client.until((r) => r.length >= 1);
    const echoed = client.received[0]!.data;
    assert.ok(echoed instanceof ArrayBuffer, "binary comes back binary");
    assert.deepEqual(new Uint8Array(echoed), audio);
    client.ws.send('{"hi":1}');
    await client.until((r) => r.length >= 2);
    assert.equal(client.received[1]!.data, '{"hi":1}');
    await client.close();
  });

  await t.step("paces a burst of audio like a sound card", async () => {
    const client = await open(port, `/ws?id=${newId("pace")}`);
    // 600 ms of 16 kHz mono in one write: 30 chunks of 20 ms, the first two at once (send-ahead).
    client.ws.send(JSON.stringify({ cmd: "burst", ms: 600, fill: 1 }));
    const total = 600 * 32;
    const bytes = () => binary(client.received).reduce((n, b) => n + b.length, 0);
    await client.until(() => bytes() >= total);
    const chunks = client.received.filter((r) => typeof r.data !== "string");
    assert.equal(chunks.length, 30, "re-chunked to 20 ms");
    assert.ok(chunks.every((c) => (c.data as ArrayBuffer).byteLength === 640));
    const span = chunks.at(-1)!.at - chunks[0]!.at;
    // Unpaced, all 30 would arrive within a few ms; paced, chunk n leaves at (n − 1) · 20 ms.
    assert.ok(span >= 520 && span <= 1000, `30 chunks spread over ${span.toFixed(0)} ms, not ~560`);
    await client.close();
  });

  await t.step("drops queued audio at once on interruption", async () => {
    const client = await open(port, `/ws?id=${newId("interrupt")}`);
    client.ws.send(JSON.stringify({ cmd: "burst", ms: 2000, fill: 1 }));
    await client.until((r) => r.length >= 5);
    client.ws.send(JSON.stringify({ cmd: "interrupt", ms: 100, fill: 2 }));
    const filled = (value: number) => binary(client.received).filter((b) => b[0] === value);
    await client.until(() => filled(2).reduce((n, b) => n + b.length, 0) >= 100 * 32);
    // A queued message leaves after everything queued before it: stale audio would come first.
    client.ws.send('{"after":"interrupt"}');
    await client.until((r) => r.some((m) => m.data === '{"after":"interrupt"}'));
    const firstNew = client.received.findIndex((r) =>
      typeof r.data !== "string" && new Uint8Array(r.data)[0] === 2
    );
    const staleAfter = client.received.slice(firstNew).filter((r) =>
      typeof r.data !== "string" && new Uint8Array(r.data)[0] === 1
    );
    assert.equal(staleAfter.length, 0, "no audio from before the interruption after it");
    const oldBytes = filled(1).reduce((n, b) => n + b.length, 0);
    assert.ok(oldBytes < 1000 * 32, `${oldBytes} bytes of the 2 s burst left: most was dropped`);
    await client.close();
  });

  await t.step("reads on through bad input, reporting each bad message", async () => {
    const client = await open(port, `/ws?id=${newId("bad")}`);
    for (let i = 0; i < 50; i++) {
      client.ws.send(new Uint8Array(3)); // not whole 16-bit samples
      client.ws.send("{not json");
    }
    client.ws.send('{"cmd":"errors"}');
    await client.until((r) =>
      r.some((m) => typeof m.data === "string" && m.data.includes("errors"))
    );
    const reply = client.received.find((m) => typeof m.data === "string")!.data as string;
    assert.deepEqual(JSON.parse(reply), { errors: 100 });
    client.ws.send(new Uint8Array(640).fill(7));
    await client.until((r) => binary(r).length >= 1);
    assert.deepEqual(binary(client.received)[0], new Uint8Array(640).fill(7));
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

  if (!reportsBufferedAmount) return;
  await t.step("ends a session whose peer stops reading, buffering boundedly", async () => {
    const id = newId("blast");
    const { status, conn } = await rawHandshake(port, `/ws-blast?id=${id}`);
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
    } finally {
      conn.close();
    }
  });
}
