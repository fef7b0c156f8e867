/**
 * A real Deno server on 127.0.0.1 port 0 whose route holds back the upgrade's 101 (a route
 * awaiting something of its own between `upgrade()` and its response): `Deno.upgradeWebSocket`'s
 * socket opens only once that response is sent. The client is a raw TCP upgrade (RFC 6455 §4.1),
 * as its 101 is late on purpose, read by a {@link RawFrameReader}.
 *
 * @module
 */
import type { TransportError, WebSocketTransport } from "../../mod.ts";
import { type DenoUpgradeOptions, upgrade } from "../../src/adapters/deno.ts";
import type { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";
import { RawFrameReader } from "./_raw_frame_reader.ts";

/** The session a late-101 server made, the caller's connection, and the 101's release. */
export interface LateUpgrade {
  clock: FakeClock;
  /** `null` for a session that could not start (`upgrade()` answered without one). */
  transport: WebSocketTransport | null;
  /** The session's errors and its `connected` / `disconnected` events, in order. */
  errors: TransportError[];
  seen: string[];
  conn: Deno.TcpConn;
  reader: RawFrameReader;
  /** Lets the route send its 101: the status line of the reply the caller then reads. */
  send101(): Promise<string | undefined>;
  /** Sends the 101 if not yet sent, closes the caller's connection and shuts the server down. */
  stop(): Promise<void>;
}

/**
 * Serves one upgrade with `options` on `options.clock`, hands the session to `route` (after
 * listening to its events) before the 101, and holds the 101 until `send101`.
 */
export async function serveLateUpgrade(
  options: DenoUpgradeOptions & { clock: FakeClock },
  route: (transport: WebSocketTransport) => void = () => {},
): Promise<LateUpgrade> {
  const made = Promise.withResolvers<WebSocketTransport | null>();
  const hold = Promise.withResolvers<void>();
  const errors: TransportError[] = [];
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, options);
    if (transport) {
      transport.addEventListener("error", (e) => errors.push(e.error));
      transport.addEventListener("connected", () => seen.push("connected"));
      transport.addEventListener("disconnected", () => seen.push("disconnected"));
      route(transport);
    }
    made.resolve(transport);
    await hold.promise;
    return response;
  });
  const conn = await sendRawUpgrade(server.addr.port);
  const transport = await within(made.promise, 3000, "the session");
  const reader = new RawFrameReader(conn);
  return {
    clock: options.clock,
    transport,
    errors,
    seen,
    conn,
    reader,
    send101() {
      hold.resolve();
      return within(reader.statusLine(), 3000, "the 101");
    },
    async stop() {
      hold.resolve();
      try {
        conn.close();
      } catch {
        // closed already
      }
      await within(server.shutdown(), 3000, "the server's shutdown");
    },
  };
}
