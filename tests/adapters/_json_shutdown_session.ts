// A JSON session on the fake clock followed by a shutdown signal, as each adapter follows the
// sessions it starts (`followShutdown`): the shutdown tests' common set-up.
import { JsonSerializer, WebSocketTransport } from "../../mod.ts";
import { followShutdown, type ShutdownOptions } from "../../src/adapters/_shutdown.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/**
 * The session (16 kHz PCM both ways, 20 ms chunks, no end silence, `transport` over that), its
 * `shutdown`, the types of the messages its client got, and when it ended (NaN before).
 */
export function jsonShutdownSession(
  { shutdownGraceMs, transport: options = {} }: {
    shutdownGraceMs?: number | undefined;
    transport?: Partial<TransportOptions>;
  } = {},
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new JsonSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    endSilenceMs: 0,
    clock,
    ...options,
  });
  const shutdown = new AbortController();
  const follow: ShutdownOptions = { shutdownSignal: shutdown.signal };
  if (shutdownGraceMs !== undefined) follow.shutdownGraceMs = shutdownGraceMs;
  followShutdown(transport, follow);
  const types: string[] = [];
  pair.client.addEventListener("message", (event) => {
    types.push(JSON.parse((event as MessageEvent).data as string).type);
  });
  let endedAt = NaN;
  void transport.closed.then(() => (endedAt = clock.now()));
  return { clock, pair, transport, shutdown, types, endedAt: () => endedAt };
}
