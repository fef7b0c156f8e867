/**
 * A WebSocket client made of a bare TCP connection, for what no WebSocket client sends: frames
 * that break the protocol and close codes no close frame may carry.
 *
 * @module
 */

import { within } from "../../_ws_client.ts";

/** The masking key of every frame sent (all zeros: the payload goes as it is). */
const NO_MASK = [0, 0, 0, 0];

/** A masked frame: `first` (FIN, RSV, opcode) and `payload` (under 126 bytes). */
export function maskedFrame(first: number, payload: readonly number[] = []): Uint8Array {
  return new Uint8Array([first, 0x80 | payload.length, ...NO_MASK, ...payload]);
}

/** A close frame with `code`, which may be one no close frame may carry. */
export function closeFrame(code: number): Uint8Array {
  return maskedFrame(0x88, [code >> 8, code & 0xff]);
}

/** A handshaken connection that reads everything the server sends until it ends. */
export class RawPeer {
  /** The upgrade's answer: status line and headers. */
  readonly answer: string;
  readonly #conn: Deno.TcpConn;
  readonly #bytes: number[] = [];
  readonly #reading: Promise<void>;
  /** Resolves a wait for more bytes (see `#more`), once they came or the reading ended. */
  #woken: (() => void) | undefined;
  #ended = false;

  private constructor(conn: Deno.TcpConn, answer: string, head: Uint8Array) {
    this.answer = answer;
    this.#conn = conn;
    this.#bytes.push(...head);
    this.#reading = (async () => {
      const buffer = new Uint8Array(4096);
      try {
        for (let n; (n = await conn.read(buffer)) !== null;) {
          this.#bytes.push(...buffer.subarray(0, n));
          this.#wake();
        }
      } catch {
        // Reset, or closed by `close()`: ended all the same.
      }
      this.#ended = true;
      this.#wake();
    })();
  }

  /**
   * Upgrades `path` on `127.0.0.1:port`, with `headers` (lines such as `"Name: value"`) besides
   * the handshake's; resolves once the 101 has arrived.
   */
  static async open(port: number, path: string, headers: string[] = []): Promise<RawPeer> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        headers.map((line) => `${line}\r\n`).join("") + "\r\n",
    ));
    const head: number[] = [];
    const buffer = new Uint8Array(4096);
    const read = async () => {
      while (!new TextDecoder().decode(new Uint8Array(head)).includes("\r\n\r\n")) {
        const n = await conn.read(buffer);
        if (n === null) throw new Error("the connection ended before the upgrade's answer");
        head.push(...buffer.subarray(0, n));
      }
    };
    await within(read(), 5000, `the answer to the upgrade of ${path}`);
    const text = new TextDecoder().decode(new Uint8Array(head));
    const end = text.indexOf("\r\n\r\n") + 4; // the status line and headers are ASCII
    if (!text.startsWith("HTTP/1.1 101")) throw new Error(`not upgraded: ${text.split("\r\n")[0]}`);
    return new RawPeer(conn, text.slice(0, end), new Uint8Array(head.slice(end)));
  }

  /** Sends `bytes` as they are. */
  async write(bytes: Uint8Array): Promise<void> {
    await this.#conn.write(bytes);
  }

  /** The code of the first close frame the server sent, waiting up to `ms` for it. */
  async closeCode(ms: number): Promise<number> {
    const deadline = performance.now() + ms;
    for (;;) {
      const code = firstCloseCode(this.#bytes);
      if (code !== undefined) return code;
      if (this.#ended) throw new Error("the connection ended with no close frame");
      const left = Math.max(0, deadline - performance.now());
      await within(this.#more(), left, `close frame (of ${ms} ms)`);
    }
  }

  /** Resolves once the server has sent something past the 101, waiting up to `ms` for it. */
  async heard(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.#bytes.length === 0) {
      if (this.#ended) throw new Error("the connection ended with nothing sent");
      const left = Math.max(0, deadline - performance.now());
      await within(this.#more(), left, `a frame from the server (of ${ms} ms)`);
    }
  }

  /** Resolves once the server has ended the connection, waiting up to `ms` for it. */
  async ended(ms: number): Promise<void> {
    await within(this.#reading, ms, `the end of the connection (of ${ms} ms)`);
  }

  /** Resolves once more bytes have come, or the reading ended. */
  #more(): Promise<void> {
    return new Promise((resolve) => (this.#woken = resolve));
  }

  #wake(): void {
    const woken = this.#woken;
    this.#woken = undefined;
    woken?.();
  }

  /** Ends the connection and the reading. */
  async close(): Promise<void> {
    try {
      this.#conn.close();
    } catch {
      // Closed with its reading.
    }
    await this.#reading;
  }
}

/** The code of the first close frame in the server's `bytes` (unmasked frames), if one is whole. */
function firstCloseCode(bytes: readonly number[]): number | undefined {
  // Opcode, length (7 bits, or 16 or 64 more), payload.
  for (let at = 0; at + 1 < bytes.length;) {
    const length7 = bytes[at + 1]! & 0x7f;
    const extra = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
    let length = extra === 0 ? length7 : 0;
    for (let i = 0; i < extra; i++) length = length * 256 + (bytes[at + 2 + i] ?? 0);
    const payload = at + 2 + extra;
    if ((bytes[at]! & 0x0f) === 0x8) {
      return payload + 1 < bytes.length ? (bytes[payload]! << 8) | bytes[payload + 1]! : undefined;
    }
    at = payload + length;
  }
  return undefined;
}
