// A bot (or a proxy before it) that completes the WebSocket handshake and then never answers the
// caller's close: after CLOSE_TIMEOUT_MS the caller drops the connection. It returned the report
// and left its socket CLOSING for good, so a `deno run` script awaiting simulateCall never exited.
// The simulator runs on a FakeClock, stepped here whenever the socket is not opening; the peer is
// a TCP listener on 127.0.0.1 that answers the upgrade and then only reads.
import assert from "node:assert/strict";
import { simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** Completes the WebSocket handshake, then reads and discards everything (a wedged bot). */
function deafServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  /** Resolves when the caller's side of a connection is gone (the read sees EOF or a reset). */
  let dropped!: () => void;
  const gone = new Promise<void>((resolve) => (dropped = resolve));
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      (async () => {
        const buf = new Uint8Array(65536);
        let head = "";
        while (!head.includes("\r\n\r\n")) {
          const n = await conn.read(buf);
          if (n === null) return;
          head += new TextDecoder().decode(buf.subarray(0, n));
        }
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head)![1]!;
        await conn.write(new TextEncoder().encode(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${await acceptKey(key)}\r\n\r\n`,
        ));
        while ((await conn.read(buf)) !== null) { /* discard, never answer the close */ }
      })().catch(() => {}).finally(() => dropped());
    }
  })().catch(() => {});
  return {
    url: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    gone,
    async close() {
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
      listener.close();
      await serving;
    },
  };
}

/** Steps `clock` until `work` settles, never while `opening()` (a connect timeout is fake too). */
async function stepped<T>(clock: FakeClock, work: Promise<T>, opening: () => boolean): Promise<T> {
  let settled = false;
  work.then(() => (settled = true), () => (settled = true));
  const deadline = Date.now() + 10_000;
  while (!settled && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const due = clock.nextDue;
    if (!opening() && due !== undefined) await clock.tick(Math.max(0, due - clock.now()));
  }
  return await work;
}

Deno.test("a call to a peer that never answers the close leaves no socket open after the report", async () => {
  const server = deafServer();
  const clock = new FakeClock();
  let socket: WebSocket | undefined;
  try {
    const report = await stepped(
      clock,
      simulateCall(server.url, {
        protocol: "raw",
        hangUpAtMs: 200,
        clock,
        connect: (url, protocols) => (socket = new WebSocket(url, protocols)),
      }),
      () => socket === undefined || socket.readyState === WebSocket.CONNECTING,
    );
    assert.equal(report.ended.by, "caller");
    assert.equal(report.ended.detail, "the caller hung up at 200 ms as asked");
    assert.deepEqual(report.violations, []);
    assert.equal(clock.now(), 200 + 2_000, "the report came after the 2 s close wait");
    // The connection is dropped under the caller: the peer's read ends, the socket closes.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, 2_000, "timeout")));
    const ended = await Promise.race([server.gone.then(() => "gone"), timeout]);
    clearTimeout(timer);
    for (let i = 0; i < 100 && socket!.readyState !== WebSocket.CLOSED; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(
      socket!.readyState,
      WebSocket.CLOSED,
      `readyState ${socket!.readyState} after the report (peer's side: ${ended})`,
    );
    assert.equal(ended, "gone");
  } finally {
    await server.close();
  }
});
