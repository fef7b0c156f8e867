// Deno: a bot that writes its `cancel` (close code 4000) while the route still holds back the
// upgrade's 101 and its serializer's asynchronous set-up still runs. The cancel waited for the
// set-up, and the open bound (`openTimeoutMs`) ended the session as the caller's drop (1006,
// `initiator` "remote"): the cancel's code was lost, and a late 101 got a close with no code. The
// cancel now closes at once, as `close()` does: a 101 within `closeTimeoutMs` of it (past the open
// bound) opens the socket and the caller reads the cancel's close; a 101 later still finds the
// session ended with the cancel's code (`initiator` "local"), and the caller is sent that close. A
// real server on 127.0.0.1 port 0; the client a raw TCP upgrade (RFC 6455 §4.1), as its 101 is
// late on purpose, reading the server's frames as RFC 6455 §5.2 lays them out (a server's
// unmasked).
import assert from "node:assert/strict";
import type { FrameSerializer, TransportError, WebSocketTransport } from "../mod.ts";
import { upgrade } from "../src/adapters/deno.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { within } from "./_ws_client.ts";
import { sendRawUpgrade } from "./adapters/_raw_upgrade.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;

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

  /** The next frame (payloads under 126 bytes: all a close carries), or `null` at EOF. */
  async frame(): Promise<ServerFrame | null> {
    const length = () => this.#bytes[1]! & 0x7f;
    while (this.#bytes.length < 2 || this.#bytes.length < 2 + length()) {
      if (!await this.#more()) return null;
    }
    const [first, second] = this.#take(2);
    assert.equal(second! & 0x80, 0, "a server's frame is not masked (RFC 6455 §5.1)");
    return { opcode: first! & 0x0f, payload: this.#take(second! & 0x7f) };
  }

  /** Whether the server ended the connection (nothing more came, the stream ended). */
  async ended(): Promise<boolean> {
    return !await this.#more();
  }
}

/** A frame as the test reads it: a close's code (network byte order) and reason. */
function described(frame: ServerFrame | null): string {
  if (frame === null) return "end of stream";
  if (frame.opcode !== 0x8) return `opcode ${frame.opcode}`;
  const code = new DataView(frame.payload.buffer).getUint16(0);
  return `close ${code} ${new TextDecoder().decode(frame.payload.subarray(2))}`;
}

/**
 * A client's close frame echoing the server's (RFC 6455 §5.5.1), masked (§5.3) with a zero key:
 * the payload as it is.
 */
function clientClose(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const frame = new Uint8Array(8 + text.length);
  frame.set([0x88, 0x80 | (2 + text.length), 0, 0, 0, 0, code >> 8, code & 0xff]);
  frame.set(text, 8);
  return frame;
}

/**
 * A server whose route makes a session on a serializer whose set-up runs until the test ends,
 * writes the bot's cancel at once, and holds the 101 until `send101`.
 */
async function cancelBeforeLateUpgrade() {
  const clock = new FakeClock();
  const made = Promise.withResolvers<WebSocketTransport>();
  const hold = Promise.withResolvers<void>();
  const setUp = Promise.withResolvers<void>();
  const errors: TransportError[] = [];
  const seen: string[] = [];
  const serializer: FrameSerializer = {
    setup: () => setUp.promise,
    serialize: (frame) => frame.type === "cancel" ? "hang up" : null,
    deserialize: () => null,
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      clock,
      serializer,
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
    if (transport) {
      transport.addEventListener("error", (e) => errors.push(e.error));
      transport.addEventListener("connected", () => seen.push("connected"));
      transport.addEventListener("disconnected", () => seen.push("disconnected"));
      void transport.send({ type: "cancel", closeCode: 4000, reason: "hung up" });
      made.resolve(transport);
    }
    await hold.promise;
    return response;
  });
  const conn = await sendRawUpgrade(server.addr.port);
  const transport = await within(made.promise, 3000, "the session");
  return {
    clock,
    transport,
    errors,
    seen,
    conn,
    reader: new RawReader(conn),
    send101: () => hold.resolve(),
    async stop() {
      setUp.resolve();
      hold.resolve();
      conn.close();
      await within(server.shutdown(), 3000, "the server's shutdown");
    },
  };
}

Deno.test("Deno: a cancel written before a 101 that goes out past the open bound, within closeTimeoutMs, closes with the cancel's code", async () => {
  const late = await cancelBeforeLateUpgrade();
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS + 100);
    assert.equal(late.errors.length, 0, "the open bound left the session to the cancel's close");
    late.send101();
    assert.equal(
      await within(late.reader.statusLine(), 3000, "the 101"),
      "HTTP/1.1 101 Switching Protocols",
    );
    const first = described(await within(late.reader.frame(), 3000, "the first frame"));
    assert.equal(first, "close 4000 hung up", "the cancel's close, nothing said before it");
    await late.conn.write(clientClose(4000, "hung up"));
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 4000, reason: "hung up", initiator: "local" });
    assert.deepEqual(late.errors, []);
    assert.deepEqual(late.seen, [], "no disconnected: the bot ended it");
    assert.equal(late.transport.stats.framesDroppedOnClose, 1, "the cancel, never said");
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a cancel written before a 101 that never went out in time ends with its code; a later 101 gets its close", async () => {
  const late = await cancelBeforeLateUpgrade();
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS);
    assert.equal(late.errors.length, 0, "the open bound left the session to the cancel's close");
    await late.clock.tick(2 * CLOSE_TIMEOUT_MS - OPEN_TIMEOUT_MS); // to open, then the answer
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 4000, reason: "hung up", initiator: "local" });
    assert.deepEqual(late.errors.map((e) => [e.code, e.closeCode, e.fatal]), [
      ["timeout", 4000, false],
    ]);
    assert.deepEqual(late.seen, []);
    late.send101();
    assert.equal(
      await within(late.reader.statusLine(), 3000, "the 101"),
      "HTTP/1.1 101 Switching Protocols",
    );
    const first = described(await within(late.reader.frame(), 3000, "the first frame"));
    assert.equal(first, "close 4000 hung up", "the cancel's close, not one with no code");
    await late.clock.tick(CLOSE_TIMEOUT_MS); // the caller never answers: dropped
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    await late.stop();
  }
});
