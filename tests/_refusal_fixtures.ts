// A session for tests of what the transport refuses: raw PCM at 16 kHz on the fake clock, the codes
// of the errors it reports collected.
import { type TransportErrorEvent, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** A raw PCM session at 16 kHz in 20 ms chunks; `errors`: the code of each error reported. */
export function refusalSession() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const errors: string[] = [];
  transport.addEventListener("error", (e) => errors.push((e as TransportErrorEvent).error.code));
  return { clock, pair, transport, errors };
}

/**
 * {@linkcode refusalSession}, open (the connection told): `messages` are the JSON texts the peer
 * got, for tests of the streams surface used in unusual ways.
 */
export async function openRefusalSession() {
  const session = refusalSession();
  const messages: string[] = [];
  session.pair.client.addEventListener("message", (event) => {
    const { data } = event as MessageEvent;
    if (typeof data === "string") messages.push(data);
  });
  await session.clock.tick(1); // connected
  return { ...session, messages };
}
