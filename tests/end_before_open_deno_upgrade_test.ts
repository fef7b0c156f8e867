// Deno: a bot that writes its goodbye (audio, then an `end`) while the route still holds back the
// upgrade's 101 (awaiting something of its own): `Deno.upgradeWebSocket`'s socket opens only once
// the response is sent. The open bound (`openTimeoutMs`) ended such a session as the caller's drop
// (1006, "the socket did not open…", `initiator` "remote"), and the goodbye was lost. The bound now
// leaves a session whose bot wrote its `end` be, `closeTimeoutMs` more: a 101 within it opens the
// socket and the caller hears the goodbye, then the end's close (1000 and its reason); a 101 later
// still finds the session ended as the bot's end (1000, its reason, `initiator` "local"), and the
// caller is sent that close. A real server on 127.0.0.1 port 0; the client a raw TCP upgrade
// (RFC 6455 §4.1), as its 101 is late on purpose, reading the server's frames as RFC 6455 §5.2 lays
// them out (a server's unmasked; a 16-bit extended length for 126).
import assert from "node:assert/strict";
import type { TransportError, WebSocketTransport } from "../mod.ts";
import { upgrade } from "../src/adapters/deno.ts";
import { RawPcmSerializer } from "../src/serializers/raw_pcm.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { within } from "./_ws_client.ts";
import { sendRawUpgrade } from "./adapters/_raw_upgrade.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;
/** 40 ms of 8 kHz mono PCM: two 20 ms chunks of 320 bytes. */
const GOODBYE_BYTES = 640;

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

  /** Reads until `n` bytes are there; `false` if the stream ended first. */
  async #have(n: number): Promise<boolean> {
    while (this.#bytes.length < n) if (!await this.#more()) return false;
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

  /** The next frame (payloads under 65,536 bytes), or `null` at the end of the stream. */
  async frame(): Promise<ServerFrame | null> {
    if (!await this.#have(2)) return null;
    const [first, second] = [this.#bytes[0]!, this.#bytes[1]!];
    assert.equal(second & 0x80, 0, "a server's frame is not masked (RFC 6455 §5.1)");
    const short = second & 0x7f;
    assert.ok(short <= 126, "no 64-bit lengths here");
    const head = short === 126 ? 4 : 2;
    if (!await this.#have(head)) return null;
    const length = short === 126 ? (this.#bytes[2]! << 8) | this.#bytes[3]! : short;
    if (!await this.#have(head + length)) return null;
    this.#take(head);
    return { opcode: first & 0x0f, payload: this.#take(length) };
  }

  /** Whether the server ended the connection (nothing more came, the stream ended). */
  async ended(): Promise<boolean> {
    return !await this.#more();
  }
}

/** A frame as the test reads it: a binary frame's length, a close's code and reason. */
function described(frame: ServerFrame | null): string {
  if (frame === null) return "end of stream";
  if (frame.opcode === 0x2) return `binary ${frame.payload.length}`;
  if (frame.opcode !== 0x8) return `opcode ${frame.opcode}`;
  const code = new DataView(frame.payload.buffer).getUint16(0); // network byte order
  return `close ${code} ${new TextDecoder().decode(frame.payload.subarray(2))}`;
}

/**
 * A client's close frame answering the server's, echoing its code and reason as an endpoint
 * typically does (RFC 6455 §5.5.1), masked (§5.3) with a zero key: the payload as it is.
 */
function clientClose(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const frame = new Uint8Array(6 + 2 + text.length);
  frame.set([0x88, 0x80 | (2 + text.length), 0, 0, 0, 0, code >> 8, code & 0xff]);
  frame.set(text, 8);
  return frame;
}

/** A server whose route says the bot's goodbye at once and holds the 101 until `send101`. */
async function goodbyeBeforeLateUpgrade() {
  const clock = new FakeClock();
  const made = Promise.withResolvers<WebSocketTransport>();
  const hold = Promise.withResolvers<void>();
  const errors: TransportError[] = [];
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      clock,
      serializer: new RawPcmSerializer(),
      audioOut: { sampleRate: 8000, chunkMs: 20 },
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
    if (transport) {
      transport.addEventListener("error", (e) => errors.push(e.error));
      transport.addEventListener("connected", () => seen.push("connected"));
      transport.addEventListener("disconnected", () => seen.push("disconnected"));
      const audio = new Uint8Array(GOODBYE_BYTES);
      transport.send({ type: "audio", audio, sampleRate: 8000, channels: 1 });
      void transport.send({ type: "end", reason: "goodbye" });
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
      hold.resolve();
      conn.close();
      await within(server.shutdown(), 3000, "the server's shutdown");
    },
  };
}

Deno.test("Deno: a goodbye written before a 101 that goes out within closeTimeoutMs of the open bound is heard, then the end's close", async () => {
  const late = await goodbyeBeforeLateUpgrade();
  try {
    const connected = new Promise<void>((resolve) =>
      late.transport.addEventListener("connected", () => resolve())
    );
    await late.clock.tick(OPEN_TIMEOUT_MS + 100);
    assert.equal(late.errors.length, 0, "the open bound left the session to its end");
    late.send101();
    assert.equal(
      await within(late.reader.statusLine(), 3000, "the 101"),
      "HTTP/1.1 101 Switching Protocols",
    );
    await within(connected, 3000, "the socket's open");
    // Paced out, played, then the goodbye's close: ticked until the close has been sent.
    for (let i = 0; i < 100 && late.transport.socket.readyState === 1; i++) {
      await late.clock.tick(10);
    }
    const frames: string[] = [];
    for (let i = 0; i < 3; i++) {
      frames.push(described(await within(late.reader.frame(), 3000, "a frame")));
    }
    assert.deepEqual(frames, ["binary 320", "binary 320", "close 1000 goodbye"]);
    await late.conn.write(clientClose(1000, "goodbye"));
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 1000, reason: "goodbye", initiator: "local" });
    assert.deepEqual(late.errors, []);
    assert.deepEqual(late.seen, ["connected"]);
    assert.equal(late.transport.stats.audioBytesSent, GOODBYE_BYTES);
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a goodbye written before a 101 that never went out in time ends the session as the bot's end; a later 101 gets its close", async () => {
  const late = await goodbyeBeforeLateUpgrade();
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS);
    assert.equal(late.errors.length, 0, "the open bound left the session to its end");
    await late.clock.tick(CLOSE_TIMEOUT_MS);
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 1000, reason: "goodbye", initiator: "local" });
    assert.deepEqual(late.errors.map((e) => [e.code, e.closeCode, e.fatal]), [
      ["timeout", 1000, false],
    ]);
    assert.deepEqual(late.seen, [], "no disconnected: the bot ended it");
    const stats = late.transport.stats;
    assert.equal(stats.audioBytesDroppedOnClose, GOODBYE_BYTES);
    assert.equal(stats.framesDroppedOnClose, 1);
    late.send101();
    assert.equal(
      await within(late.reader.statusLine(), 3000, "the 101"),
      "HTTP/1.1 101 Switching Protocols",
    );
    const first = described(await within(late.reader.frame(), 3000, "the first frame"));
    assert.equal(first, "close 1000 goodbye", "the bot's end's close, nothing of the goodbye");
    await late.clock.tick(CLOSE_TIMEOUT_MS); // the caller never answers: dropped
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    await late.stop();
  }
});
