/**
 * What a server sends on a raw connection read as a client reads it: the upgrade's reply head,
 * then its frames as RFC 6455 §5.2 lays them out (a server's unmasked, §5.1), and a client's close
 * frame to answer with.
 *
 * @module
 */
import assert from "node:assert/strict";

/** One frame from the server: its opcode (RFC 6455 §5.2) and payload. */
export interface ServerFrame {
  opcode: number;
  payload: Uint8Array;
}

/** Reads what a server sent on a raw connection: the upgrade's reply head, then its frames. */
export class RawFrameReader {
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

  /**
   * The next frame (payloads under 65,536 bytes: a 7-bit or 16-bit length), or `null` at the end
   * of the stream. `fin` is the first byte's top bit: a close is one whole frame (§5.5).
   */
  async frame(): Promise<(ServerFrame & { fin: boolean }) | null> {
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
    return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload: this.#take(length) };
  }

  /** Whether the server ended the connection (nothing more came, the stream ended). */
  async ended(): Promise<boolean> {
    return !await this.#more();
  }
}

/** A frame as a test reads it: a binary frame's length, a close's code and reason. */
export function describeFrame(frame: ServerFrame | null): string {
  if (frame === null) return "end of stream";
  if (frame.opcode === 0x2) return `binary ${frame.payload.length}`;
  if (frame.opcode !== 0x8) return `opcode ${frame.opcode}`;
  const code = new DataView(frame.payload.buffer).getUint16(0); // network byte order
  return `close ${code} ${new TextDecoder().decode(frame.payload.subarray(2))}`;
}

/** A close frame's code and reason (RFC 6455 §5.5.1), `undefined` for one with no body. */
export function closeBody(frame: ServerFrame | null): [number, string] | undefined {
  assert.equal(frame?.opcode, 0x8, `a close frame, not opcode ${frame?.opcode}`);
  if (frame.payload.length === 0) return undefined;
  const code = new DataView(frame.payload.buffer).getUint16(0); // network byte order
  return [code, new TextDecoder().decode(frame.payload.subarray(2))];
}

/**
 * A client's close frame answering the server's, masked (RFC 6455 §5.3) with a zero key: the
 * payload as it is. With a `code`, it echoes the server's code and reason as an endpoint
 * typically does (§5.5.1); without, it has no body.
 */
export function clientClose(code?: number, reason = ""): Uint8Array {
  if (code === undefined) return new Uint8Array([0x88, 0x80, 0, 0, 0, 0]);
  const text = new TextEncoder().encode(reason);
  const frame = new Uint8Array(6 + 2 + text.length);
  frame.set([0x88, 0x80 | (2 + text.length), 0, 0, 0, 0, code >> 8, code & 0xff]);
  frame.set(text, 8);
  return frame;
}
