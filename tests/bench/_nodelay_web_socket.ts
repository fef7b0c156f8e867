/**
 * A WebSocket client on a TCP connection with Nagle's algorithm off (`TCP_NODELAY`), for the load
 * client's `--nodelay`: only what `load_client.ts` uses (binary and text messages, close), over
 * `ws://` (RFC 6455).
 *
 * Why: Deno's `WebSocket` client turns `TCP_NODELAY` off on its socket (seen with `strace`:
 * `setsockopt(TCP_NODELAY, [0])`), while `Deno.serve` turns it on. A client message the server
 * does not answer (the acknowledgement of a mark) then holds the client's next audio message until
 * the server's delayed ACK, about 20 ms later: the echo's p99 rose from ~1 ms to ~24 ms, and the
 * server's CPU rose with it, a cost of this client's socket, not of the server under test. A far
 * end that streams media answers marks over a socket that sends at once.
 *
 * Not a general client: no TLS, no extensions, no subprotocols; messages are masked with a zero
 * key (the mask bit is set, as RFC 6455 §5.3 requires of a client, but the key hides nothing: the
 * bytes go as they are, which no server here minds and which costs nothing to apply).
 *
 * @module
 */

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The subset of `WebSocket` the load client uses, on a socket that sends at once. */
export class NoDelayWebSocket {
  /** Always `"arraybuffer"`: binary messages arrive as `ArrayBuffer`s. */
  binaryType = "arraybuffer";
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onclose: (() => void) | null = null;
  #conn: Deno.TcpConn | undefined;
  #open = false;
  #closed = false;
  /** Frames waiting for the write in flight; written together after it. */
  #outbox: Uint8Array[] = [];
  #writing = false;
  /** A message arriving in fragments: its opcode and the parts so far. */
  #fragments: { opcode: number; parts: Uint8Array[] } | undefined;

  /** Connects to `url` (`ws://host:port/path`) and performs the opening handshake. */
  constructor(url: string) {
    this.#run(new URL(url)).catch((error) => this.#fail(error));
  }

  /** Sends a text or binary message (the bytes are copied: the caller may reuse its buffer). */
  send(data: string | Uint8Array): void {
    if (!this.#open) return;
    if (typeof data === "string") this.#write(OP_TEXT, encoder.encode(data));
    else this.#write(OP_BINARY, data);
  }

  /** Sends a close frame and lets the connection go. */
  close(code = 1000): void {
    if (!this.#open) return this.#end();
    this.#write(OP_CLOSE, new Uint8Array([code >> 8, code & 0xff]));
    this.#open = false;
    // The server answers with its close frame and closes; the read loop sees it and ends.
  }

  async #run(url: URL): Promise<void> {
    const conn = await Deno.connect({
      hostname: url.hostname,
      port: Number(url.port || 80),
    });
    this.#conn = conn;
    conn.setNoDelay(true);
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await writeAll(
      conn,
      encoder.encode(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
          `Sec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    const buffer = new Uint8Array(64 * 1024);
    let pending: Uint8Array = new Uint8Array(0);
    // The response head, up to its blank line; whatever follows it is frames.
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error("connection closed during the handshake");
      pending = join([pending, buffer.subarray(0, n)]);
      const end = indexOfBlankLine(pending);
      if (end < 0) continue;
      const head = decoder.decode(pending.subarray(0, end));
      if (!/^HTTP\/1\.1 101 /.test(head)) {
        throw new Error(`handshake refused: ${head.split("\r\n")[0]}`);
      }
      pending = pending.slice(end + 4);
      break;
    }
    this.#open = true;
    this.onopen?.();
    for (;;) {
      pending = this.#frames(pending);
      if (this.#closed) return;
      const n = await conn.read(buffer);
      if (n === null) return this.#end();
      // Parsed in place when nothing was left over: #frames copies what it keeps.
      pending = pending.length === 0
        ? buffer.subarray(0, n)
        : join([pending, buffer.subarray(0, n)]);
    }
  }

  /**
   * Handles every whole frame in `bytes`; returns a copy of what is left of a frame still arriving
   * (`bytes` may be the read buffer, which the next read overwrites).
   */
  #frames(bytes: Uint8Array): Uint8Array {
    let at = 0;
    while (bytes.length - at >= 2) {
      const fin = (bytes[at]! & 0x80) !== 0;
      const opcode = bytes[at]! & 0x0f;
      const masked = (bytes[at + 1]! & 0x80) !== 0;
      let length = bytes[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (bytes.length - at < 4) break;
        length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
        header = 4;
      } else if (length === 127) {
        if (bytes.length - at < 10) break;
        length = Number(new DataView(bytes.buffer, bytes.byteOffset + at + 2, 8).getBigUint64(0));
        header = 10;
      }
      const maskAt = at + header;
      if (masked) header += 4;
      if (bytes.length - at < header + length) break;
      const payload = bytes.slice(at + header, at + header + length);
      if (masked) {
        for (let i = 0; i < payload.length; i++) payload[i]! ^= bytes[maskAt + (i & 3)]!;
      }
      at += header + length;
      this.#frame(fin, opcode, payload);
      if (this.#closed) return new Uint8Array(0);
    }
    return bytes.slice(at);
  }

  #frame(fin: boolean, opcode: number, payload: Uint8Array): void {
    switch (opcode) {
      case OP_PING:
        return this.#write(OP_PONG, payload);
      case OP_PONG:
        return;
      case OP_CLOSE:
        if (this.#open) {
          this.#open = false;
          this.#write(OP_CLOSE, payload.subarray(0, 2));
        }
        return this.#end();
      case OP_CONTINUATION:
        if (this.#fragments === undefined) throw new Error("continuation with no message begun");
        this.#fragments.parts.push(payload);
        if (!fin) return;
        opcode = this.#fragments.opcode;
        payload = join(this.#fragments.parts);
        this.#fragments = undefined;
        break;
      default:
        if (!fin) {
          this.#fragments = { opcode, parts: [payload] };
          return;
        }
    }
    const data = opcode === OP_TEXT ? decoder.decode(payload) : payload.buffer;
    this.onmessage?.(new MessageEvent("message", { data }));
  }

  /** Frames one message (masked, zero key) and writes it after whatever is being written. */
  #write(opcode: number, payload: Uint8Array): void {
    const length = payload.length;
    const header = length < 126 ? 6 : length < 65536 ? 8 : 14;
    const frame = new Uint8Array(header + length);
    frame[0] = 0x80 | opcode;
    if (length < 126) {
      frame[1] = 0x80 | length;
    } else if (length < 65536) {
      frame[1] = 0x80 | 126;
      frame[2] = length >> 8;
      frame[3] = length & 0xff;
    } else {
      frame[1] = 0x80 | 127;
      new DataView(frame.buffer).setBigUint64(2, BigInt(length));
    }
    // The four mask-key bytes stay zero.
    frame.set(payload, header);
    this.#outbox.push(frame);
    if (!this.#writing) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#outbox.length > 0 && this.#conn !== undefined) {
        const frames = this.#outbox;
        this.#outbox = [];
        await writeAll(this.#conn, frames.length === 1 ? frames[0]! : join(frames));
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#writing = false;
    }
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    const message = error instanceof Error ? error.message : String(error);
    this.onerror?.(new ErrorEvent("error", { message }));
    this.#end();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#open = false;
    try {
      this.#conn?.close();
    } catch {
      // Already closed by the other side.
    }
    this.onclose?.();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** `parts` one after another in one new buffer. */
function join(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Where the first `\r\n\r\n` begins, or -1. */
function indexOfBlankLine(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
