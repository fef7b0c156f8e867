/**
 * An upgrade request written to a server byte for byte, for what a `WebSocket` client cannot send
 * (a body, a declared length) or read (the status line of a refusal).
 *
 * @module
 */

/**
 * Connects to `port` and writes an upgrade of `path` by `method`, with `extra` header lines and
 * `body`, asking for the protocol `upgrade` (`WebSocket`, as some clients write it).
 */
export async function sendRawUpgrade(
  port: number,
  extra = "",
  body = "",
  method = "GET",
  upgrade = "websocket",
  path = "/ws",
): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request =
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: ${upgrade}\r\n` +
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
    `Sec-WebSocket-Version: 13\r\n${extra}\r\n${body}`;
  await conn.write(new TextEncoder().encode(request));
  return conn;
}

/** The status line of the reply that starts in what `conn` reads next. */
export async function readStatusLine(conn: Deno.Conn): Promise<string | undefined> {
  const buffer = new Uint8Array(4000);
  const n = await conn.read(buffer);
  return new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0];
}
