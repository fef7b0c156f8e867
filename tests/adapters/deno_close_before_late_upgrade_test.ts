// Deno: a session closed while the route still holds back the upgrade's 101 (awaiting something
// of its own), the 101 sent only once the session has ended. Deno's socket, closed while
// connecting, only marks itself closing and sends nothing; the late 101 opens it as if never
// closed: the caller got Deno's keep-alive ping (RFC 6455 §5.5.2) and no close frame, where
// RFC 6455 §7.1.2 has the closing side send one, and the connection stayed until the idle timeout.
// Now the close goes once the socket opens, and a caller that never answers it has its connection
// dropped `closeTimeoutMs` (the open bound's path: `openTimeoutMs`) later. A real server on
// 127.0.0.1 port 0; the client a raw TCP upgrade (RFC 6455 §4.1), as its 101 is late on purpose,
// reading the server's frames as RFC 6455 §5.2 lays them out (unmasked from a server).
import assert from "node:assert/strict";
import type { TransportClosed, WebSocketTransport } from "../../mod.ts";
import { type DenoUpgradeOptions, upgrade } from "../../src/adapters/deno.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 300;
/** Deno pings after half of it (1 s → 500 ms real): the frame a lost close left the caller. */
const IDLE_TIMEOUT_S = 1;

/** One frame from the server: its opcode (RFC 6455 §5.2) and payload. */
interface ServerFrame {
  opcode: number;
  payload: Uint8Array;
}

