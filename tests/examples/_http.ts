/**
 * One HTTP/1.1 request over raw TCP, for what `fetch` and `WebSocket` will not send: a Host of our
 * choosing (what a browser sends after a DNS-rebinding attack), or an `Origin` on a WebSocket
 * handshake.
 *
 * @module
 */

/** The headers of a WebSocket handshake (RFC 6455 §4.1): the adapters' tests' own. */
export { UPGRADE_HEADERS } from "../adapters/_upgrade_request.ts";

/**
 * Sends `GET path` to `hostname` (default 127.0.0.1):`port` with exactly `headers` (include
 * `host`) and returns the
 * status code of the answer; the connection is closed once the status line has arrived, or after
 * `timeoutMs` without one (a server that never answers fails the caller instead of hanging it).
 */
export async function rawStatus(
  port: number,
  request: { path: string; headers: Record<string, string>; hostname?: string; timeoutMs?: number },
): Promise<number> {
  const conn = await Deno.connect({ hostname: request.hostname ?? "127.0.0.1", port });
  const timeoutMs = request.timeoutMs ?? 5000;
  // Closing the connection ends a pending read (it rejects), which is how the bound is kept.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, timeoutMs);
  try {
    const head = [
      `GET ${request.path} HTTP/1.1`,
      ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ];
    await conn.write(new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n`));
    const buffer = new Uint8Array(1024);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buffer).catch((error) => {
        if (timedOut) return null;
        throw error;
      });
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    if (timedOut) throw new Error(`GET ${request.path}: no answer within ${timeoutMs} ms`);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
    if (status === undefined) throw new Error(`no HTTP status line from port ${port}: ${text}`);
    return Number(status);
  } finally {
    clearTimeout(timer);
    if (!timedOut) conn.close();
  }
}
