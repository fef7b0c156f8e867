/**
 * One session of Hono on (memory) Workers whose client speaks first only once `speakAt` (ms) has
 * passed on the session's clock: Hono's Workers `upgradeWebSocket` hands the route the socket only
 * with the client's first message, so until then the session's socket is still connecting.
 *
 * @module
 */
import type { HonoTransportOptions } from "../../src/adapters/hono.ts";
import type { TransportError } from "../../src/errors.ts";
import type { FakeClock } from "../../src/testing/fake_clock.ts";
import type { MemorySocket } from "../../src/testing/memory_socket.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withCarriedPairs } from "./_carried_pair_workers.ts";
import { serveHonoVoiceRoute } from "./_hono_voice_route.ts";

/**
 * Serves one upgrade (answered 101) with `options` on `options.clock`, whose route hands the
 * session to `onSession` after arming the client's first message (320 bytes) at `speakAt`; the
 * session, its errors, and the client's end.
 */
export async function sessionBeforeTheClientSpoke(
  speakAt: number,
  options: HonoTransportOptions & { clock: FakeClock },
  onSession: (transport: WebSocketTransport) => void,
) {
  let served: { sessions: WebSocketTransport[]; errors: TransportError[] } | undefined;
  let clients: readonly MemorySocket[] = [];
  clients = await withCarriedPairs(async () => {
    served = await serveHonoVoiceRoute(options, (transport) => {
      options.clock.timer(() => clients[0]!.send(new Uint8Array(320))).arm(speakAt);
      onSession(transport);
    });
  });
  return { session: served!.sessions[0]!, errors: served!.errors, client: clients[0]! };
}