/** Reads what a server sent on a raw connection: the upgrade's reply head, then its frames. */
class RawReader {
  #conn: Deno.Conn;
  #bytes = new Uint8Array(0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** More bytes, or `false` at the end of the stream. */
  async #more(): Promise<boolean> {
    const chunk = new Uint8Array(4096);
    const n = await this.#conn.read(chunk);
    if (n === null) return false;
    const joined = new Uint8Array(this.#bytes.length + n);
    joined.set(this.#bytes);
    joined.set(chunk.subarray(0, n), this.#bytes.length);
    this.#bytes = joined;
    return true;
  }

  #take(n: number): Uint8Array {
    const taken = this.#bytes.slice(0, n);
    this.#bytes = this.#bytes.slice(n);
    return taken;
  }

  /** The status line of the reply, its head read to the blank line. */
  async statusLine(): Promise<string | undefined> {
    let end: number;
    while ((end = new TextDecoder().decode(this.#bytes).indexOf("\r\n\r\n")) < 0) {
      if (!await this.#more()) throw new Error("the connection ended before the reply's head");
    }
    return new TextDecoder().decode(this.#take(end + 4)).split("\r\n")[0];
  }

  /** The next frame (payloads under 126 bytes: all a close or a ping carries), or `null` at EOF. */
  async frame(): Promise<ServerFrame | null> {
    const length = () => new DataView(this.#bytes.buffer).getUint8(1) & 0x7f;
    while (this.#bytes.length < 2 || this.#bytes.length < 2 + length()) {
      if (!await this.#more()) return null;
    }
    const head = new DataView(this.#take(2).buffer);
    const [first, second] = [head.getUint8(0), head.getUint8(1)];
    assert.equal(second & 0x80, 0, "a server's frame is not masked (RFC 6455 §5.1)");
    return { opcode: first & 0x0f, payload: this.#take(second & 0x7f) };
  }

  /** Whether the server ended the connection (nothing more came, the stream ended). */
  async ended(): Promise<boolean> {
    return !await this.#more();
  }
}

/** A close frame's code and reason (RFC 6455 §5.5.1), `undefined` for one with no body. */
function closeBody(frame: ServerFrame | null): [number, string] | undefined {
  assert.equal(frame?.opcode, 0x8, `a close frame, not opcode ${frame?.opcode}`);
  if (frame.payload.length === 0) return undefined;
  const code = new DataView(frame.payload.buffer).getUint16(0); // network byte order
  return [code, new TextDecoder().decode(frame.payload.subarray(2))];
}

/** A client's close frame answering the server's, masked (RFC 6455 §5.3) with a zero key. */
const CLIENT_CLOSE = new Uint8Array([0x88, 0x80, 0, 0, 0, 0]);

/**
 * A server whose route holds the 101 until `send101` is called; `closeSession` is given the
 * session as soon as the upgrade made it (`transport` is `null` for one that could not start).
 */
async function lateUpgrade(
  closeSession: (transport: WebSocketTransport) => void,
  options: DenoUpgradeOptions = {},
) {
  const clock = new FakeClock();
  const made = Promise.withResolvers<WebSocketTransport | null>();
  const hold = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      clock,
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
      idleTimeout: IDLE_TIMEOUT_S,
      ...options,
    });
    if (transport) closeSession(transport);
    made.resolve(transport);
    await hold.promise;
    return response;
  });
  const conn = await sendRawUpgrade(server.addr.port);
  const transport = await within(made.promise, 3000, "the session");
  return {
    clock,
    transport,
    conn,
    reader: new RawReader(conn),
    send101: () => hold.resolve(),
    async stop() {
      hold.resolve();
      conn.close();
      await within(server.shutdown(), 3000, "the server's shutdown");
    },
  };
}

Deno.test("Deno: a bot's close the 101 came too late for is sent once the socket opens, and a caller silent to it is dropped", async () => {
  const late = await lateUpgrade((transport) => void transport.close(4000, "bye"));
  assert(late.transport);
  try {
    // The wait for the socket to open, then for an answer: the session is over, unanswered.
    await late.clock.tick(2 * CLOSE_TIMEOUT_MS);
    const closed: TransportClosed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 4000, reason: "bye", initiator: "local" });
    late.send101();
    assert.equal(
      await within(late.reader.statusLine(), 3000, "the 101"),
      "HTTP/1.1 101 Switching Protocols",
    );
    const first = await within(late.reader.frame(), 3000, "the first frame");
    assert.deepEqual(closeBody(first), [4000, "bye"], "the bot's close, not a ping");
    // The caller never answers: dropped once the close has waited its bound.
    await late.clock.tick(CLOSE_TIMEOUT_MS);
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a session the open bound ended is closed once a late 101 opens its socket", async () => {
  const late = await lateUpgrade(() => {});
  assert(late.transport);
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS);
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, {
      code: 1006,
      reason: `the socket did not open within ${OPEN_TIMEOUT_MS} ms`,
      initiator: "remote",
    });
    late.send101();
    assert.equal(
      await within(late.reader.statusLine(), 3000, "the 101"),
      "HTTP/1.1 101 Switching Protocols",
    );
    const first = await within(late.reader.frame(), 3000, "the first frame");
    assert.equal(closeBody(first), undefined, "a close with no code (the session ended as a drop)");
    // Answered: the closing handshake is done and the server ends the connection (§7.1.1).
    await late.conn.write(CLIENT_CLOSE);
    assert.equal(await within(late.reader.ended(), 3000, "the end of the connection"), true);
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a session that could not start is closed with 1011 once a late 101 opens its socket", async () => {
  const original = console.error; // the failure is logged: expected here
  console.error = () => {};
  const failing = () => {
    throw new Error("factory failed");
  };
  const late = await lateUpgrade(() => {}, { serializer: failing });
  try {
    assert.equal(late.transport, null);
    await late.clock.tick(OPEN_TIMEOUT_MS); // past its open bound: the socket given up on
    late.send101();
    assert.equal(
      await within(late.reader.statusLine(), 3000, "the 101"),
      "HTTP/1.1 101 Switching Protocols",
    );
    const first = await within(late.reader.frame(), 3000, "the first frame");
    assert.deepEqual(closeBody(first), [1011, "session failed"]);
    await late.clock.tick(OPEN_TIMEOUT_MS); // unanswered: dropped
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    console.error = original;
    await late.stop();
  }
});
