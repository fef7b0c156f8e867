/**
 * A session on a `MemorySocketPair` (connecting, or open) with what a test of its ending reads:
 * its errors, its `connected` / `disconnected` events, what its client was sent, and whether it
 * has ended yet.
 *
 * @module
 */
import { type TransportError, type TransportOptions, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/**
 * A session with `options` on a fake clock, its socket still connecting unless `open`. The client
 * reads a text message as itself, a binary one as its length, a close as `close <code> <reason>`.
 */
export function observedSession(options: Omit<TransportOptions, "clock"> & { open?: boolean }) {
  const { open, ...transportOptions } = options;
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: !open });
  const transport = new WebSocketTransport(pair.server, { ...transportOptions, clock });
  const seen: string[] = [];
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.addEventListener("connected", () => seen.push("connected"));
  transport.addEventListener("disconnected", () => seen.push("disconnected"));
  const clientRead: (number | string)[] = [];
  pair.client.binaryType = "arraybuffer";
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    clientRead.push(typeof data === "string" ? data : (data as ArrayBuffer).byteLength);
  });
  pair.client.addEventListener("close", (e) => {
    const { code, reason } = e as CloseEvent;
    clientRead.push(`close ${code} ${reason}`);
  });
  let settled = false;
  void transport.closed.then(() => (settled = true));
  return { clock, pair, transport, seen, errors, clientRead, settled: () => settled };
}
