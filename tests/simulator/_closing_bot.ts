// A bot that closes every WebSocket with one code and reason, written by hand on a TCP listener on
// 127.0.0.1:0. Deno.serve + upgradeWebSocket closing on open sometimes drops the connection under
// load without finishing the closing handshake, and the client then sees 1006 instead of the
// code: a test that asserts the code needs a server that always finishes it. This one completes
// the upgrade (RFC 6455 §4.2.2), sends its close frame, reads (and discards) until the client's
// close frame or EOF, and only then closes the connection.

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OPCODE_CLOSE = 0x8;
const utf8 = new TextEncoder();

/** A running closing bot. */
export interface ClosingBot {
  /** Its port on 127.0.0.1. */
  port: number;
  /** Stops listening and waits for the connections under way to end. */
  close(): Promise<void>;
}

/**
 * Serves a bot that closes each connection with `code` and `reason` (at most 123 bytes), or, with
 * no code, with a close frame that carries none (RFC 6455 §5.5.1: the peer reads 1005).
 */
export function serveClosingBot(code: number | undefined, reason = ""): ClosingBot {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      const done: Promise<void> = closeWith(conn, code, reason)
        // A client gone mid-handshake is the test's to notice (it sees no 1011), not the bot's.
        .catch(() => {})
        .finally(() => {
          connections.delete(done);
          try {
            conn.close();
          } catch {
            // already closed by the client's reset
          }
        });
      connections.add(done);
    }
  })().catch(() => {}); // the listener closed
  return {
    port: listener.addr.port,
    async close() {
      listener.close();
      await accepting;
      await Promise.all(connections);
    },
  };
}

async function closeWith(conn: Deno.Conn, code: number | undefined, reason: string): Promise<void> {
  const reader = new ByteReader(conn);
  if (!(await answerUpgrade(conn, reader))) return;
  // An unmasked final close frame (server to client), its payload the code then the reason, or
  // none at all.
  const text = code === undefined ? new Uint8Array(0) : utf8.encode(reason);
  const payload = code === undefined ? 0 : 2 + text.length;
  const frame = new Uint8Array(2 + payload);
  frame[0] = 0x80 | OPCODE_CLOSE;
  frame[1] = payload;
  if (code !== undefined) {
    new DataView(frame.buffer).setUint16(2, code);
    frame.set(text, 4);
  }
  await writeAll(conn, frame);
  // The client's frames (audio it had under way, then its close) until its close frame: closing
  // with bytes unread would reset the connection instead of ending it.
  await untilCloseFrame(reader);
}

/**
 * Reads a WebSocket upgrade request from `reader` and accepts it (RFC 6455 §4.2.2); a request
 * without a key is answered 400. Whether the connection is now a WebSocket.
 */
export async function answerUpgrade(conn: Deno.Conn, reader: ByteReader): Promise<boolean> {
  const head = new TextDecoder().decode(await reader.until(utf8.encode("\r\n\r\n")));
  const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(head)?.[1];
  if (key === undefined) {
    await writeAll(conn, utf8.encode("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
    return false;
  }
  const digest = await crypto.subtle.digest("SHA-1", utf8.encode(key + GUID));
  const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
  await writeAll(
    conn,
    utf8.encode(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ),
  );
  return true;
}

/**
 * Reads and discards the client's frames (RFC 6455 §5.2) up to and including its close frame:
 * `true` once it came, `false` if the connection ended first.
 */
export async function untilCloseFrame(reader: ByteReader): Promise<boolean> {
  while (true) {
    const header = await reader.take(2);
    if (header === null) return false;
    let length = header[1]! & 0x7f;
    if (length === 126) {
      const extended = await reader.take(2);
      if (extended === null) return false;
      length = new DataView(extended.buffer, extended.byteOffset).getUint16(0);
    } else if (length === 127) {
      const extended = await reader.take(8);
      if (extended === null) return false;
      length = Number(new DataView(extended.buffer, extended.byteOffset).getBigUint64(0));
    }
    const masked = (header[1]! & 0x80) !== 0;
    if ((await reader.take((masked ? 4 : 0) + length)) === null) return false;
    if ((header[0]! & 0x0f) === OPCODE_CLOSE) return true;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

/** Reads a connection by the byte count or up to a delimiter; null at EOF. */
export class ByteReader {
  readonly #conn: Deno.Conn;
  #buffered = new Uint8Array(0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The next `count` bytes, or null if the connection ends first. */
  async take(count: number): Promise<Uint8Array | null> {
    while (this.#buffered.length < count) {
      if (!(await this.#fill())) return null;
    }
    const out = this.#buffered.slice(0, count);
    this.#buffered = this.#buffered.subarray(count);
    return out;
  }

  /** Everything up to and including `delimiter`; the connection ending first is an error. */
  async until(delimiter: Uint8Array): Promise<Uint8Array> {
    while (true) {
      const at = indexOf(this.#buffered, delimiter);
      if (at >= 0) return (await this.take(at + delimiter.length))!;
      if (!(await this.#fill())) throw new Error("the connection ended inside the request head");
    }
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(16 * 1024);
    const n = await this.#conn.read(chunk);
    if (n === null) return false;
    const joined = new Uint8Array(this.#buffered.length + n);
    joined.set(this.#buffered);
    joined.set(chunk.subarray(0, n), this.#buffered.length);
    this.#buffered = joined;
    return true;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}
